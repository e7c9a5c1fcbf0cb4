import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import { type Clock, ObrolError } from '@obrol/contracts';
import { z } from 'zod';
import { Agent } from '../agents/agent.entity.js';
import { AuditService } from '../audit/audit.service.js';
import { CLOCK } from '../clock/clock.token.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { AuthService } from './auth.service.js';
import { newToken, tokenHash } from './password-hasher.js';
import { assertStrongPassword } from './password-policy.js';
import { PasswordLink, type PasswordLinkPurpose } from './password-link.entity.js';
import { Session } from './session.entity.js';

const HOUR = 60 * 60 * 1000;
/** An invitation may wait over a weekend; a reset link is for now. */
const LIFETIME: Record<PasswordLinkPurpose, number> = { invite: 7 * 24 * HOUR, reset: 24 * HOUR };

export const passwordLinkSchema = z.object({
  url: z.string().describe('the page where the agent sets a password; works once, until it expires'),
  purpose: z.enum(['invite', 'reset']),
  expiresAt: z.iso.datetime(),
});
export type PasswordLinkView = z.infer<typeof passwordLinkSchema>;

export const passwordLinkInfoSchema = z.object({
  purpose: z.enum(['invite', 'reset']),
  email: z.string(),
  name: z.string(),
  expiresAt: z.iso.datetime(),
});

export const usePasswordLinkSchema = z.object({ password: z.string().min(1).max(1024) });

/**
 * One-time set-password links: no mail server is needed, the admin hands the link over. A new
 * link replaces the agent's older unused ones; using one ends the agent's sessions.
 */
@Injectable()
export class PasswordLinksService {
  constructor(
    private readonly orm: MikroORM,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CORE_OPTIONS) private readonly options: CoreOptions,
  ) {}

  /** Issues a link in the caller's unit of work (flushed by the caller). */
  async issue(em: EntityManager, agent: Agent, purpose: PasswordLinkPurpose): Promise<PasswordLinkView> {
    const now = this.clock.now();
    await em.nativeUpdate(PasswordLink, { agent, usedAt: null }, { usedAt: now });
    const token = newToken('obp');
    const expiresAt = new Date(now.getTime() + LIFETIME[purpose]);
    em.create(PasswordLink, { tokenHash: tokenHash(token), agent, purpose, expiresAt });
    // Hash history: the inbox app at `/` handles the route without a server fallback.
    return { url: `${this.options.publicUrl.replace(/\/$/, '')}/#/set-password/${token}`, purpose, expiresAt: expiresAt.toISOString() };
  }

  /** Who the link is for, so the page can greet them; 404 when it is unknown, used or expired. */
  async describe(token: string): Promise<z.infer<typeof passwordLinkInfoSchema>> {
    const link = await this.find(this.orm.em.fork(), token);
    return { purpose: link.purpose, email: link.agent.email, name: link.agent.name, expiresAt: link.expiresAt.toISOString() };
  }

  /** Sets the password behind a link, once; ends the agent's sessions. */
  async use(token: string, password: string): Promise<{ email: string }> {
    const em = this.orm.em.fork();
    const link = await this.find(em, token);
    const agent = link.agent;
    assertStrongPassword(password, [agent.email, agent.name]);
    agent.passwordHash = await this.auth.hasher.hash(password);
    const now = this.clock.now();
    // Claimed with a conditional update, so two uses of the same link cannot both succeed.
    const claimed = await em.nativeUpdate(PasswordLink, { id: link.id, usedAt: null }, { usedAt: now });
    if (claimed !== 1) throw gone();
    await em.nativeUpdate(Session, { agent, revokedAt: null }, { revokedAt: now });
    this.audit.record(em, { tenantId: agent.tenantId, actor: `agent:${agent.id}`, action: `agent.password-link.${link.purpose}`, targetType: 'agent', targetId: agent.id, details: {} });
    await em.flush();
    return { email: agent.email };
  }

  private async find(em: EntityManager, token: string): Promise<PasswordLink & { agent: Agent }> {
    const link = await em.findOne(PasswordLink, { tokenHash: tokenHash(token) }, { populate: ['agent'] });
    if (!link || link.usedAt || link.expiresAt.getTime() <= this.clock.now().getTime() || !link.agent.active) throw gone();
    return link as PasswordLink & { agent: Agent };
  }
}

const gone = () => new ObrolError('NOT_FOUND', 'This link was already used, has expired, or never existed; ask an admin for a new one.');
