import { Inject, Injectable, Logger } from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import { type ChannelError, type Clock, type MessageContent, type SendCommand } from '@obrol/contracts';
import type { HandlerOutcome } from '../bus/event-bus.js';
import { ChannelsService, type ResolvedAccount } from '../channels/channels.service.js';
import { CLOCK } from '../clock/clock.token.js';
import { MediaService } from '../media/media.service.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { applyStatus } from './message-status.js';
import { Message } from './message.entity.js';
import { sendFactOf } from './send.facts.js';
import { outboxEntity } from '../outbox/outbox.js';
import { SendAttempts } from './send-attempts.service.js';
import { SendGates, gatedOf } from './send-gate.js';
import { callProvider } from './provider-call.js';

/** Give up on retryable failures after this many attempts. */
export const MAX_SEND_ATTEMPTS = 6;
const BACKOFF_MS = [1_000, 4_000, 15_000, 60_000, 240_000];

/**
 * One send command on its own, through the unit of work: the send path before batches, kept for
 * what a batch hands over — media to upload first, attempts used up, a gate's refusal, a
 * provider's failure or retry, a batch whose recording failed (ADR 0026).
 */
@Injectable()
export class SingleSendHandler {
  private readonly logger = new Logger('SendConsumer');

  constructor(
    private readonly orm: MikroORM,
    private readonly channels: ChannelsService,
    private readonly tenants: TenantsService,
    private readonly media: MediaService,
    private readonly attempts: SendAttempts,
    private readonly gates: SendGates,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** One command on its own. */
  async send(data: SendCommand): Promise<HandlerOutcome> {
    const em = this.orm.em.fork();
    // The channel account is only referenced (its id): `channels.resolve` keeps it, decrypted, in its cache.
    const message = await em.findOne(Message, data.messageId, { populate: ['conversation', 'conversation.contact'] });
    if (!message) return { action: 'drop', reason: `message ${data.messageId} does not exist` };
    if (message.status !== 'queued') return { action: 'ack' };
    // Re-queued after every attempt was used (a stranded sweep, a resend after doubt): give up as the cap says.
    if (message.sendAttempts >= MAX_SEND_ATTEMPTS) return this.giveUp(em, message);
    const gated = gatedOf(message);
    const verdict = await this.gates.admit(gated);
    if (verdict.action === 'wait') return { action: 'retry', delayMs: verdict.delayMs };
    if (verdict.action === 'hold') return { action: 'ack' };
    if (verdict.action === 'refuse') return this.giveUp(em, message, verdict.error);
    // Record the attempt before calling the provider: a redelivered or re-queued command loses
    // here, and so does any command while an earlier attempt is in doubt.
    if (!(await this.attempts.open(message))) return { action: 'ack' };
    const resolved = await this.channels.resolve(message.channelAccount.id);
    const uploadError = await this.uploadMedia(message, resolved);
    if (uploadError) return this.settle(em, message, uploadError);
    const result = await callProvider(resolved, message);
    await this.gates.afterSend(gated, result.ok ? null : result.error);
    if (result.ok) return this.recordSent(em, message, result.value.externalId);
    return this.settle(em, message, result.error);
  }

  /** Records one accepted send with the gates' bookkeeping, unless its attempt was settled meanwhile. */
  async recordSent(em: EntityManager, message: Message, externalId: string): Promise<HandlerOutcome> {
    const tenant = await this.tenants.slugOf(message.tenantId);
    const now = this.clock.now();
    await this.attempts.close(em, message, async (tx) => {
      message.externalId = externalId;
      applyStatus(message, 'sent', null);
      this.record(tx, tenant, now, message, 'sent');
      // Written first, so the gates' writes come last: a broadcast's counters are one row every
      // send updates, and its lock is then held only until the commit.
      await tx.flush();
      await this.gates.accepted(tx, gatedOf(message));
    });
    return { action: 'ack' };
  }

  /** Retry a retryable failure later, or record the message as failed. */
  async settle(em: EntityManager, message: Message, error: ChannelError): Promise<HandlerOutcome> {
    const tenant = await this.tenants.slugOf(message.tenantId);
    const now = this.clock.now();
    if (error.retryable && message.sendAttempts < MAX_SEND_ATTEMPTS) {
      // Settled meanwhile (a status echoing our id): nothing left to retry.
      if (!(await this.attempts.close(em, message, () => undefined))) return { action: 'ack' };
      const delayMs = Math.max(error.retryAfterMs ?? 0, BACKOFF_MS[Math.min(message.sendAttempts - 1, BACKOFF_MS.length - 1)]!);
      this.logger.warn(`send of ${message.id} failed (${error.code}), retrying in ${delayMs} ms`);
      return { action: 'retry', delayMs };
    }
    await this.attempts.close(em, message, (tx) => {
      this.fail(message, error);
      this.record(tx, tenant, now, message, 'status');
    });
    return { action: 'ack' };
  }

  /**
   * Marks a queued message as failed, unless another delivery got to it first: its attempts
   * are used up, or a send gate refused it (`refusal`).
   */
  async giveUp(em: EntityManager, message: Message, refusal?: ChannelError): Promise<HandlerOutcome> {
    const tenant = await this.tenants.slugOf(message.tenantId);
    const now = this.clock.now();
    const error: ChannelError = refusal ?? { ...(message.error ?? { code: 'CHANNEL_ERROR', message: `Not sent after ${message.sendAttempts} attempts.` }), retryable: false };
    await em.transactional(async (tx) => {
      const claimed = await tx.nativeUpdate(Message, { id: message.id, status: 'queued', sendStartedAt: null, sendAttempts: message.sendAttempts }, { updatedAt: now });
      if (claimed === 0) return;
      this.fail(message, error);
      this.record(tx, tenant, now, message, 'status');
    });
    return { action: 'ack' };
  }

  /**
   * Media stored in Obrol (`media.mediaId`) is uploaded to the provider first, once: the
   * provider's id is kept in the message so a retry does not upload again. Returns the error
   * when the upload failed.
   */
  private async uploadMedia(message: Message, resolved: ResolvedAccount): Promise<ChannelError | null> {
    const content = message.content;
    const media = 'media' in content ? content.media : undefined;
    if (!media?.mediaId || media.providerMediaId || media.url) return null;
    const upload = resolved.plugin.media?.upload;
    if (!upload) return { code: 'CONTENT_NOT_SUPPORTED', message: `The ${resolved.plugin.displayName} channel cannot upload media.`, retryable: false };
    const file = await this.media.read(media.mediaId, message.channelAccount.id);
    if (!file) return { code: 'MEDIA_NOT_FOUND', message: `The file ${media.mediaId} is not stored for this channel account.`, retryable: false };
    const { media: stored, bytes } = file;
    const result = await upload({ bytes, mimeType: stored.mimeType, filename: stored.filename ?? undefined }, resolved.context);
    if (!result.ok) return result.error;
    message.content = { ...content, media: { ...media, providerMediaId: result.value.providerMediaId } } as MessageContent;
    return null;
  }

  private fail(message: Message, error: ChannelError): void {
    applyStatus(message, 'failed', error);
  }

  private record(em: EntityManager, tenant: string, now: Date, message: Message, event: 'sent' | 'status'): void {
    em.persist(outboxEntity(sendFactOf(tenant, now, message, event)));
  }
}
