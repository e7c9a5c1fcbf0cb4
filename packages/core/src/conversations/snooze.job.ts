import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { type Clock, liveEvents } from '@obrol/contracts';
import { CLOCK } from '../clock/clock.token.js';
import { recordLive } from '../outbox/outbox.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { Every } from '../work/declared-work.js';
import { Conversation } from './conversation.entity.js';
import { ConversationsService } from './conversations.service.js';

const BATCH = 500;

/**
 * Wakes snoozed conversations whose time has come: clears `snoozedUntil` and pushes the
 * conversation to the browsers, where it returns to the open list. (Lists already treat a
 * past `snoozedUntil` as awake; this makes the change visible live.)
 */
@Injectable()
export class SnoozeJob {
  constructor(
    private readonly orm: MikroORM,
    private readonly conversations: ConversationsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Every({ name: 'waking snoozed conversations', intervalMs: 30_000, runAtStart: true })
  async wake(): Promise<number> {
    const em = this.orm.em.fork();
    const now = this.clock.now();
    const due = await em.find(Conversation, { snoozedUntil: { $lte: now } }, { populate: ['contact', 'channelAccount'], limit: BATCH, orderBy: { snoozedUntil: 'asc' } });
    if (due.length === 0) return 0;
    const slugs = new Map((await em.find(Tenant, { id: { $in: [...new Set(due.map((c) => c.tenantId))] } })).map((t) => [t.id, t.slug]));
    for (const c of due) {
      c.snoozedUntil = null;
      const tenant = slugs.get(c.tenantId);
      if (!tenant) continue;
      recordLive(em, tenant, now, liveEvents.conversationUpdated(tenant, { channelAccountId: c.channelAccount.id, conversationId: c.id, data: { conversation: this.conversations.view(c, now) } }));
    }
    await em.flush();
    return due.length;
  }
}
