import { Inject, Injectable, Logger } from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import { type Clock, type MessageContent, type SendCommand, commands, subjects } from '@obrol/contracts';
import type { DeliveredMessage, HandlerOutcome } from '../bus/event-bus.js';
import { ChannelsService } from '../channels/channels.service.js';
import { CLOCK } from '../clock/clock.token.js';
import { recordEvent } from '../outbox/outbox.js';
import { OutboxWriter } from '../outbox/outbox.writer.js';
import { OnCommand } from '../work/declared-work.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { Message } from './message.entity.js';
import { DepartureWindows, type DeparturePace } from './departure-windows.js';
import { type QueuedSend, SendBatchWriter } from './send-batch.writer.js';
import { SendGates, type SendGateVerdict, gatedOf } from './send-gate.js';
import { callProvider } from './provider-call.js';
import { sendFactOf } from './send.facts.js';
import { MAX_SEND_ATTEMPTS, SingleSendHandler } from './single-send.handler.js';

/**
 * Send commands the bus hands one process's consumer at once: the batches are made of them. A
 * command waiting for its moment of a number's pace holds its slot, so features that queue sends
 * ahead of their pace (a broadcast) keep what they queue well under this (`SEND_SLOTS`), or a
 * command queued behind theirs (an agent's reply, another number's sends) waits for a slot.
 */
export const SEND_SLOTS = 4096;
const IN_FLIGHT = SEND_SLOTS;
/** Sends of a batch whose reserved moments fall within this long of each other are recorded together. */
const RECORD_SLICE_MS = 50;
/**
 * A slice is opened (gates asked again, attempts opened) this long before its first moment, so
 * those round trips to the database are done when the moment comes: a send leaves at its moment,
 * not a round trip or two later, by however long the database took under load.
 */
const OPEN_AHEAD_MS = 100;
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
  /** When a gate reserved the send a moment of its pace: not before this (`performance.now()`). */
  notBefore?: number;
  /** The pace a gate named: the send also waits for room in its window (`DepartureWindows`). */
  pace?: DeparturePace;
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
 * takes the one-message path, `SingleSendHandler`.
 */
@Injectable()
export class SendConsumer {
  private readonly logger = new Logger('SendConsumer');
  private readonly pending: PendingSend[] = [];
  private readonly departures = new DepartureWindows();
  private draining = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly channels: ChannelsService,
    private readonly tenants: TenantsService,
    private readonly gates: SendGates,
    private readonly batches: SendBatchWriter,
    private readonly single: SingleSendHandler,
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
    let admitted: Candidate[];
    try {
      admitted = await this.admit(batch);
    } catch (error) {
      this.oneByOne(batch, error);
      return;
    }
    // Sends the gate reserved later moments for go in slices of the pace, each opened just before
    // its moment and recorded as soon as its calls are answered: a pause since the batch was admitted
    // holds the slices still waiting, and a send stays unrecorded (in doubt) for moments, not for
    // the whole batch, so its provider's statuses find it recorded.
    await Promise.all(slicesOf(admitted, RECORD_SLICE_MS).map(async (slice) => this.recordAccepted(await this.callProviders(await this.open(slice)))));
  }

  /** Nothing was sent: each command goes its own way, as before batches. */
  private oneByOne(pendings: PendingSend[], error: unknown): void {
    this.logger.warn(`send batch of ${pendings.length} failed before sending, sending one by one: ${(error as Error).message}`);
    for (const pending of pendings) if (!pending.done) this.alone(pending);
  }

  /**
   * Just before the slice's first moment (`OPEN_AHEAD_MS`), asks the gates again (a broadcast
   * paused or cancelled meanwhile holds or refuses its sends) and opens the attempts of the rest.
   * Returns the sends it won.
   */
  private async open(slice: Candidate[]): Promise<Candidate[]> {
    await until((slice[0]?.notBefore ?? 0) - OPEN_AHEAD_MS);
    try {
      const verdicts = await this.gates.beforeDeparture(slice.map((c) => gatedOf(c.send)));
      const going: Candidate[] = [];
      slice.forEach((c, i) => {
        const verdict = verdicts[i]!;
        if (verdict.action === 'send') going.push(c);
        else this.notSent(c, verdict);
      });
      const won = new Set((await this.batches.openAttempts(this.orm.em.fork(), going.map((c) => c.send), this.clock.now())).map((s) => s.id));
      // Lost to another delivery, or an earlier attempt is in doubt: not ours to send, as alone.
      for (const c of going) if (!won.has(c.send.id)) finish(c.pending, { action: 'ack' });
      return going.filter((c) => won.has(c.send.id));
    } catch (error) {
      this.oneByOne(slice.map((c) => c.pending), error);
      return [];
    }
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
      if (verdict.action === 'send') admitted.push({ ...c, notBefore: verdict.afterMs ? performance.now() + verdict.afterMs : undefined, pace: verdict.pace });
      else this.notSent(c, verdict);
    });
    return admitted;
  }

  /** A gate's verdict other than `send`: wait and ask again, forget it (held: its owner queues it again), or fail it. */
  private notSent(c: Candidate, verdict: Exclude<SendGateVerdict, { action: 'send' }>): void {
    if (verdict.action === 'wait') this.waitOrRetry(c, verdict.delayMs);
    else if (verdict.action === 'hold') finish(c.pending, { action: 'ack' });
    else this.settleWith(c.pending, (em, message) => this.single.giveUp(em, message, verdict.error), c.send.id);
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
          // A send the gate reserved a moment for goes at that moment, not before.
          await until(candidate.notBefore ?? 0);
          // Moments whose timers fired late, together, leave no faster than their pace.
          if (candidate.pace) await this.departures.turn(candidate.pace);
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
      else this.settleWith(candidate.pending, (em, message) => this.single.settle(em, message, result.error), candidate.send.id);
    }
    return accepted;
  }

  private async callProvider(send: QueuedSend) {
    return callProvider(await this.channels.resolve(send.channelAccount.id), send);
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
        await this.outbox.insert(tx, recorded.map((send) => sendFactOf(slugs.get(send.tenantId)!, now, send, 'sent')));
        await this.gates.acceptedMany(tx, recorded.map(gatedOf));
      });
      for (const { candidate } of accepted) finish(candidate.pending, { action: 'ack' });
    } catch (error) {
      this.logger.warn(`recording ${accepted.length} sent message(s) together failed, recording one by one: ${(error as Error).message}`);
      for (const { candidate, externalId } of accepted) this.settleWith(candidate.pending, (em, message) => this.single.recordSent(em, message, externalId), candidate.send.id);
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
    this.single.send(pending.command).then(pending.resolve, pending.reject);
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
}

/** Media stored in Obrol and not yet uploaded to the provider: the one-message path uploads it first. */
function needsUpload(content: MessageContent): boolean {
  const media = 'media' in content ? content.media : undefined;
  return !!media?.mediaId && !media.providerMediaId && !media.url;
}

/** Resolves at `at` (`performance.now()` time), at once when that is past. */
async function until(at: number): Promise<void> {
  const early = at - performance.now();
  if (early > 0) await new Promise((resolve) => setTimeout(resolve, early));
}

function finish(pending: PendingSend, outcome: HandlerOutcome): void {
  if (pending.done) return;
  pending.done = true;
  pending.resolve(outcome);
}

/** The candidates in order of their moments, cut wherever a moment is `sliceMs` or more after its slice's first. */
function slicesOf(candidates: Candidate[], sliceMs: number): Candidate[][] {
  const slices: Candidate[][] = [];
  let start = Number.NEGATIVE_INFINITY;
  for (const c of [...candidates].sort((a, b) => (a.notBefore ?? 0) - (b.notBefore ?? 0))) {
    const at = c.notBefore ?? 0;
    if (at - start >= sliceMs || slices.length === 0) {
      slices.push([]);
      start = at;
    }
    slices.at(-1)!.push(c);
  }
  return slices;
}
