import { Inject, Injectable, Logger } from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import type { Clock, StatusEvent } from '@obrol/contracts';
import { CLOCK } from '../clock/clock.token.js';
import { Message } from './message.entity.js';
import { evidenceOf } from './send-attempt.policy.js';

/** Our message ids are UUIDs; anything else a provider echoes is not ours to look up. */
const MESSAGE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The record of send attempts on the message row. An attempt is opened (`sendStartedAt`) and
 * committed before the provider is called, and closed in the transaction that records its
 * outcome. While one is open no other attempt can start, so a redelivered or re-queued command
 * never sends the message a second time. An attempt left open by a crash is *in doubt* until a
 * status echoing our id settles it, or `InDoubtSendReconciler` sends it again after a grace period.
 */
@Injectable()
export class SendAttempts {
  private readonly logger = new Logger('SendAttempts');

  constructor(
    private readonly orm: MikroORM,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Opens the next attempt of a queued message, committed at once. False when another
   * delivery claimed it first, or an earlier attempt is still open (in doubt).
   */
  async open(message: Message): Promise<boolean> {
    const claimed = await this.orm.em
      .fork()
      .nativeUpdate(Message, { id: message.id, status: 'queued', sendAttempts: message.sendAttempts, sendStartedAt: null }, { sendAttempts: message.sendAttempts + 1, sendStartedAt: this.clock.now() });
    if (claimed === 0) return false;
    message.sendAttempts += 1;
    return true;
  }

  /**
   * Records the outcome of the open attempt in one transaction with `write` (which changes
   * the message and records events). False, and nothing written, when the attempt was settled
   * meanwhile by a status or given up on by the reconciler: its outcome is no longer ours to record.
   */
  async close(em: EntityManager, message: Message, write: (tx: EntityManager) => void | Promise<void>): Promise<boolean> {
    return em.transactional(async (tx) => {
      const closed = await tx.nativeUpdate(Message, { id: message.id, sendAttempts: message.sendAttempts, sendStartedAt: { $ne: null } }, { sendStartedAt: null });
      if (closed === 0) return false;
      await write(tx);
      return true;
    });
  }

  /**
   * A status for an external id we have not recorded, echoing our message id: the provider's
   * word that a send whose answer was lost reached it. Records the external id on the message
   * (closing its attempt) and returns it, so the caller applies the status as usual.
   * `another-copy` means the message went out twice and this status is about the other copy.
   */
  async settleFromStatus(em: EntityManager, channelAccountId: string, event: StatusEvent): Promise<Message | 'another-copy' | null> {
    if (!event.messageId || !MESSAGE_ID.test(event.messageId)) return null;
    const message = await em.findOne(Message, { id: event.messageId, channelAccount: channelAccountId }, { populate: ['conversation', 'conversation.contact'] });
    let evidence = evidenceOf(message, event.externalId);
    if (evidence === 'settles') {
      const adopted = await em.nativeUpdate(Message, { id: message!.id, externalId: null }, { externalId: event.externalId, sendStartedAt: null });
      if (adopted === 1) {
        message!.externalId = event.externalId;
        message!.sendStartedAt = null;
        this.logger.log(`send of message ${message!.id} settled by a "${event.status}" status from the provider (${event.externalId})`);
        return message;
      }
      // Recorded meanwhile by the sender: decide again on what it recorded.
      await em.refresh(message!);
      evidence = evidenceOf(message, event.externalId);
    }
    if (evidence === 'another-copy') {
      this.logger.warn(`message ${message!.id} reached the provider twice: status "${event.status}" is for ${event.externalId}, the message is recorded as ${message!.externalId}`);
      return 'another-copy';
    }
    return evidence === 'known' ? message : null;
  }
}
