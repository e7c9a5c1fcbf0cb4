import { Inject, Injectable, Logger } from '@nestjs/common';
import { MikroORM, QueryOrder } from '@mikro-orm/core';
import { OnEvent } from '@nestjs/event-emitter';
import type { Clock, ConversationFact } from '@obrol/contracts';
import { Agent } from '../agents/agent.entity.js';
import { ChannelsService } from '../channels/channels.service.js';
import { CLOCK } from '../clock/clock.token.js';
import { Conversation } from './conversation.entity.js';
import { ConversationsService } from './conversations.service.js';

/**
 * Auto-assignment (ADR 0018): when a conversation opens (new, or reopened by the customer)
 * unassigned in an inbox with `autoAssign`, it goes to the inbox's online agent who was
 * auto-assigned longest ago (round-robin), passing over agents at the inbox's limit of
 * unresolved conversations. No one online, or everyone full: it stays unassigned.
 */
@Injectable()
export class AutoAssignmentService {
  private readonly logger = new Logger('AutoAssignmentService');
  // One at a time in this process, so two conversations opening together do not both pick the same "least recent" agent.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly orm: MikroORM,
    private readonly conversations: ConversationsService,
    private readonly channels: ChannelsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @OnEvent('conversation.opened')
  async onOpened(fact: ConversationFact): Promise<unknown> {
    if (fact.assigneeId) return this.queue;
    // Most numbers do not auto-assign: their conversations cost no query here. The account is
    // cached (`ChannelsService.resolve`): a number switched to auto-assignment in another
    // process is seen here within its cache's 5 s.
    if (!(await this.autoAssigns(fact.channelAccountId))) return this.queue;
    this.queue = this.queue.then(() => this.assign(fact.tenantId, fact.conversationId)).catch((error: Error) => this.logger.warn(`auto-assigning ${fact.conversationId} failed: ${error.message}`));
    return this.queue;
  }

  private async autoAssigns(channelAccountId: string): Promise<boolean> {
    try {
      return (await this.channels.resolve(channelAccountId)).account.autoAssign;
    } catch {
      // Removed meanwhile, or unreadable: `assign` reads the conversation and decides.
      return true;
    }
  }

  /** Assigns the conversation by the rules above; returns the agent's id, or null when it stays unassigned. */
  async assign(tenant: string, conversationId: string): Promise<string | null> {
    const em = this.orm.em.fork();
    const c = await em.findOne(Conversation, conversationId, { populate: ['contact', 'channelAccount'] });
    if (!c || c.assignee || c.status === 'resolved' || !c.channelAccount.autoAssign) return null;
    const candidates = await em.find(
      Agent,
      { tenantId: c.tenantId, active: true, presence: 'online', inboxes: c.channelAccount.id },
      { orderBy: [{ lastAssignedAt: QueryOrder.ASC_NULLS_FIRST }, { id: QueryOrder.ASC }] },
    );
    for (const agent of candidates) {
      const load = await em.count(Conversation, { assignee: agent, status: { $ne: 'resolved' } });
      if (load >= c.channelAccount.autoAssignLimit) continue;
      const now = this.clock.now();
      const assigned = await em.transactional(async (tx) => {
        // Only if still unassigned: an agent (or another process) may have taken it meanwhile.
        if ((await tx.nativeUpdate(Conversation, { id: c.id, assignee: null }, { assignee: agent.id })) === 0) return false;
        await tx.nativeUpdate(Agent, { id: agent.id }, { lastAssignedAt: now });
        c.assignee = agent;
        this.conversations.record(tx, tenant, now, c, 'assigned', { conversationId: c.id, channelAccountId: c.channelAccount.id, contactId: c.contact.id });
        return true;
      });
      return assigned ? agent.id : null;
    }
    return null;
  }
}
