import { SEND_SLOTS } from '@obrol/core';

/** Recipients handed to the sender ahead of the pace: about this many seconds of sends. */
export const AHEAD_SECONDS = 2;
/** At most this many recipients are handed out at once. */
export const MAX_HAND_OUT = 1000;
/**
 * What the running broadcasts may hold queued together: three quarters of the slots of the
 * core's send consumer. A queued send waiting for its moment holds a slot; what the broadcasts
 * leave free is for agents' replies, the notification API and retries, which then never wait
 * behind broadcast sends for one.
 */
export const QUEUED_BUDGET = Math.floor(SEND_SLOTS * 0.75);

/** A running broadcast's pace and how many of its messages wait to be sent. */
export interface QueuedPace {
  messagesPerSecond: number;
  queued: number;
}

/**
 * How many more recipients a running broadcast may hand to the sender now: enough to keep
 * about AHEAD_SECONDS of its pace queued, within its share of QUEUED_BUDGET and within what its
 * number's daily limit leaves (`dailyRoom`). The budget is shared in proportion to the paces of
 * the broadcasts running (`totalPerSecond`, their sum): six numbers at 1,000/s each queue about
 * half a second each, all of it held by the sender at once, rather than the first number's two
 * seconds filling every slot while the other five wait their turn.
 */
export function handOutRoom(b: QueuedPace, totalPerSecond: number, dailyRoom = Number.POSITIVE_INFINITY): number {
  const share = Math.floor((QUEUED_BUDGET * b.messagesPerSecond) / Math.max(totalPerSecond, b.messagesPerSecond));
  const wanted = Math.min(b.messagesPerSecond * AHEAD_SECONDS, share);
  return Math.max(0, Math.min(MAX_HAND_OUT, wanted - b.queued, dailyRoom));
}
