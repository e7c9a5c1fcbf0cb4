import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import type { ChannelError } from '@obrol/contracts';
import { type GatedSend, type SendGate, type SendGateVerdict, SendGates } from '@obrol/core';
import { BROADCAST_OPTIONS, type BroadcastOptions } from '../broadcast-options.js';
import { BroadcastEngine } from '../broadcasts/broadcast.engine.js';
import { Broadcast } from '../broadcasts/broadcast.entity.js';
import { SendPaceStore } from './send-pace.store.js';
import { broadcastReasons } from '../broadcasts/broadcast-reason.js';

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
 * message: it holds messages of a paused broadcast, refuses those of a cancelled one, and paces
 * the rest with the number's shared token bucket. After each send it slows the pace on
 * throttling and pauses the broadcast on failures that every later send would repeat, or when
 * too many of its recent sends failed.
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
    @Inject(BROADCAST_OPTIONS) private readonly options: BroadcastOptions,
  ) {}

  onModuleInit(): void {
    this.gates.register(this);
  }

  async admit(send: GatedSend): Promise<SendGateVerdict> {
    if (!send.broadcastId) return { action: 'send' };
    const state = await this.stateOf(send.broadcastId);
    if (!state) return { action: 'send' };
    if (state.status === 'cancelled') {
      return { action: 'refuse', error: { code: 'BROADCAST_STATE_INVALID', message: 'Not sent: the broadcast was cancelled first.', retryable: false } };
    }
    if (state.status !== 'running') return { action: 'hold' };
    let slept = 0;
    for (;;) {
      const taken = await this.pace.take(send.channelAccountId, state.messagesPerSecond);
      if (taken.granted) return { action: 'send' };
      if (slept + taken.waitMs > MAX_SLEEP_MS) return { action: 'wait', delayMs: taken.waitMs };
      await sleep(taken.waitMs);
      slept += taken.waitMs;
    }
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
    // Only the provider's refusals count towards the failure rate; retries are not outcomes yet.
    if (error?.retryable) return;
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

  /**
   * Only a running state is taken from the cache: a hold or a refusal read from a stale cache
   * would strand a message that a resume had just queued again.
   */
  private async stateOf(broadcastId: string) {
    const hit = this.states.get(broadcastId);
    const now = Date.now();
    if (hit && hit.status === 'running' && now - hit.at < STATE_TTL_MS) return hit;
    const b = await this.orm.em.fork().findOne(Broadcast, broadcastId, { fields: ['status', 'messagesPerSecond'] });
    if (!b) return null;
    const state = { at: now, status: b.status, messagesPerSecond: b.messagesPerSecond };
    this.states.set(broadcastId, state);
    return state;
  }
}
