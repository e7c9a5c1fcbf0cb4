import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/core';
import type { ChannelError } from '@obrol/contracts';

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
 * - `send`: go ahead now;
 * - `wait`: try again after `delayMs` (a pace, a window), nothing recorded;
 * - `hold`: do not send now and forget the command; the gate's owner queues the message again
 *   later (a paused broadcast), so no retry budget is spent while it waits;
 * - `refuse`: never send it; the message fails with `error` (a cancelled broadcast).
 */
export type SendGateVerdict = { action: 'send' } | { action: 'wait'; delayMs: number } | { action: 'hold' } | { action: 'refuse'; error: ChannelError };

/** An extension point the send consumer passes before every provider call. */
export interface SendGate {
  admit(send: GatedSend): Promise<SendGateVerdict>;
  /** What the provider answered (`null` when it accepted the message), for pacing and auto-pause. */
  afterSend?(send: GatedSend, error: ChannelError | null): Promise<void> | void;
  /**
   * The provider accepted the message: the gate's own bookkeeping of it, written in `tx`, the
   * transaction that records the message as sent, so both commit or neither does.
   */
  accepted?(tx: EntityManager, send: GatedSend): Promise<void>;
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

  async afterSend(send: GatedSend, error: ChannelError | null): Promise<void> {
    for (const gate of this.gates) await gate.afterSend?.(send, error);
  }

  async accepted(tx: EntityManager, send: GatedSend): Promise<void> {
    for (const gate of this.gates) await gate.accepted?.(tx, send);
  }
}
