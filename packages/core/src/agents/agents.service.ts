import { Injectable } from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import { type AgentView, type NotificationSettings, ObrolError, notificationSettingsSchema } from '@obrol/contracts';
import { z } from 'zod';
import { AuditService } from '../audit/audit.service.js';
import { AuthService } from '../auth/auth.service.js';
import { generatePassword, tokenHash } from '../auth/password-hasher.js';
import { PasswordLinksService, type PasswordLinkView } from '../auth/password-links.service.js';
import { assertStrongPassword } from '../auth/password-policy.js';
import { type Principal, actorOf, assertAdmin } from '../auth/principal.js';
import { Session } from '../auth/session.entity.js';
import { ChannelAccount } from '../channels/channel-account.entity.js';
import { Agent } from './agent.entity.js';

const roleSchema = z.enum(['admin', 'agent', 'marketer']);

export const createAgentSchema = z.object({
  email: z.email().max(320),
  name: z.string().trim().min(1).max(200),
  role: roleSchema.default('agent'),
  /** Leave out to invite: the answer then carries a one-time link where the agent sets a password. */
  password: z.string().min(10, 'must be at least 10 characters').max(1024).optional().describe('leave out to invite: the answer carries a one-time set-password link'),
  inboxIds: z.array(z.string().max(36)).default([]),
});

export const updateAgentSchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  role: roleSchema.optional(),
  password: z.string().min(10, 'must be at least 10 characters').max(1024).optional(),
  inboxIds: z.array(z.string().max(36)).optional(),
  active: z.boolean().optional(),
});

export const updateOwnAccountSchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  locale: z.enum(['en', 'id']).nullable().optional().describe("the interface language; null: the browser's"),
  notifications: notificationSettingsSchema.partial().optional(),
});

export const changeOwnPasswordSchema = z.object({
  currentPassword: z.string().min(1).max(1024),
  newPassword: z.string().min(1).max(1024),
});

export { type AgentView, agentViewSchema } from '@obrol/contracts';

const DEFAULT_NOTIFICATIONS: NotificationSettings = { newConversationSound: true, assignedToMe: true, everyMessage: false, desktop: true, messageSound: true };

export const agentView = (a: Agent): AgentView => ({
  id: a.id,
  email: a.email,
  name: a.name,
  role: a.role,
  active: a.active,
  inboxIds: a.inboxes.isInitialized() ? a.inboxes.getItems().map((i) => i.id) : [],
  locale: a.locale,
  notifications: { ...DEFAULT_NOTIFICATIONS, ...a.notifications },
  createdAt: a.createdAt.toISOString(),
});

@Injectable()
export class AgentsService {
  constructor(
    private readonly orm: MikroORM,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
    private readonly links: PasswordLinksService,
  ) {}

  async viewById(id: string): Promise<AgentView> {
    return agentView(await this.orm.em.fork().findOneOrFail(Agent, id, { populate: ['inboxes'] }));
  }

  async list(principal: Principal): Promise<AgentView[]> {
    assertAdmin(principal);
    const agents = await this.orm.em.fork().find(Agent, { tenantId: principal.tenantId }, { populate: ['inboxes'], orderBy: { createdAt: 'asc' } });
    return agents.map(agentView);
  }

  private async inboxes(em: EntityManager, tenantId: string, ids: string[]): Promise<ChannelAccount[]> {
    const found = await em.find(ChannelAccount, { id: { $in: ids }, tenantId });
    const missing = ids.filter((id) => !found.some((f) => f.id === id));
    if (missing.length) throw new ObrolError('VALIDATION_FAILED', `Unknown inbox ids: ${missing.join(', ')}.`, { problems: [{ field: 'inboxIds', message: 'unknown channel account' }] });
    return found;
  }

  /** Adds an agent with the given password, or invites them: the answer then carries a one-time set-password link. */
  async create(principal: Principal, input: z.infer<typeof createAgentSchema>): Promise<AgentView & { setPasswordLink?: PasswordLinkView }> {
    assertAdmin(principal);
    const em = this.orm.em.fork();
    const email = input.email.toLowerCase();
    if (await em.findOne(Agent, { tenantId: principal.tenantId, email })) throw new ObrolError('CONFLICT', `An agent with email ${email} already exists.`);
    if (input.password !== undefined) assertStrongPassword(input.password, [email, input.name]);
    // An invited agent has a random password nobody knows until they set theirs through the link.
    const password = input.password ?? generatePassword();
    const agent = em.create(Agent, { tenantId: principal.tenantId, email, name: input.name, role: input.role, passwordHash: await this.auth.hasher.hash(password) });
    agent.inboxes.set(await this.inboxes(em, principal.tenantId, input.inboxIds));
    const setPasswordLink = input.password === undefined ? await this.links.issue(em, agent, 'invite') : undefined;
    this.audit.record(em, { tenantId: principal.tenantId, actor: actorOf(principal), action: setPasswordLink ? 'agent.invite' : 'agent.create', targetType: 'agent', targetId: agent.id, details: { email, role: input.role } });
    await em.flush();
    return { ...agentView(agent), ...(setPasswordLink ? { setPasswordLink } : {}) };
  }

  async update(principal: Principal, id: string, input: z.infer<typeof updateAgentSchema>): Promise<AgentView> {
    assertAdmin(principal);
    const em = this.orm.em.fork();
    const agent = await em.findOne(Agent, { id, tenantId: principal.tenantId }, { populate: ['inboxes'] });
    if (!agent) throw new ObrolError('NOT_FOUND', 'Agent not found.');
    if (principal.kind === 'agent' && principal.agentId === id && ((input.role !== undefined && input.role !== 'admin') || input.active === false)) {
      throw new ObrolError('VALIDATION_FAILED', 'You cannot demote or deactivate yourself; ask another admin.');
    }
    if (input.name !== undefined) agent.name = input.name;
    if (input.role !== undefined) agent.role = input.role;
    if (input.active !== undefined) agent.active = input.active;
    if (input.password !== undefined) {
      assertStrongPassword(input.password, [agent.email, input.name ?? agent.name]);
      agent.passwordHash = await this.auth.hasher.hash(input.password);
    }
    if (input.inboxIds !== undefined) agent.inboxes.set(await this.inboxes(em, principal.tenantId, input.inboxIds));
    if (input.password !== undefined || input.active === false) await em.nativeUpdate(Session, { agent, revokedAt: null }, { revokedAt: new Date() });
    this.audit.record(em, { tenantId: principal.tenantId, actor: actorOf(principal), action: 'agent.update', targetType: 'agent', targetId: agent.id, details: { fields: Object.keys(input).filter((k) => k !== 'password') } });
    await em.flush();
    return agentView(agent);
  }

  /** An admin resets another agent's password: a one-time link to hand over; the old password works until it is used. */
  async resetPasswordLink(principal: Principal, id: string): Promise<PasswordLinkView> {
    assertAdmin(principal);
    const em = this.orm.em.fork();
    const agent = await em.findOne(Agent, { id, tenantId: principal.tenantId });
    if (!agent) throw new ObrolError('NOT_FOUND', 'Agent not found.');
    if (!agent.active) throw new ObrolError('CONFLICT', 'This agent is deactivated; reactivate them first.');
    const link = await this.links.issue(em, agent, 'reset');
    this.audit.record(em, { tenantId: principal.tenantId, actor: actorOf(principal), action: 'agent.password-reset', targetType: 'agent', targetId: agent.id, details: {} });
    await em.flush();
    return link;
  }

  /** The signed-in agent changes their name, language or notification settings. */
  async updateOwn(principal: Principal, input: z.infer<typeof updateOwnAccountSchema>): Promise<AgentView> {
    const em = this.orm.em.fork();
    const agent = await this.own(em, principal);
    if (input.name !== undefined) agent.name = input.name;
    if (input.locale !== undefined) agent.locale = input.locale;
    if (input.notifications) agent.notifications = { ...agent.notifications, ...input.notifications };
    await em.flush();
    return agentView(agent);
  }

  /** Changes the signed-in agent's password (the current one required) and ends their other sessions. */
  async changeOwnPassword(principal: Principal, currentToken: string | undefined, input: z.infer<typeof changeOwnPasswordSchema>): Promise<void> {
    const em = this.orm.em.fork();
    const agent = await this.own(em, principal);
    if (!(await this.auth.hasher.verify(input.currentPassword, agent.passwordHash))) {
      throw new ObrolError('VALIDATION_FAILED', 'The current password is wrong.', { problems: [{ field: 'currentPassword', message: 'wrong password' }] });
    }
    assertStrongPassword(input.newPassword, [agent.email, agent.name, input.currentPassword]);
    agent.passwordHash = await this.auth.hasher.hash(input.newPassword);
    await em.nativeUpdate(Session, { agent, revokedAt: null, ...(currentToken ? { tokenHash: { $ne: tokenHash(currentToken) } } : {}) }, { revokedAt: new Date() });
    this.audit.record(em, { tenantId: agent.tenantId, actor: actorOf(principal), action: 'agent.password-change', targetType: 'agent', targetId: agent.id, details: {} });
    await em.flush();
  }

  private async own(em: EntityManager, principal: Principal): Promise<Agent> {
    if (principal.kind !== 'agent') throw new ObrolError('FORBIDDEN', 'Only a signed-in agent has an account to change; API keys do not.');
    return em.findOneOrFail(Agent, principal.agentId, { populate: ['inboxes'] });
  }
}
