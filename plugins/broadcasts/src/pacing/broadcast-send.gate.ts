import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import type { ChannelError } from '@obrol/contracts';
import { type GatedSend, type SendGate, type SendGateVerdict, SendGates } from '@obrol/core';
import { BROADCAST_OPTIONS, type BroadcastOptions } from '../broadcast-options.js';
import { BroadcastEngine } from '../broadcasts/broadcast.engine.js';
import { Broadcast } from '../broadcasts/broadcast.entity.js';
import { RecipientMovesWriter } from '../broadcasts/recipient-moves.writer.js';
import { SendPaceStore } from './send-pace.store.js';
import { broadcastReasons } from '../broadcasts/broadcast-reason.js';
import { optedOut } from '../broadcasts/recipient.plan.js';

/**
 * How far ahead a batch of sends reserves the number's pace: its sends go at their moments
 * within this time (the send consumer waits them out, and asks `beforeDeparture` at each
 * slice's moment, so a pause holds the sends not yet on their way).
 */
const RESERVE_AHEAD_MS = 500;
/** A broadcast's state is read at most this often per process. */
const STATE_TTL_MS = 250;
/** Waits shorter than this are slept through in the sender; longer ones go back to the queue. */
const MAX_SLEEP_MS = 1_000;
/** Provider answers that mean "too fast": Obrol's codes for 130429, 131056 and 80007. */
const THROTTLING = new Set(['THROUGHPUT_EXCEEDED', 'PAIR_RATE_LIMITED', 'RATE_LIMITED']);
/** Failures no later send of the broadcast can escape: pause and tell why. */
const PAUSING = new Set(['TEMPLATE_NOT_APPROVED', 'TEMPLATE_NOT_FOUND', 'CHANNEL_AUTH_FAILED', 'CHANNEL_RESTRICTED']);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The broadcast engine's send gate, passed by the core's send consumer before each broadcast
 * message: it holds messages of a paused broadcast, refuses those of a cancelled one and those to
 * a customer who opted out since the audience was planned, and paces the rest with the number's
 * shared token bucket. After each send it slows the pace on throttling and pauses the broadcast
 * on failures that every later send would repeat, or when too many of its recent sends failed.
 */
@Injectable()
export class BroadcastSendGate implements SendGate, OnModuleInit {
  private readonly states = new Map<string, { at: number; status: Broadcast['status']; messagesPerSecond: number }>();
  private readonly outcomes = new Map<string, boolean[]>();

  constructor(
    private readonly orm: MikroORM,
    private readonly gates: SendGates,
    private readonly pace: SendPaceStore,
    private readonly engine: BroadcastEngine,
    private readonly moves: RecipientMovesWriter,
    @Inject(BROADCAST_OPTIONS) private readonly options: BroadcastOptions,
  ) {}

  onModuleInit(): void {
    this.gates.register(this);
  }

  async admit(send: GatedSend): Promise<SendGateVerdict> {
    if (!send.broadcastId) return { action: 'send' };
    const state = await this.stateOf(send.broadcastId);
    if (!state) return { action: 'send' };
    if (state.status !== 'running') return this.stopped(state.status);
    const optedOutAt = (await this.moves.optedOutOf(this.orm.em.fork(), [send.messageId])).get(send.messageId);
    if (optedOutAt) return this.refusedOptedOut(optedOutAt);
    let slept = 0;
    for (;;) {
      const taken = await this.pace.take(send.channelAccountId, state.messagesPerSecond);
      if (taken.granted) return { action: 'send' };
      if (slept + taken.waitMs > MAX_SLEEP_MS) return { action: 'wait', delayMs: taken.waitMs };
      await sleep(taken.waitMs);
      slept += taken.waitMs;
    }
  }

  /**
   * `admit` for a batch: one state read per broadcast and one take of the number's bucket per
   * broadcast for all its sends. Those beyond the tokens granted wait, a burst at a time, until
   * their tokens are due; the send consumer waits short waits out.
   */
  async admitMany(sends: GatedSend[]): Promise<SendGateVerdict[]> {
    const verdicts: SendGateVerdict[] = sends.map(() => ({ action: 'send' }));
    const byBroadcast = new Map<string, number[]>();
    sends.forEach((send, i) => {
      if (!send.broadcastId) return;
      const group = byBroadcast.get(send.broadcastId);
      if (group) group.push(i);
      else byBroadcast.set(send.broadcastId, [i]);
    });
    for (const [broadcastId, indexes] of byBroadcast) {
      const state = await this.stateOf(broadcastId);
      if (!state) continue;
      if (state.status !== 'running') {
        for (const i of indexes) verdicts[i] = this.stopped(state.status);
        continue;
      }
      // A broadcast sends from one number: one take for all its sends of the batch, reserving
      // the pace of the next moments, so each goes when the bucket would have let it go.
      const channelAccountId = sends[indexes[0]!]!.channelAccountId;
      const taken = await this.pace.takeUpTo(channelAccountId, state.messagesPerSecond, indexes.length, RESERVE_AHEAD_MS);
      // Reserved moments whose timers fire late still leave no faster than the number's pace.
      const pace = { key: channelAccountId, perSecond: state.messagesPerSecond };
      indexes.forEach((i, k) => {
        const due = taken.dueInMs[k];
        verdicts[i] = due === undefined ? { action: 'wait', delayMs: taken.waitMs } : { action: 'send', afterMs: due > 0 ? due : undefined, pace };
      });
    }
    return verdicts;
  }

  /**
   * Sends that waited for their moments are held (or refused) if their broadcast stopped
   * meanwhile: its state is read again, not taken from the cache, so a pause or cancel holds
   * every send not yet on its way, in whichever process it was made. A customer who opted out
   * since the audience was planned (a STOP while the broadcast runs, or during a pause) is
   * refused here, the last moment before the send leaves, and their recipient is suppressed.
   */
  async beforeDeparture(sends: GatedSend[]): Promise<SendGateVerdict[]> {
    const stopped = new Map<string, SendGateVerdict>();
    for (const broadcastId of new Set(sends.flatMap((s) => (s.broadcastId ? [s.broadcastId] : [])))) {
      const state = await this.stateOf(broadcastId, 0);
      if (state && state.status !== 'running') stopped.set(broadcastId, this.stopped(state.status));
    }
    const going = sends.filter((s) => s.broadcastId && !stopped.has(s.broadcastId)).map((s) => s.messageId);
    const optedOutAt = going.length ? await this.moves.optedOutOf(this.orm.em.fork(), going) : new Map<string, Date>();
    return sends.map((s) => {
      const stop = s.broadcastId && stopped.get(s.broadcastId);
      if (stop) return stop;
      const at = optedOutAt.get(s.messageId);
      return at ? this.refusedOptedOut(at) : { action: 'send' };
    });
  }

  /** The recipients move to sent in the transaction that records their messages as sent. */
  async acceptedMany(tx: EntityManager, sends: GatedSend[]): Promise<void> {
    const moves = sends.filter((s) => s.broadcastId).map((s) => ({ broadcastId: s.broadcastId!, messageId: s.messageId }));
    if (moves.length) await this.moves.queuedToSent(tx, moves);
  }

  /** The recipient moves to sent in the transaction that records the message as sent. */
  async accepted(tx: EntityManager, send: GatedSend): Promise<void> {
    if (send.broadcastId) await this.engine.moveQueuedToSent(tx, send.broadcastId, send.messageId);
  }

  async afterSend(send: GatedSend, error: ChannelError | null): Promise<void> {
    if (!send.broadcastId) return;
    if (error && THROTTLING.has(error.code)) {
      await this.pace.slowDown(send.channelAccountId);
      return;
    }
    if (error && PAUSING.has(error.code)) {
      await this.engine.pause(send.broadcastId, broadcastReasons.pausedOnError(error.code, error.message));
      this.states.delete(send.broadcastId);
      return;
    }
    // The provider's refusals count towards the failure rate, and so does WhatsApp out of reach
    // (every later send would wait for it too, and used up its retries); other retries are not
    // outcomes yet.
    if (error?.retryable && error.code !== 'CHANNEL_UNAVAILABLE') return;
    const window = this.outcomes.get(send.broadcastId) ?? [];
    window.push(!!error);
    if (window.length > this.options.failureWindow) window.shift();
    this.outcomes.set(send.broadcastId, window);
    const failed = window.filter(Boolean).length;
    if (window.length >= this.options.failureWindow && failed / window.length >= this.options.failureRateThreshold) {
      this.outcomes.delete(send.broadcastId);
      await this.engine.pause(send.broadcastId, broadcastReasons.pausedOnFailureRate(failed, window.length, error?.code ?? null, error?.message ?? null));
      this.states.delete(send.broadcastId);
    }
  }

  /** The verdict on a send of a broadcast that is not running: refused when cancelled, held otherwise. */
  private stopped(status: Broadcast['status']): SendGateVerdict {
    if (status === 'cancelled') {
      return { action: 'refuse', error: { code: 'BROADCAST_STATE_INVALID', message: 'Not sent: the broadcast was cancelled first.', retryable: false } };
    }
    return { action: 'hold' };
  }

  /** The verdict on a send to a customer who opted out at `at`: never sent (its recipient is suppressed, `BroadcastEngine.follow`). */
  private refusedOptedOut(at: Date): SendGateVerdict {
    const { params } = optedOut(at);
    return {
      action: 'refuse',
      error: { code: 'RECIPIENT_OPTED_OUT', message: `Not sent: the customer opted out on ${params.date}, before it went out.`, retryable: false, details: params },
    };
  }

  /**
   * Only a running state is taken from the cache: a hold or a refusal read from a stale cache
   * would strand a message that a resume had just queued again.
   */
  private async stateOf(broadcastId: string, maxAgeMs = STATE_TTL_MS) {
    const hit = this.states.get(broadcastId);
    const now = Date.now();
    if (hit && hit.status === 'running' && now - hit.at < maxAgeMs) return hit;
    const b = await this.orm.em.fork().findOne(Broadcast, broadcastId, { fields: ['status', 'messagesPerSecond'] });
    if (!b) return null;
    const state = { at: now, status: b.status, messagesPerSecond: b.messagesPerSecond };
    this.states.set(broadcastId, state);
    return state;
  }
}
