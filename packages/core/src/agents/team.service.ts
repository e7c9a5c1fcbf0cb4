import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { type AgentPresence, type Clock, ObrolError, type TeammateView, liveEvents } from '@obrol/contracts';
import { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import { CLOCK } from '../clock/clock.token.js';
import { recordLive } from '../outbox/outbox.js';
import { Agent } from './agent.entity.js';

export const updatePresenceSchema = z.object({ presence: z.enum(['online', 'away']) });

export { type TeammateView, teammateViewSchema } from '@obrol/contracts';

/** A teammate as others see them at `now`: offline unless their app is open (`connectedUntil` ahead). */
export const teammateView = (a: Agent, now: Date): TeammateView => ({
  id: a.id,
  name: a.name,
  role: a.role,
  presence: a.presence,
  availability: a.connectedUntil && a.connectedUntil > now ? a.presence : 'offline',
  lastSeenAt: a.lastSeenAt?.toISOString() ?? null,
  inboxIds: a.inboxes.getItems().map((i) => i.id),
});

/** The team as every agent sees it (to assign, hand over, mention), and each agent's presence. */
@Injectable()
export class TeamService {
  constructor(
    private readonly orm: MikroORM,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Active agents who share an inbox with the caller (every active agent for admins and API keys). */
  async list(principal: Principal): Promise<TeammateView[]> {
    const agents = await this.orm.em.fork().find(Agent, { tenantId: principal.tenantId, active: true }, { populate: ['inboxes'], orderBy: { name: 'asc', id: 'asc' } });
    const mine = principal.inboxIds;
    const visible = mine === 'all' ? agents : agents.filter((a) => a.role === 'admin' || a.inboxes.getItems().some((i) => mine.has(i.id)));
    const now = this.clock.now();
    return visible.map((a) => teammateView(a, now));
  }

  async setPresence(principal: Principal, presence: AgentPresence): Promise<TeammateView> {
    if (principal.kind !== 'agent') throw new ObrolError('FORBIDDEN', 'Presence belongs to agents; use an agent session.');
    const em = this.orm.em.fork();
    const agent = await em.findOneOrFail(Agent, principal.agentId, { populate: ['inboxes'] });
    agent.presence = presence;
    const now = this.clock.now();
    const view = teammateView(agent, now);
    recordLive(em, principal.tenantSlug, now, liveEvents.agentPresence(principal.tenantSlug, { data: view }));
    await em.flush();
    return view;
  }
}
