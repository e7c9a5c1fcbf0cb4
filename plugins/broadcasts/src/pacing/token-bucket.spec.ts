import { describe, expect, it } from 'vitest';
import { type BucketState, slowDown, takeTokens } from './token-bucket.js';

/** When each token was granted, to takers asking for `batch` tokens at a time every `stepMs`. */
function drain(rate: number, fromMs: number, toMs: number, stepMs = 1, batch = 1): number[] {
  let state: BucketState = { tokens: 0, refilledAtMs: fromMs, factor: 1 };
  const granted: number[] = [];
  for (let t = fromMs; t < toMs; t += stepMs) {
    for (;;) {
      const r = takeTokens(state, t, rate, batch);
      state = r.state;
      for (let i = 0; i < r.granted; i++) granted.push(t);
      if (r.granted < batch) break;
    }
  }
  return granted;
}

describe('the token bucket', () => {
  it('grants the rate per second, never more in any one-second window', () => {
    const granted = drain(80, 0, 10_000);
    expect(granted.length).toBeGreaterThanOrEqual(76 * 10);
    expect(granted.length).toBeLessThanOrEqual(80 * 10);
    for (let start = 0; start < 9_000; start += 10) {
      expect(granted.filter((t) => t >= start && t < start + 1000).length).toBeLessThanOrEqual(80);
    }
    const fast = drain(1000, 0, 3_000);
    expect(fast.length).toBeGreaterThanOrEqual(0.98 * 3000);
    for (let start = 0; start < 2_000; start += 50) expect(fast.filter((t) => t >= start && t < start + 1000).length).toBeLessThanOrEqual(1000);
  });

  it('grants several tokens at once without exceeding the rate in any one-second window', () => {
    const batched = drain(1000, 0, 3_000, 3, 8);
    expect(batched.length).toBeGreaterThanOrEqual(0.98 * 3000);
    for (let start = 0; start < 2_000; start += 10) expect(batched.filter((t) => t >= start && t < start + 1000).length).toBeLessThanOrEqual(1000);
    expect(takeTokens({ tokens: 3.5, refilledAtMs: 0, factor: 1 }, 0, 1000, 8)).toMatchObject({ granted: 3, state: { tokens: 0.5 } });
  });

  it('says how long to wait for the next token', () => {
    const r = takeTokens({ tokens: 0, refilledAtMs: 0, factor: 1 }, 0, 10, 1);
    expect(r).toMatchObject({ granted: 0, waitMs: 112 });
  });

  it('halves the pace on throttling and recovers with time', () => {
    const slowed = slowDown({ tokens: 5, refilledAtMs: 0, factor: 1 });
    expect(slowed.factor).toBe(0.5);
    expect(slowed.tokens).toBe(0);
    const later = takeTokens(slowed, 5_000, 100, 1);
    expect(later.state.factor).toBeCloseTo(1);
    expect(slowDown(slowDown(slowDown(slowDown(slowDown({ tokens: 0, refilledAtMs: 0, factor: 0.1 })))))).toMatchObject({ factor: 0.05 });
  });
});
