/** The snooze choices the thread offers. */
export type SnoozePreset = '1h' | '3h' | 'tomorrow' | 'nextWeek';
export const SNOOZE_PRESETS: SnoozePreset[] = ['1h', '3h', 'tomorrow', 'nextWeek'];

/** When a snooze chosen at `now` ends, in the browser's time zone: in 1 or 3 hours, tomorrow 09:00, next Monday 09:00. */
export function snoozeUntil(preset: SnoozePreset, now: Date): Date {
  const HOUR = 60 * 60 * 1000;
  if (preset === '1h') return new Date(now.getTime() + HOUR);
  if (preset === '3h') return new Date(now.getTime() + 3 * HOUR);
  const at = new Date(now);
  at.setHours(9, 0, 0, 0);
  // Monday is 1; from Monday itself, the next one is a week away.
  const days = preset === 'tomorrow' ? 1 : ((8 - now.getDay()) % 7 || 7);
  at.setDate(at.getDate() + days);
  return at;
}
