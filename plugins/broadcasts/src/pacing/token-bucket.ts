/** A sending number's bucket as stored. */
export interface BucketState {
  tokens: number;
  refilledAtMs: number;
  /** 1 at full pace; throttling lowers it, time restores it. */
  factor: number;
}

/** `granted` tokens taken (0 to the number asked for); when fewer than asked, how long until the next one. */
export interface TakeResult {
  granted: number;
  state: BucketState;
  waitMs: number;
}

/** Tokens reserved: `dueInMs[k]` is when the k-th may be used, from now (0: now), ascending. */
export interface ReserveResult extends TakeResult {
  dueInMs: number[];
}

/** The pace comes back to full in about this long after a throttling error. */
const RECOVERY_PER_SECOND = 0.1;
const MIN_FACTOR = 0.05;

/** The burst is a hundredth of a second of sends: enough to keep several senders busy. */
export const burstOf = (ratePerSecond: number) => Math.max(1, Math.floor(ratePerSecond / 100));

/**
 * Tokens come back at the rate less the burst, so that a full bucket plus one second of refill
 * never exceeds the rate in any one-second window (what Meta and the simulator count).
 */
export const refillOf = (ratePerSecond: number) => Math.max(ratePerSecond - burstOf(ratePerSecond), ratePerSecond / 2);

/**
 * Takes up to `wanted` tokens from a bucket refilled at `ratePerSecond × factor`: as many as it
 * holds now, never borrowed from the future, so taking several at once grants no more in any
 * window than taking them one by one. Pure: the caller stores the new state with a conditional
 * update, so concurrent takers serialise on the row.
 */
export function takeTokens(state: BucketState, nowMs: number, ratePerSecond: number, wanted: number): TakeResult {
  const { granted, state: next, waitMs } = reserveTokens(state, nowMs, ratePerSecond, wanted, 0);
  return { granted, state: next, waitMs };
}

/**
 * Reserves up to `wanted` tokens, each for the moment the bucket will hold it, as long as that
 * is at most `horizonMs` away: the k-th may be used `dueInMs[k]` from now. Used at those moments,
 * they make exactly the sends one-by-one taking would have allowed, so no one-second window gets
 * more (the bucket lends ahead: its tokens go below zero, and every other taker, in this process
 * or another, queues behind the reservations). A batch of sends can thus take its pace for the
 * next second in one round trip, instead of a burst per round trip. `horizonMs` 0 takes only
 * what the bucket holds now.
 */
export function reserveTokens(state: BucketState, nowMs: number, ratePerSecond: number, wanted: number, horizonMs: number): ReserveResult {
  const elapsedMs = Math.max(0, nowMs - state.refilledAtMs);
  const factor = Math.min(1, state.factor + (elapsedMs / 1000) * RECOVERY_PER_SECOND);
  const rate = refillOf(ratePerSecond * factor);
  const burst = burstOf(ratePerSecond * factor);
  let tokens = Math.min(burst, state.tokens + (elapsedMs / 1000) * rate);
  const dueOf = (t: number) => (t >= 1 ? 0 : Math.ceil(((1 - t) / rate) * 1000));
  const dueInMs: number[] = [];
  while (dueInMs.length < wanted && dueOf(tokens) <= horizonMs) {
    dueInMs.push(dueOf(tokens));
    tokens -= 1;
  }
  const waitMs = dueInMs.length < wanted ? Math.max(1, dueOf(tokens) - horizonMs) : 0;
  return { granted: dueInMs.length, dueInMs, state: { tokens, refilledAtMs: nowMs, factor }, waitMs };
}

/** A throttling answer from the provider halves the pace (not below a twentieth). */
export function slowDown(state: BucketState): BucketState {
  return { ...state, factor: Math.max(MIN_FACTOR, state.factor / 2), tokens: Math.min(state.tokens, 0) };
}
