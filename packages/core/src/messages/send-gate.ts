import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/core';
import type { ChannelError } from '@obrol/contracts';
import type { DeparturePace } from './departure-windows.js';

/** The message a gate decides about: enough to find its owner without loading anything else. */
export interface GatedSend {
  messageId: string;
  tenantId: string;
  channelAccountId: string;
  /** Set when a broadcast created the message. */
  broadcastId: string | null;
}

/**
 * A gate's answer before a send:
 * - `send`: go ahead now, or (`afterMs`) no sooner than that long from now: the gate reserved
 *   the send a moment of its pace, and the consumer waits until then without asking again. With
 *   `pace`, no more than `pace.perSecond` sends of `pace.key` leave the consumer in any second,
 *   however late their moments' timers fire (`DepartureWindows`);
 * - `wait`: try again after `delayMs` (a pace, a window), nothing recorded;
 * - `hold`: do not send now and forget the command; the gate's owner queues the message again
 *   later (a paused broadcast), so no retry budget is spent while it waits;
 * - `refuse`: never send it; the message fails with `error` (a cancelled broadcast).
 */
export type SendGateVerdict = { action: 'send'; afterMs?: number; pace?: DeparturePace } | { action: 'wait'; delayMs: number } | { action: 'hold' } | { action: 'refuse'; error: ChannelError };

/** An extension point the send consumer passes before every provider call. */
export interface SendGate {
  admit(send: GatedSend): Promise<SendGateVerdict>;
  /**
   * The verdicts on a batch of sends, in order: what `admit` would answer for each, decided in
   * bulk (one state read per owner, one pace take for the lot). Optional: without it the batch
   * is asked one `admit` at a time. A `wait` of a few milliseconds is waited out by the sender.
   */
  admitMany?(sends: GatedSend[]): Promise<SendGateVerdict[]>;
  /**
   * Asked again, in bulk, for sends that waited for their reserved moments, just before their
   * attempts open: a pause or cancel since `admitMany` holds or refuses them (`send`, `hold` or
   * `refuse`). Optional: without it they go.
   */
  beforeDeparture?(sends: GatedSend[]): Promise<SendGateVerdict[]>;
  /** What the provider answered (`null` when it accepted the message), for pacing and auto-pause. */
  afterSend?(send: GatedSend, error: ChannelError | null): Promise<void> | void;
  /**
   * The provider accepted the message: the gate's own bookkeeping of it, written in `tx`, the
   * transaction that records the message as sent, so both commit or neither does.
   */
  accepted?(tx: EntityManager, send: GatedSend): Promise<void>;
  /** `accepted` for a batch of sends recorded together in `tx`. */
  acceptedMany?(tx: EntityManager, sends: GatedSend[]): Promise<void>;
}

/**
 * The gates registered by features (the broadcast engine paces its sends with one). With no
 * gate every send goes ahead, as before. The first verdict that is not `send` wins.
 */
@Injectable()
export class SendGates {
  private readonly gates: SendGate[] = [];

  register(gate: SendGate): void {
    this.gates.push(gate);
  }

  async admit(send: GatedSend): Promise<SendGateVerdict> {
    for (const gate of this.gates) {
      const verdict = await gate.admit(send);
      if (verdict.action !== 'send') return verdict;
    }
    return { action: 'send' };
  }

  /** Verdicts on a batch, in order: each send gets the first verdict that is not `send`. */
  async admitMany(sends: GatedSend[]): Promise<SendGateVerdict[]> {
    const verdicts: SendGateVerdict[] = sends.map(() => ({ action: 'send' }));
    for (const gate of this.gates) {
      const open = sends.map((send, i) => ({ send, i })).filter(({ i }) => verdicts[i]!.action === 'send');
      if (open.length === 0) break;
      const answers = gate.admitMany ? await gate.admitMany(open.map((o) => o.send)) : await this.oneByOne(gate, open.map((o) => o.send));
      open.forEach(({ i }, k) => {
        const answer = answers[k]!;
        // Two gates that both let a send go: it waits for the later of their moments, and keeps a pace either named.
        const before = verdicts[i] as Extract<SendGateVerdict, { action: 'send' }>;
        verdicts[i] =
          answer.action === 'send'
            ? { action: 'send', afterMs: Math.max(before.afterMs ?? 0, answer.afterMs ?? 0) || undefined, pace: answer.pace ?? before.pace }
            : answer;
      });
    }
    return verdicts;
  }

  /** `beforeDeparture` of every gate that has one: each send gets the first answer that is not `send`. */
  async beforeDeparture(sends: GatedSend[]): Promise<SendGateVerdict[]> {
    const verdicts: SendGateVerdict[] = sends.map(() => ({ action: 'send' }));
    for (const gate of this.gates) {
      if (!gate.beforeDeparture) continue;
      const open = sends.map((send, i) => ({ send, i })).filter(({ i }) => verdicts[i]!.action === 'send');
      if (open.length === 0) break;
      const answers = await gate.beforeDeparture(open.map((o) => o.send));
      open.forEach(({ i }, k) => (verdicts[i] = answers[k]!.action === 'send' ? verdicts[i]! : answers[k]!));
    }
    return verdicts;
  }

  async afterSend(send: GatedSend, error: ChannelError | null): Promise<void> {
    for (const gate of this.gates) await gate.afterSend?.(send, error);
  }

  async accepted(tx: EntityManager, send: GatedSend): Promise<void> {
    for (const gate of this.gates) await gate.accepted?.(tx, send);
  }

  async acceptedMany(tx: EntityManager, sends: GatedSend[]): Promise<void> {
    if (sends.length === 0) return;
    for (const gate of this.gates) {
      if (gate.acceptedMany) await gate.acceptedMany(tx, sends);
      else for (const send of sends) await gate.accepted?.(tx, send);
    }
  }

  private async oneByOne(gate: SendGate, sends: GatedSend[]): Promise<SendGateVerdict[]> {
    const verdicts: SendGateVerdict[] = [];
    for (const send of sends) verdicts.push(await gate.admit(send));
    return verdicts;
  }
}

/** What the gates are told about a message (an entity or a plain row). */
export function gatedOf(m: { id: string; tenantId: string; channelAccount: { id: string }; broadcastId: string | null }): GatedSend {
  return { messageId: m.id, tenantId: m.tenantId, channelAccountId: m.channelAccount.id, broadcastId: m.broadcastId };
}
