import { describe, expect, it } from 'vitest';
import { isTimeZone, localTimeToInstant } from './schedule-time.js';

describe('localTimeToInstant', () => {
  it('reads a local date-time in its IANA zone', () => {
    expect(localTimeToInstant('2026-12-01T09:00', 'Asia/Jakarta').toISOString()).toBe('2026-12-01T02:00:00.000Z');
    expect(localTimeToInstant('2026-12-01T09:00:30', 'UTC').toISOString()).toBe('2026-12-01T09:00:30.000Z');
    expect(localTimeToInstant('2026-07-01T09:00', 'America/New_York').toISOString()).toBe('2026-07-01T13:00:00.000Z');
    expect(localTimeToInstant('2026-12-01T09:00', 'America/New_York').toISOString()).toBe('2026-12-01T14:00:00.000Z');
  });

  it('moves a time skipped by daylight saving forward', () => {
    // 2026-03-08 02:30 does not exist in New York: clocks jump from 02:00 to 03:00.
    expect(localTimeToInstant('2026-03-08T02:30', 'America/New_York').toISOString()).toBe('2026-03-08T07:30:00.000Z');
  });

  it('knows IANA zones', () => {
    expect(isTimeZone('Asia/Makassar')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
