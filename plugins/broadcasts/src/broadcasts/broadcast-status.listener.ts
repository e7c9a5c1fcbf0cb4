import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { type DomainEventMap, Message, OnEvent } from '@obrol/core';
import { shiftCounters } from './broadcast-counters.js';
import { BroadcastEngine } from './broadcast.engine.js';
import { broadcastReasons } from './broadcast-reason.js';

/**
 * Follows broadcast messages after each commit: their statuses move the recipients (an accepted
 * send moved its recipient in its own transaction already); a reply
 * quoting one is marked as a reply to its broadcast and counted; a template Meta paused or disabled pauses
 * the broadcasts using it, and a number restricted from starting conversations pauses its
 * broadcasts until the restriction is lifted. A hook lost to a crash is repaired by
 * `BroadcastEngine.repair` (and a lost lift by `BroadcastEngine.resumeUnrestricted`).
 */
@Injectable()
export class BroadcastStatusListener {
  constructor(
    private readonly orm: MikroORM,
    private readonly engine: BroadcastEngine,
  ) {}

  /** The recipient moved to sent with the message, in its transaction (`BroadcastSendGate.accepted`): only the live counters follow. */
  @OnEvent('message.sent')
  onSent(event: DomainEventMap['message.sent']): void {
    if (event.message.broadcastId) this.engine.progressChanged(event.message.broadcastId);
  }

  @OnEvent('message.status')
  async onStatus(event: DomainEventMap['message.status']): Promise<void> {
    if (event.message.broadcastId) await this.engine.follow(event.message.id, event.message.status, event.message.error);
  }

  @OnEvent('message.received')
  async onReceived(event: DomainEventMap['message.received']): Promise<void> {
    const quoted = event.message.replyToExternalId;
    if (!quoted) return;
    const em = this.orm.em.fork();
    const original = await em.findOne(Message, { channelAccount: event.channelAccountId, externalId: quoted, broadcastId: { $ne: null } }, { fields: ['broadcastId'] });
    const broadcastId = original?.broadcastId;
    if (!broadcastId) return;
    // Marked and counted together, once: a redelivered event finds the reply already marked.
    const counted = await em.transactional(async (tx) => {
      const marked = await tx.nativeUpdate(Message, { id: event.message.id, broadcastId: null }, { broadcastId });
      if (marked) await shiftCounters(tx, broadcastId, { replies: 1 });
      return marked > 0;
    });
    if (counted) this.engine.progressChanged(broadcastId);
  }

  /**
   * A number WhatsApp restricted from starting conversations pauses its broadcasts at once,
   * rather than at the first send it refuses (which would fail that recipient). The sends
   * already queued are held, as on any pause; resuming while the restriction lasts pauses again
   * at the first refusal. They resume by themselves when it ends (below, and
   * `BroadcastEngine.resumeUnrestricted` for an end no webhook announces).
   */
  @OnEvent('channel.restricted')
  async onChannelRestricted(event: DomainEventMap['channel.restricted']): Promise<void> {
    if (!event.businessInitiated) return;
    await this.engine.pauseByAccount(event.channelAccountId, broadcastReasons.pausedRestricted(event.until));
  }

  /** WhatsApp lets the number start conversations again: the broadcasts its restriction paused go on. */
  @OnEvent('channel.restriction_lifted')
  async onRestrictionLifted(event: DomainEventMap['channel.restriction_lifted']): Promise<void> {
    if (event.businessInitiated) await this.engine.resumeAfterRestriction(event.channelAccountId);
  }

  @OnEvent('template.status')
  async onTemplateStatus(event: DomainEventMap['template.status']): Promise<void> {
    if (event.status !== 'PAUSED' && event.status !== 'DISABLED') return;
    await this.engine.pauseByTemplate(event.channelAccountId, event.name, event.language, broadcastReasons.templateStatus(event.name, event.status, event.reason ?? null));
  }
}
