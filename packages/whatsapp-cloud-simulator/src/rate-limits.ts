import type { PairRateLimit, SimulatorClock } from './simulator-options.js';

/** Messages per second for one business number, over a sliding one-second window (→ 130429). */
export class ThroughputLimiter {
  private readonly stamps: number[] = [];

  constructor(
    private readonly perSecond: number,
    private readonly clock: SimulatorClock,
  ) {}

  /** Counts one message if there is room; false means "throughput reached". */
  tryTake(): boolean {
    const now = this.clock.now().getTime();
    while (this.stamps.length > 0 && this.stamps[0]! <= now - 1_000) this.stamps.shift();
    if (this.stamps.length >= this.perSecond) return false;
    this.stamps.push(now);
    return true;
  }
}

/**
 * Meta's pair rate limit as a token bucket per recipient: `burst` tokens, one back every
 * `intervalMs`, so a burst is "borrowed" from future quota (→ 131056).
 */
export class PairRateLimiter {
  /** Credit in milliseconds: one message costs `intervalMs`; integers keep the arithmetic exact. */
  private readonly buckets = new Map<string, { credit: number; at: number }>();

  constructor(
    private readonly limit: PairRateLimit,
    private readonly clock: SimulatorClock,
  ) {}

  tryTake(recipient: string): boolean {
    const now = this.clock.now().getTime();
    const full = this.limit.burst * this.limit.intervalMs;
    const bucket = this.buckets.get(recipient) ?? { credit: full, at: now };
    const credit = Math.min(full, bucket.credit + Math.max(0, now - bucket.at));
    const allowed = credit >= this.limit.intervalMs;
    this.buckets.set(recipient, { credit: allowed ? credit - this.limit.intervalMs : credit, at: now });
    return allowed;
  }
}
