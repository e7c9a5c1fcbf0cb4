import { describe, expect, it } from 'vitest';
import { PairRateLimiter, ThroughputLimiter } from './rate-limits.js';

function manualClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

describe('ThroughputLimiter', () => {
  it('refuses past the per-second rate and recovers a second later', () => {
    const clock = manualClock();
    const limiter = new ThroughputLimiter(3, clock);
    expect([1, 2, 3, 4].map(() => limiter.tryTake())).toEqual([true, true, true, false]);
    clock.advance(1_000);
    expect(limiter.tryTake()).toBe(true);
  });
});

describe('PairRateLimiter', () => {
  it('allows a burst, then one message per interval, per recipient', () => {
    const clock = manualClock();
    const limiter = new PairRateLimiter({ burst: 2, intervalMs: 6_000 }, clock);
    expect([1, 2, 3].map(() => limiter.tryTake('a'))).toEqual([true, true, false]);
    expect(limiter.tryTake('b')).toBe(true);
    clock.advance(5_999);
    expect(limiter.tryTake('a')).toBe(false);
    clock.advance(1);
    expect(limiter.tryTake('a')).toBe(true);
    expect(limiter.tryTake('a')).toBe(false);
  });
});
