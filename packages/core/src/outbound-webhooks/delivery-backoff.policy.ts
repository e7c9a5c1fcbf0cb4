/** When failed deliveries are tried again: exponential from `baseDelayMs`, capped, with jitter, until `giveUpAfterMs` after the event. */
export interface RetrySchedule {
  /** The wait after the first failure (default 30 s); it doubles after each failure. */
  baseDelayMs: number;
  /** The longest wait between two attempts (default 1 h). */
  maxDelayMs: number;
  /** No attempt starts later than this after the delivery was recorded (default 24 h). */
  giveUpAfterMs: number;
}

const MINUTE = 60_000;
export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { baseDelayMs: 30_000, maxDelayMs: 60 * MINUTE, giveUpAfterMs: 24 * 60 * MINUTE };

/**
 * The wait after the `failures`-th failed attempt: `base × 2^(failures−1)` capped at `maxDelayMs`,
 * then between 80 % and 100 % of that (`random` in [0, 1)), so receivers coming back from an
 * outage are not hit by every delivery at the same instant.
 */
export function retryDelayMs(failures: number, schedule: RetrySchedule, random: number): number {
  const exponential = Math.min(schedule.baseDelayMs * 2 ** Math.max(0, failures - 1), schedule.maxDelayMs);
  return Math.round(exponential * (0.8 + 0.2 * random));
}

/** When to try again after a failure, or null when the retry window has closed (the delivery failed for good). */
export function nextAttemptAt(recordedAt: Date, failures: number, now: Date, schedule: RetrySchedule, random = Math.random()): Date | null {
  const next = now.getTime() + retryDelayMs(failures, schedule, random);
  return next > recordedAt.getTime() + schedule.giveUpAfterMs ? null : new Date(next);
}
