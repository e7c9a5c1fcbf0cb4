import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DepartureWindows } from './departure-windows.js';

/** The most departures in any window of one second (each departure opens one). */
function busiestSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 1000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('DepartureWindows', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  /** Asks `count` turns of `key` now; the moments they were let go, in the order asked. */
  function ask(windows: DepartureWindows, count: number, key = 'number-1', perSecond = 1000): number[] {
    const left: number[] = [];
    for (let i = 0; i < count; i++) void windows.turn({ key, perSecond }).then(() => left.push(Date.now()));
    return left;
  }

  it('lets no more than the pace leave in any second, and the rest go as the window slides', async () => {
    const windows = new DepartureWindows(() => Date.now());
    const left = ask(windows, 2_500);
    await vi.advanceTimersByTimeAsync(2_100);
    expect(left).toHaveLength(2_500);
    expect(busiestSecond(left)).toBe(1000);
    expect(left.filter((t) => t < 1000)).toHaveLength(1000);
    expect(left.at(-1)).toBeLessThanOrEqual(2_001);
  });

  it('holds back a late bunch as far as the second before it already sent', async () => {
    const windows = new DepartureWindows(() => Date.now());
    const early = ask(windows, 600);
    await vi.advanceTimersByTimeAsync(900);
    // Timers that should have fired over the last 900 ms fire together now.
    const late = ask(windows, 700);
    await vi.advanceTimersByTimeAsync(0);
    expect(early).toHaveLength(600);
    expect(late).toHaveLength(400);
    await vi.advanceTimersByTimeAsync(200);
    expect(late).toHaveLength(700);
    expect(busiestSecond([...early, ...late])).toBe(1000);
    // In the order asked.
    expect(late).toEqual([...late].sort((a, b) => a - b));
  });

  it('keeps each key to its own window', async () => {
    const windows = new DepartureWindows(() => Date.now());
    const a = ask(windows, 20, 'number-a', 10);
    const b = ask(windows, 5, 'number-b', 10);
    await vi.advanceTimersByTimeAsync(0);
    expect(a).toHaveLength(10);
    expect(b).toHaveLength(5);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(a).toHaveLength(20);
  });
});
