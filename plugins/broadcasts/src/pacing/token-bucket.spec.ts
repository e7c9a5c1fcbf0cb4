import { describe, expect, it } from 'vitest';
import { type BucketState, reserveTokens, slowDown, takeTokens } from './token-bucket.js';

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

  it('reserves a second of sends in one take, each due when the bucket holds it, never more in any one-second window', () => {
    // A taker that comes back only every 300 ms, asking for all it could send: one-by-one taking
    // would lose most of the pace between its visits; reserving ahead loses none of it.
    let state: BucketState = { tokens: 0, refilledAtMs: 0, factor: 1 };
    const sends: number[] = [];
    for (let t = 0; t < 5_000; t += 300) {
      const r = reserveTokens(state, t, 1000, 2_000, 1_000);
      state = r.state;
      for (const due of r.dueInMs) sends.push(t + due);
      expect(r.dueInMs).toEqual([...r.dueInMs].sort((a, b) => a - b));
      expect(Math.max(...r.dueInMs)).toBeLessThanOrEqual(1_000);
    }
    const sent = sends.filter((t) => t < 5_000);
    expect(sent.length).toBeGreaterThanOrEqual(0.98 * 5_000);
    sends.sort((a, b) => a - b);
    for (let i = 0; i + 1000 < sends.length; i++) expect(sends[i + 1000]! - sends[i]!).toBeGreaterThanOrEqual(1000);
    // Whoever takes next, here or in another process, queues behind the reservations.
    expect(takeTokens(state, 4_800, 1000, 1)).toMatchObject({ granted: 0 });
    expect(takeTokens(state, 4_800, 1000, 1).waitMs).toBeGreaterThan(100);
  });

  it('reserves only what is due within the horizon, and says when the next one will be', () => {
    const r = reserveTokens({ tokens: 0, refilledAtMs: 0, factor: 1 }, 0, 100, 500, 1_000);
    expect(r.granted).toBeGreaterThanOrEqual(98);
    expect(r.granted).toBeLessThanOrEqual(100);
    expect(r.waitMs).toBeGreaterThan(0);
    expect(r.waitMs).toBeLessThanOrEqual(20);
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
