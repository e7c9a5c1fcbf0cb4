import { Inject, Injectable, Logger } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import type { Clock } from '@obrol/contracts';
import { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import { ChannelsService } from '../channels/channels.service.js';
import { CLOCK } from '../clock/clock.token.js';
import { Message } from '../messages/message.entity.js';
import { ConversationsService } from './conversations.service.js';

/** Meta's indicator lasts 25 s; one every 20 s keeps it showing while the agent types. */
export const TYPING_INDICATOR_INTERVAL_MS = 20_000;

export const typingIndicatorResultSchema = z.object({
  /** Whether the indicator went to the channel. */
  sent: z.boolean(),
  /** Why it did not: a quiet refusal, never an error. */
  reason: z.enum(['not_supported', 'window_closed', 'no_inbound_message', 'throttled', 'channel_error']).optional(),
});
export type TypingIndicatorResult = z.infer<typeof typingIndicatorResultSchema>;

/**
 * Shows the customer that an agent is typing, through the channel's `sendTypingIndicator`
 * (for the customer's latest message), only while the session window is open and at most once
 * per 20 s per conversation. The throttle is per process, which is enough for a hint that
 * expires on its own.
 */
@Injectable()
export class TypingIndicatorService {
  private readonly logger = new Logger('TypingIndicatorService');
  private readonly lastSentAt = new Map<string, number>();

  constructor(
    private readonly orm: MikroORM,
    private readonly conversations: ConversationsService,
    private readonly channels: ChannelsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async agentTyping(principal: Principal, conversationId: string): Promise<TypingIndicatorResult> {
    const em = this.orm.em.fork();
    const c = await this.conversations.get(principal, conversationId, em);
    const resolved = await this.channels.resolve(c.channelAccount.id);
    const { plugin } = resolved;
    if (!plugin.sendTypingIndicator) return { sent: false, reason: 'not_supported' };
    const now = this.clock.now();
    if (!plugin.policy.canSendFreeform({ lastInboundAt: c.lastInboundAt }, now).open) return { sent: false, reason: 'window_closed' };
    const last = this.lastSentAt.get(c.id);
    if (last !== undefined && now.getTime() - last < TYPING_INDICATOR_INTERVAL_MS) return { sent: false, reason: 'throttled' };
    const latest = await em.findOne(Message, { conversation: c, direction: 'inbound', externalId: { $ne: null } }, { orderBy: { id: 'desc' } });
    if (!latest?.externalId) return { sent: false, reason: 'no_inbound_message' };

    this.forgetOlderThan(now.getTime() - TYPING_INDICATOR_INTERVAL_MS);
    this.lastSentAt.set(c.id, now.getTime());
    const result = await plugin.sendTypingIndicator(latest.externalId, resolved.context);
    if (result.ok) return { sent: true };
    this.logger.warn(`typing indicator for conversation ${c.id} failed: ${result.error.message}`);
    return { sent: false, reason: 'channel_error' };
  }

  /** Entries past the interval no longer throttle anything. */
  private forgetOlderThan(cutoff: number): void {
    for (const [id, at] of this.lastSentAt) if (at <= cutoff) this.lastSentAt.delete(id);
  }
}
