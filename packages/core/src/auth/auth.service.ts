import { Inject, Injectable, Logger } from '@nestjs/common';
import { MikroORM, UniqueConstraintViolationException } from '@mikro-orm/core';
import { type Clock, ObrolError } from '@obrol/contracts';
import { Agent } from '../agents/agent.entity.js';
import { ChannelAccount } from '../channels/channel-account.entity.js';
import { CLOCK } from '../clock/clock.token.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { ApiKey } from './api-key.entity.js';
import { LoginThrottle } from './login-throttle.js';
import { PasswordHasher, generatePassword, newToken, tokenHash } from './password-hasher.js';
import type { ApiKeyScope, Principal } from './principal.js';
import { Session } from './session.entity.js';

const DAY = 24 * 60 * 60 * 1000;

/** Logins, sessions, API keys and the first admin. */
@Injectable()
export class AuthService {
  private readonly logger = new Logger('AuthService');
  readonly hasher: PasswordHasher;
  private readonly sessionTtlMs: number;
  /** A hash to compare against when the email is unknown, so timing does not reveal accounts. */
  private dummyHash: Promise<string> | null = null;

  constructor(
    private readonly orm: MikroORM,
    private readonly tenants: TenantsService,
    private readonly throttle: LoginThrottle,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CORE_OPTIONS) private readonly options: CoreOptions,
  ) {
    this.hasher = new PasswordHasher(options.passwordHashCost);
    this.sessionTtlMs = options.sessionTtlMs ?? 7 * DAY;
  }

  /** `address` is the client's (behind trusted proxies only, the forwarded one). */
  async login(email: string, password: string, address: string): Promise<{ token: string; expiresAt: Date; agent: Agent }> {
    await this.throttle.attempt(address, email);
    const em = this.orm.em.fork();
    const agent = await em.findOne(Agent, { email: email.trim().toLowerCase() });
    this.dummyHash ??= this.hasher.hash(generatePassword());
    const ok = agent?.active ? await this.hasher.verify(password, agent.passwordHash) : await this.hasher.verify(password, await this.dummyHash).then(() => false);
    if (!agent || !ok) {
      await this.throttle.failed(email);
      throw new ObrolError('UNAUTHENTICATED', 'Wrong email or password.');
    }
    await this.throttle.succeeded(email);
    // A hash made with other parameters (older defaults, ADR 0046) is made again now, while the
    // password is at hand; it is saved with the session.
    if (this.hasher.needsRehash(agent.passwordHash)) agent.passwordHash = await this.hasher.hash(password);
    const token = newToken('obs');
    const expiresAt = new Date(this.clock.now().getTime() + this.sessionTtlMs);
    em.create(Session, { tokenHash: tokenHash(token), agent, expiresAt });
    await em.flush();
    return { token, expiresAt, agent };
  }

  async logout(token: string): Promise<void> {
    await this.orm.em.fork().nativeUpdate(Session, { tokenHash: tokenHash(token) }, { revokedAt: this.clock.now() });
  }

  /** The principal behind a bearer token, or a 401 that says why. */
  async authenticate(token: string | undefined): Promise<Principal> {
    if (!token) throw new ObrolError('UNAUTHENTICATED', 'Send a bearer token: Authorization: Bearer <token>.');
    const em = this.orm.em.fork();
    const now = this.clock.now();
    if (token.startsWith('obk_')) {
      const key = await em.findOne(ApiKey, { keyHash: tokenHash(token) });
      if (!key || key.revokedAt) throw new ObrolError('UNAUTHENTICATED', 'This API key is unknown or revoked.');
      if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > 60_000) {
        key.lastUsedAt = now;
        await em.flush();
      }
      return {
        kind: 'api-key',
        tenantId: key.tenantId,
        tenantSlug: await this.tenants.slugOf(key.tenantId),
        apiKeyId: key.id,
        role: 'system',
        inboxIds: key.inboxIds ? new Set(key.inboxIds) : 'all',
        scopes: new Set(key.scopes),
      };
    }
    const session = await em.findOne(Session, { tokenHash: tokenHash(token) }, { populate: ['agent', 'agent.inboxes'] });
    if (!session || session.revokedAt) throw new ObrolError('UNAUTHENTICATED', 'This token is unknown or was revoked; log in again.');
    if (session.expiresAt.getTime() <= now.getTime()) throw new ObrolError('TOKEN_EXPIRED', 'Your session has expired; log in again.');
    const agent = session.agent;
    if (!agent.active) throw new ObrolError('UNAUTHENTICATED', 'This agent has been deactivated.');
    return {
      kind: 'agent',
      tenantId: agent.tenantId,
      tenantSlug: await this.tenants.slugOf(agent.tenantId),
      agentId: agent.id,
      role: agent.role,
      inboxIds: agent.role === 'admin' ? 'all' : new Set(agent.inboxes.getItems().map((i) => i.id)),
    };
  }

  /** Creates the first admin when the workspace has no agent yet. */
  async ensureFirstAdmin(tenantId: string): Promise<void> {
    const em = this.orm.em.fork();
    if ((await em.count(Agent, { tenantId })) > 0) return;
    const email = (this.options.admin?.email ?? 'admin@obrol.local').toLowerCase();
    const generated = !this.options.admin?.password;
    const password = this.options.admin?.password ?? generatePassword();
    em.create(Agent, { tenantId, email, name: 'Admin', role: 'admin', passwordHash: await this.hasher.hash(password) });
    try {
      await em.flush();
    } catch (error) {
      // Another api process starting at the same moment created the admin first.
      if (error instanceof UniqueConstraintViolationException) return;
      throw error;
    }
    this.logger.log(`created the first admin ${email}`);
    this.options.onAdminCreated?.({ email, password, generated });
  }

  async createApiKey(
    tenantId: string,
    name: string,
    createdById: string | null,
    limits: { inboxIds?: string[] | null; scopes?: ApiKeyScope[] } = {},
  ): Promise<{ key: string; apiKey: ApiKey }> {
    const em = this.orm.em.fork();
    const inboxIds = limits.inboxIds ? [...new Set(limits.inboxIds)] : null;
    if (inboxIds) {
      const found = await em.find(ChannelAccount, { id: { $in: inboxIds }, tenantId });
      const missing = inboxIds.filter((id) => !found.some((f) => f.id === id));
      if (missing.length) throw new ObrolError('VALIDATION_FAILED', `Unknown inbox ids: ${missing.join(', ')}.`, { problems: [{ field: 'inboxIds', message: 'unknown channel account' }] });
    }
    const key = newToken('obk');
    const apiKey = em.create(ApiKey, {
      tenantId,
      name,
      prefix: key.slice(0, 12),
      keyHash: tokenHash(key),
      inboxIds,
      scopes: [...new Set<ApiKeyScope>(limits.scopes ?? ['read', 'send'])],
      createdBy: createdById ? em.getReference(Agent, createdById) : null,
    });
    await em.flush();
    return { key, apiKey };
  }
}
