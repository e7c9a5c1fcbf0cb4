import { Inject, Injectable, Logger } from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import { type ChannelError, type Clock, type MessageContent, type SendCommand, commands, facts, liveEvents, subjects } from '@obrol/contracts';
import type { DeliveredMessage, HandlerOutcome } from '../bus/event-bus.js';
import { ChannelsService, type ResolvedAccount } from '../channels/channels.service.js';
import { MediaService } from '../media/media.service.js';
import { CLOCK } from '../clock/clock.token.js';
import { recordEvent } from '../outbox/outbox.js';
import { OnCommand } from '../work/declared-work.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { applyStatus } from './message-status.js';
import { Message } from './message.entity.js';
import { messageView } from './message.view.js';
import { SendAttempts } from './send-attempts.service.js';
import { type GatedSend, SendGates } from './send-gate.js';

/** Give up on retryable failures after this many attempts. */
export const MAX_SEND_ATTEMPTS = 6;
const BACKOFF_MS = [1_000, 4_000, 15_000, 60_000, 240_000];

/**
 * Handles `cmd.<t>.send.<channel>`: hands a stored message to its channel plugin. Idempotent:
 * a message that is no longer `queued` was handled by an earlier delivery of the command.
 */
@Injectable()
export class SendConsumer {
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

  @OnCommand({ durableName: 'core-send', subjects: [subjects.all.sends], concurrency: 8 })
  readonly handle = async ({ data }: DeliveredMessage<SendCommand>): Promise<HandlerOutcome> => {
    const em = this.orm.em.fork();
    // The channel account is only referenced (its id): `channels.resolve` keeps it, decrypted, in its cache.
    const message = await em.findOne(Message, data.messageId, { populate: ['conversation', 'conversation.contact'] });
    if (!message) return { action: 'drop', reason: `message ${data.messageId} does not exist` };
    if (message.status !== 'queued') return { action: 'ack' };
    // Re-queued after every attempt was used (a stranded sweep, a resend after doubt): give up as the cap says.
    if (message.sendAttempts >= MAX_SEND_ATTEMPTS) return this.giveUp(em, message);
    const gated: GatedSend = { messageId: message.id, tenantId: message.tenantId, channelAccountId: message.channelAccount.id, broadcastId: message.broadcastId };
    const verdict = await this.gates.admit(gated);
    if (verdict.action === 'wait') return { action: 'retry', delayMs: verdict.delayMs };
    if (verdict.action === 'hold') return { action: 'ack' };
    if (verdict.action === 'refuse') return this.giveUp(em, message, verdict.error);
    // Record the attempt before calling the provider: a redelivered or re-queued command loses
    // here, and so does any command while an earlier attempt is in doubt.
    if (!(await this.attempts.open(message))) return { action: 'ack' };
    const resolved = await this.channels.resolve(message.channelAccount.id);
    const contact = message.conversation.contact;
    const uploadError = await this.uploadMedia(message, resolved);
    if (uploadError) return this.settle(em, await this.tenants.slugOf(message.tenantId), message, uploadError);
    const result = await resolved.plugin.send(
      {
        messageId: message.id,
        to: { externalId: contact.externalId, phone: contact.phone ?? undefined, name: contact.name ?? undefined },
        content: message.content,
        replyToExternalId: message.replyToExternalId ?? undefined,
      },
      message.idempotencyKey ?? `msg-${message.id}`,
      resolved.context,
    );
    await this.gates.afterSend(gated, result.ok ? null : result.error);
    const tenant = await this.tenants.slugOf(message.tenantId);
    const now = this.clock.now();
    if (result.ok) {
      await this.attempts.close(em, message, async (tx) => {
        message.externalId = result.value.externalId;
        applyStatus(message, 'sent', null);
        this.record(tx, tenant, now, message, 'sent');
        // Written first, so the gates' writes come last: a broadcast's counters are one row every
        // send updates, and its lock is then held only until the commit.
        await tx.flush();
        await this.gates.accepted(tx, gated);
      });
      return { action: 'ack' };
    }
    return this.settle(em, tenant, message, result.error);
  };

  /** Retry a retryable failure later, or record the message as failed. */
  private async settle(em: EntityManager, tenant: string, message: Message, error: ChannelError): Promise<HandlerOutcome> {
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
  private async giveUp(em: EntityManager, message: Message, refusal?: ChannelError): Promise<HandlerOutcome> {
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

  /**
   * Re-queues sends stranded by a crash (the in-process bus keeps nothing across a restart).
   * Only messages untouched for `olderThanMs` with no attempt open: an open one is in doubt
   * and waits for `InDoubtSendReconciler`.
   */
  async requeueStranded(olderThanMs: number): Promise<number> {
    const em = this.orm.em.fork();
    const now = this.clock.now();
    const stranded = await em.find(
      Message,
      { status: 'queued', direction: 'outbound', sendStartedAt: null, updatedAt: { $lte: new Date(now.getTime() - olderThanMs) } },
      { populate: ['channelAccount'], limit: 1000 },
    );
    for (const message of stranded) {
      const tenant = await this.tenants.slugOf(message.tenantId);
      recordEvent(em, tenant, now, commands.send(tenant, message.channelAccount.pluginId, { messageId: message.id, channelAccountId: message.channelAccount.id, conversationId: message.conversation.id, attempt: message.sendAttempts + 1 }));
      message.updatedAt = now;
    }
    await em.flush();
    if (stranded.length) this.logger.warn(`re-queued ${stranded.length} stranded send(s)`);
    return stranded.length;
  }

  private fail(message: Message, error: ChannelError): void {
    applyStatus(message, 'failed', error);
  }

  private record(em: EntityManager, tenant: string, now: Date, message: Message, event: 'sent' | 'status'): void {
    const view = messageView(message);
    const ref = { conversationId: message.conversation.id, channelAccountId: message.channelAccount.id, contactId: message.conversation.contact.id };
    const fact = event === 'sent' ? facts.messageSent : facts.messageStatus;
    recordEvent(em, tenant, now, fact(tenant, { ...ref, message: view }), liveEvents.messageUpdated(tenant, { channelAccountId: ref.channelAccountId, conversationId: ref.conversationId, data: { message: view } }));
  }
}
