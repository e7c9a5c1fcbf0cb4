import { describe, expect, it } from 'vitest';
import { dailyLimitOf } from './daily-limit.js';

describe('dailyLimitOf', () => {
  it('reads the tier the channel reported', () => {
    expect(dailyLimitOf(null, 'TIER_250')).toBe(250);
    expect(dailyLimitOf(null, 'TIER_2K')).toBe(2_000);
    expect(dailyLimitOf(null, 'TIER_100K')).toBe(100_000);
    expect(dailyLimitOf(null, 'TIER_UNLIMITED')).toBeNull();
    expect(dailyLimitOf(null, 1_000)).toBe(1_000);
  });

  it('prefers the limit set by hand, and knows no limit when nothing says one', () => {
    expect(dailyLimitOf(10_000, 'TIER_250')).toBe(10_000);
    expect(dailyLimitOf(Number.POSITIVE_INFINITY, 'TIER_250')).toBeNull();
    expect(dailyLimitOf(null, undefined)).toBeNull();
    expect(dailyLimitOf(null, 'STANDARD')).toBeNull();
  });
});
