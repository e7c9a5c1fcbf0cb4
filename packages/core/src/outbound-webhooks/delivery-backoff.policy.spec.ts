import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE, nextAttemptAt, retryDelayMs } from './delivery-backoff.policy.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

describe('delivery backoff', () => {
  const schedule = DEFAULT_RETRY_SCHEDULE;

  it('doubles from 30 s and is capped at an hour (without jitter: random 1)', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 20].map((n) => retryDelayMs(n, schedule, 1))).toEqual([
      30 * SECOND, 60 * SECOND, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE, 16 * MINUTE, 32 * MINUTE, HOUR, HOUR, HOUR,
    ]);
  });

  it('jitters down to 80 % of the step', () => {
    expect(retryDelayMs(1, schedule, 0)).toBe(24 * SECOND);
    expect(retryDelayMs(10, schedule, 0)).toBe(48 * MINUTE);
    expect(retryDelayMs(3, schedule, 0.5)).toBe(108 * SECOND);
  });

  it('keeps retrying for about a day, then gives up', () => {
    const recordedAt = new Date('2026-11-29T00:00:00.000Z');
    let now = recordedAt;
    let failures = 0;
    for (;;) {
      failures++;
      const next = nextAttemptAt(recordedAt, failures, now, schedule, 1);
      if (!next) break;
      now = next;
    }
    expect(now.getTime() - recordedAt.getTime()).toBeGreaterThan(23 * HOUR);
    expect(now.getTime() - recordedAt.getTime()).toBeLessThanOrEqual(24 * HOUR);
    // 7 waits of 30 s … 32 min (~64 min), then 22 hourly ones: 30 attempts in all.
    expect(failures).toBe(30);
  });

  it('gives up when the next attempt would fall after the window', () => {
    const recordedAt = new Date('2026-11-29T00:00:00.000Z');
    const late = new Date(recordedAt.getTime() + 23 * HOUR + 30 * MINUTE);
    expect(nextAttemptAt(recordedAt, 12, late, schedule, 1)).toBeNull();
    expect(nextAttemptAt(recordedAt, 1, late, schedule, 1)).toEqual(new Date(late.getTime() + 30 * SECOND));
  });
});
