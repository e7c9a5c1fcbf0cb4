import { describe, expect, it } from 'vitest';
import { snoozeUntil } from './snooze-presets';

describe('snooze presets', () => {
  // Wednesday 2026-12-02, 15:30 local time.
  const wednesday = new Date(2026, 11, 2, 15, 30);

  it('snoozes for hours, until tomorrow morning, or until next Monday morning', () => {
    expect(snoozeUntil('1h', wednesday)).toEqual(new Date(2026, 11, 2, 16, 30));
    expect(snoozeUntil('3h', wednesday)).toEqual(new Date(2026, 11, 2, 18, 30));
    expect(snoozeUntil('tomorrow', wednesday)).toEqual(new Date(2026, 11, 3, 9, 0));
    expect(snoozeUntil('nextWeek', wednesday)).toEqual(new Date(2026, 11, 7, 9, 0));
  });

  it('from a Monday, next week is the Monday after; from a Sunday, it is the next day', () => {
    expect(snoozeUntil('nextWeek', new Date(2026, 11, 7, 8, 0))).toEqual(new Date(2026, 11, 14, 9, 0));
    expect(snoozeUntil('nextWeek', new Date(2026, 11, 6, 20, 0))).toEqual(new Date(2026, 11, 7, 9, 0));
    expect(snoozeUntil('tomorrow', new Date(2026, 11, 31, 23, 0))).toEqual(new Date(2027, 0, 1, 9, 0));
  });
});
