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
  const elapsedMs = Math.max(0, nowMs - state.refilledAtMs);
  const factor = Math.min(1, state.factor + (elapsedMs / 1000) * RECOVERY_PER_SECOND);
  const rate = refillOf(ratePerSecond * factor);
  const burst = burstOf(ratePerSecond * factor);
  const tokens = Math.min(burst, state.tokens + (elapsedMs / 1000) * rate);
  const granted = Math.max(0, Math.min(wanted, Math.floor(tokens)));
  const left = tokens - granted;
  const waitMs = granted < wanted ? Math.ceil(((1 - left) / rate) * 1000) : 0;
  return { granted, state: { tokens: left, refilledAtMs: nowMs, factor }, waitMs };
}

/** A throttling answer from the provider halves the pace (not below a twentieth). */
export function slowDown(state: BucketState): BucketState {
  return { ...state, factor: Math.max(MIN_FACTOR, state.factor / 2), tokens: Math.min(state.tokens, 0) };
}
