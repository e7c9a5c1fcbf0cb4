import { Inject, Injectable, Logger } from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import { type ChannelError, type Clock, type MessageContent, type SendCommand, commands, facts, liveEvents, subjects } from '@obrol/contracts';
import type { DeliveredMessage, HandlerOutcome } from '../bus/event-bus.js';
import { ChannelsService, type ResolvedAccount } from '../channels/channels.service.js';
import { MediaService } from '../media/media.service.js';
import { CLOCK } from '../clock/clock.token.js';
import type { OutboxEvent } from '../outbox/outbox-event.entity.js';
import { outboxRow, recordEvent } from '../outbox/outbox.js';
import { OutboxWriter } from '../outbox/outbox.writer.js';
import { OnCommand } from '../work/declared-work.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { applyStatus } from './message-status.js';
import { Message } from './message.entity.js';
import { type MessageViewSource, messageView } from './message.view.js';
import { type QueuedSend, SendBatchWriter } from './send-batch.writer.js';
import { SendAttempts } from './send-attempts.service.js';
import { type GatedSend, SendGates } from './send-gate.js';

/** Give up on retryable failures after this many attempts. */
export const MAX_SEND_ATTEMPTS = 6;
const BACKOFF_MS = [1_000, 4_000, 15_000, 60_000, 240_000];
/** Send commands the bus hands the consumer at once: the batches are made of them. */
const IN_FLIGHT = 256;
/** A gate's waits, summed, up to this long are waited out in process; a longer one goes back to the bus. */
const MAX_WAIT_IN_PROCESS_MS = 1_000;

/** A send command waiting for its batch, and the bus's delivery waiting for its outcome. */
interface PendingSend {
  command: SendCommand;
  /** The message, when an earlier batch loaded it and a gate made it wait. */
  loaded: QueuedSend | null;
  waitedMs: number;
  done: boolean;
  resolve(outcome: HandlerOutcome): void;
  reject(error: unknown): void;
}

/** A command of a batch with its message. */
interface Candidate {
  pending: PendingSend;
  send: QueuedSend;
}

/**
 * Handles `cmd.<t>.send.<channel>`: hands a stored message to its channel plugin. Idempotent:
 * a message that is no longer `queued` was handled by an earlier delivery of the command.
 *
 * Group commit (ADR 0026): the bus keeps one command per message (acks, retries, redelivery
 * and the in-doubt rules stay per message), but the commands that arrive in the same turn are
 * sent as one batch: one select loads them, the gates decide in bulk, one update opens their
 * attempts, the provider calls run side by side, and one transaction records the accepted
 * ones. Anything unusual (media to upload, attempts used up, a refusal, a provider failure)
 * takes the one-message path, `sendAlone`.
 */
@Injectable()
export class SendConsumer {
  private readonly logger = new Logger('SendConsumer');
  private readonly pending: PendingSend[] = [];
  private draining = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly channels: ChannelsService,
    private readonly tenants: TenantsService,
    private readonly media: MediaService,
    private readonly attempts: SendAttempts,
    private readonly gates: SendGates,
    private readonly batches: SendBatchWriter,
    private readonly outbox: OutboxWriter,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @OnCommand({ durableName: 'core-send', subjects: [subjects.all.sends], concurrency: IN_FLIGHT })
  readonly handle = ({ data }: DeliveredMessage<SendCommand>): Promise<HandlerOutcome> =>
    new Promise<HandlerOutcome>((resolve, reject) => this.queue({ command: data, loaded: null, waitedMs: 0, done: false, resolve, reject }));

  private queue(pending: PendingSend): void {
    this.pending.push(pending);
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => {
      this.draining = false;
      while (this.pending.length > 0) void this.sendBatch(this.pending.splice(0, IN_FLIGHT));
    });
  }

  /** Sends a batch of commands; every one of them gets its outcome, whatever fails. */
  private async sendBatch(batch: PendingSend[]): Promise<void> {
    let winners: Candidate[];
    try {
      const admitted = await this.admit(batch);
      const won = new Set((await this.batches.openAttempts(this.orm.em.fork(), admitted.map((c) => c.send), this.clock.now())).map((s) => s.id));
      winners = admitted.filter((c) => won.has(c.send.id));
      // Lost to another delivery, or an earlier attempt is in doubt: not ours to send, as alone.
      for (const c of admitted) if (!won.has(c.send.id)) finish(c.pending, { action: 'ack' });
    } catch (error) {
      // Nothing was sent: each command goes its own way, as before batches.
      this.logger.warn(`send batch of ${batch.length} failed before sending, sending one by one: ${(error as Error).message}`);
      for (const pending of batch) if (!pending.done) this.alone(pending);
      return;
    }
    const accepted = await this.callProviders(winners);
    await this.recordAccepted(accepted);
  }

  /**
   * Loads the batch's messages (those not loaded already) and asks the gates. Returns the
   * commands to send; the others got their outcome.
   */
  private async admit(batch: PendingSend[]): Promise<Candidate[]> {
    const unloaded = batch.filter((p) => !p.loaded).map((p) => p.command.messageId);
    const rows = unloaded.length ? await this.batches.load(this.orm.em.fork(), unloaded) : new Map<string, QueuedSend>();
    const candidates: Candidate[] = [];
    const seen = new Set<string>();
    for (const pending of batch) {
      const send = pending.loaded ?? rows.get(pending.command.messageId);
      if (!send) finish(pending, { action: 'drop', reason: `message ${pending.command.messageId} does not exist` });
      // A second command for a message of this batch loses to the first, as it would on the database.
      else if (send.status !== 'queued' || seen.has(send.id)) finish(pending, { action: 'ack' });
      else if (send.sendAttempts >= MAX_SEND_ATTEMPTS || needsUpload(send.content)) this.alone(pending);
      else candidates.push({ pending, send });
      if (send) seen.add(send.id);
    }
    if (candidates.length === 0) return [];
    const verdicts = await this.gates.admitMany(candidates.map((c) => gatedOf(c.send)));
    const admitted: Candidate[] = [];
    candidates.forEach((c, i) => {
      const verdict = verdicts[i]!;
      if (verdict.action === 'send') admitted.push(c);
      else if (verdict.action === 'wait') this.waitOrRetry(c, verdict.delayMs);
      else if (verdict.action === 'hold') finish(c.pending, { action: 'ack' });
      else this.settleWith(c.pending, (em, message) => this.giveUp(em, message, verdict.error), c.send.id);
    });
    return admitted;
  }

  /** A short wait is waited here and the command joins a later batch; a long one goes back to the bus. */
  private waitOrRetry({ pending, send }: Candidate, delayMs: number): void {
    if (pending.waitedMs + delayMs > MAX_WAIT_IN_PROCESS_MS) {
      finish(pending, { action: 'retry', delayMs });
      return;
    }
    pending.done = true;
    const again: PendingSend = { ...pending, loaded: send, waitedMs: pending.waitedMs + delayMs, done: false };
    setTimeout(() => this.queue(again), delayMs);
  }

  /**
   * Calls the provider for every winner at once. Failures take the one-message path; a call
   * that throws leaves its attempt open (in doubt), as it did alone. Returns the accepted sends.
   */
  private async callProviders(winners: Candidate[]): Promise<{ candidate: Candidate; externalId: string }[]> {
    const outcomes = await Promise.all(
      winners.map(async (candidate) => {
        try {
          return { candidate, result: await this.callProvider(candidate.send) };
        } catch (error) {
          candidate.pending.done = true;
          candidate.pending.reject(error);
          return null;
        }
      }),
    );
    const accepted: { candidate: Candidate; externalId: string }[] = [];
    for (const outcome of outcomes) {
      if (!outcome) continue;
      const { candidate, result } = outcome;
      try {
        await this.gates.afterSend(gatedOf(candidate.send), result.ok ? null : result.error);
      } catch (error) {
        candidate.pending.done = true;
        candidate.pending.reject(error);
        continue;
      }
      if (result.ok) accepted.push({ candidate, externalId: result.value.externalId });
      else this.settleWith(candidate.pending, async (em, message) => this.settle(em, await this.tenants.slugOf(message.tenantId), message, result.error), candidate.send.id);
    }
    return accepted;
  }

  private async callProvider(send: QueuedSend) {
    const resolved = await this.channels.resolve(send.channelAccount.id);
    const contact = send.conversation.contact;
    return resolved.plugin.send(
      {
        messageId: send.id,
        to: { externalId: contact.externalId, phone: contact.phone ?? undefined, name: contact.name ?? undefined },
        content: send.content,
        replyToExternalId: send.replyToExternalId ?? undefined,
      },
      send.idempotencyKey ?? `msg-${send.id}`,
      resolved.context,
    );
  }

  /**
   * One transaction records the accepted sends: the messages as sent (closing their attempts),
   * their facts, and the gates' bookkeeping (a broadcast's counters are one row every send
   * updates: written last, so its lock is held only until the commit). When it fails, each is
   * recorded alone.
   */
  private async recordAccepted(accepted: { candidate: Candidate; externalId: string }[]): Promise<void> {
    if (accepted.length === 0) return;
    try {
      const slugs = new Map<string, string>();
      for (const { candidate } of accepted) slugs.set(candidate.send.tenantId, await this.tenants.slugOf(candidate.send.tenantId));
      const now = this.clock.now();
      await this.orm.em.fork().transactional(async (tx) => {
        const recorded = await this.batches.recordSent(tx, accepted.map(({ candidate, externalId }) => ({ send: candidate.send, externalId })));
        await this.outbox.insert(tx, recorded.map((send) => this.factOf(slugs.get(send.tenantId)!, now, send, 'sent')));
        await this.gates.acceptedMany(tx, recorded.map(gatedOf));
      });
      for (const { candidate } of accepted) finish(candidate.pending, { action: 'ack' });
    } catch (error) {
      this.logger.warn(`recording ${accepted.length} sent message(s) together failed, recording one by one: ${(error as Error).message}`);
      for (const { candidate, externalId } of accepted) this.settleWith(candidate.pending, (em, message) => this.recordSentAlone(em, message, externalId), candidate.send.id);
    }
  }

  /** The outcome of one command of a batch, decided on the message's entity (the rare paths). */
  private settleWith(pending: PendingSend, decide: (em: EntityManager, message: Message) => Promise<HandlerOutcome>, messageId: string): void {
    pending.done = true;
    const em = this.orm.em.fork();
    void em
      .findOne(Message, messageId, { populate: ['conversation', 'conversation.contact'] })
      .then((message) => (message ? decide(em, message) : { action: 'ack' as const }))
      .then(pending.resolve, pending.reject);
  }

  /** The command goes the one-message path. */
  private alone(pending: PendingSend): void {
    pending.done = true;
    this.sendAlone(pending.command).then(pending.resolve, pending.reject);
  }

  /** One command on its own, through the unit of work: the path of the rare cases. */
  private async sendAlone(data: SendCommand): Promise<HandlerOutcome> {
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
    if (result.ok) return this.recordSentAlone(em, message, result.value.externalId);
    return this.settle(em, await this.tenants.slugOf(message.tenantId), message, result.error);
  }

  /** Records one accepted send with the gates' bookkeeping, unless its attempt was settled meanwhile. */
  private async recordSentAlone(em: EntityManager, message: Message, externalId: string): Promise<HandlerOutcome> {
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
    em.persist(this.factOf(tenant, now, message, event));
  }

  /** The outbox row of a message's `sent` or `status` fact, with its live update. */
  private factOf(tenant: string, now: Date, message: MessageViewSource & { conversation: { contact: { id: string } } }, event: 'sent' | 'status'): OutboxEvent {
    const view = messageView(message);
    const ref = { conversationId: message.conversation.id, channelAccountId: message.channelAccount.id, contactId: message.conversation.contact.id };
    const fact = event === 'sent' ? facts.messageSent : facts.messageStatus;
    return outboxRow(tenant, now, fact(tenant, { ...ref, message: view }), liveEvents.messageUpdated(tenant, { channelAccountId: ref.channelAccountId, conversationId: ref.conversationId, data: { message: view } }));
  }
}

/** What the gates are told about a message. */
function gatedOf(m: { id: string; tenantId: string; channelAccount: { id: string }; broadcastId: string | null }): GatedSend {
  return { messageId: m.id, tenantId: m.tenantId, channelAccountId: m.channelAccount.id, broadcastId: m.broadcastId };
}

/** Media stored in Obrol and not yet uploaded to the provider: the one-message path uploads it first. */
function needsUpload(content: MessageContent): boolean {
  const media = 'media' in content ? content.media : undefined;
  return !!media?.mediaId && !media.providerMediaId && !media.url;
}

function finish(pending: PendingSend, outcome: HandlerOutcome): void {
  if (pending.done) return;
  pending.done = true;
  pending.resolve(outcome);
}
