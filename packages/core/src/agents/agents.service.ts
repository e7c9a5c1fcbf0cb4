import { Injectable } from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import { type AgentView, ObrolError } from '@obrol/contracts';
import { z } from 'zod';
import { AuditService } from '../audit/audit.service.js';
import { AuthService } from '../auth/auth.service.js';
import { generatePassword } from '../auth/password-hasher.js';
import { type Principal, actorOf, assertAdmin } from '../auth/principal.js';
import { Session } from '../auth/session.entity.js';
import { ChannelAccount } from '../channels/channel-account.entity.js';
import { Agent } from './agent.entity.js';

export const createAgentSchema = z.object({
  email: z.email().max(320),
  name: z.string().trim().min(1).max(200),
  role: z.enum(['admin', 'agent']).default('agent'),
  /** Leave out to generate one (returned once). */
  password: z.string().min(10, 'must be at least 10 characters').max(1024).optional(),
  inboxIds: z.array(z.string().max(36)).default([]),
});

export const updateAgentSchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  role: z.enum(['admin', 'agent']).optional(),
  password: z.string().min(10, 'must be at least 10 characters').max(1024).optional(),
  inboxIds: z.array(z.string().max(36)).optional(),
  active: z.boolean().optional(),
});

export { type AgentView, agentViewSchema } from '@obrol/contracts';

export const agentView = (a: Agent): AgentView => ({
  id: a.id,
  email: a.email,
  name: a.name,
  role: a.role,
  active: a.active,
  inboxIds: a.inboxes.isInitialized() ? a.inboxes.getItems().map((i) => i.id) : [],
  createdAt: a.createdAt.toISOString(),
});

@Injectable()
export class AgentsService {
  constructor(
    private readonly orm: MikroORM,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
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

  async create(principal: Principal, input: z.infer<typeof createAgentSchema>): Promise<AgentView & { password?: string }> {
    assertAdmin(principal);
    const em = this.orm.em.fork();
    const email = input.email.toLowerCase();
    if (await em.findOne(Agent, { tenantId: principal.tenantId, email })) throw new ObrolError('CONFLICT', `An agent with email ${email} already exists.`);
    const password = input.password ?? generatePassword();
    const agent = em.create(Agent, { tenantId: principal.tenantId, email, name: input.name, role: input.role, passwordHash: await this.auth.hasher.hash(password) });
    agent.inboxes.set(await this.inboxes(em, principal.tenantId, input.inboxIds));
    this.audit.record(em, { tenantId: principal.tenantId, actor: actorOf(principal), action: 'agent.create', targetType: 'agent', targetId: agent.id, details: { email, role: input.role } });
    await em.flush();
    return { ...agentView(agent), ...(input.password ? {} : { password }) };
  }

  async update(principal: Principal, id: string, input: z.infer<typeof updateAgentSchema>): Promise<AgentView> {
    assertAdmin(principal);
    const em = this.orm.em.fork();
    const agent = await em.findOne(Agent, { id, tenantId: principal.tenantId }, { populate: ['inboxes'] });
    if (!agent) throw new ObrolError('NOT_FOUND', 'Agent not found.');
    if (principal.kind === 'agent' && principal.agentId === id && (input.role === 'agent' || input.active === false)) {
      throw new ObrolError('VALIDATION_FAILED', 'You cannot demote or deactivate yourself; ask another admin.');
    }
    if (input.name !== undefined) agent.name = input.name;
    if (input.role !== undefined) agent.role = input.role;
    if (input.active !== undefined) agent.active = input.active;
    if (input.password !== undefined) agent.passwordHash = await this.auth.hasher.hash(input.password);
    if (input.inboxIds !== undefined) agent.inboxes.set(await this.inboxes(em, principal.tenantId, input.inboxIds));
    if (input.password !== undefined || input.active === false) await em.nativeUpdate(Session, { agent, revokedAt: null }, { revokedAt: new Date() });
    this.audit.record(em, { tenantId: principal.tenantId, actor: actorOf(principal), action: 'agent.update', targetType: 'agent', targetId: agent.id, details: { fields: Object.keys(input).filter((k) => k !== 'password') } });
    await em.flush();
    return agentView(agent);
  }
}
