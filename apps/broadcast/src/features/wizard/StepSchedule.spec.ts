import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { createBroadcastI18n } from '../../i18n';
import StepSchedule, { type ScheduleChoice } from './StepSchedule.vue';
import { zonedInstant } from './zoned-time';

const choice = (patch: Partial<ScheduleChoice>): ScheduleChoice => ({ mode: 'later', at: '2026-12-01T09:00', timeZone: 'Asia/Jakarta', messagesPerSecond: 20, ...patch });
const mountStep = (value: ScheduleChoice, now = new Date('2026-11-01T00:00:00Z')) => mount(StepSchedule, { props: { modelValue: value, now }, global: { plugins: [createBroadcastI18n('en')] } });

describe('zonedInstant', () => {
  it('reads the wall clock in the chosen zone, not the browser’s', () => {
    expect(zonedInstant('2026-12-01T09:00', 'Asia/Jakarta')).toEqual({ instant: new Date('2026-12-01T02:00:00Z'), kind: 'ok' });
    expect(zonedInstant('2026-12-01T09:00', 'Asia/Tokyo')).toEqual({ instant: new Date('2026-12-01T00:00:00Z'), kind: 'ok' });
    expect(zonedInstant('2026-07-01T09:00:30', 'America/New_York')).toEqual({ instant: new Date('2026-07-01T13:00:30Z'), kind: 'ok' });
  });

  it('spots a time the clocks skip (spring forward) and one they repeat (fall back)', () => {
    // New York: 2026-03-08 02:00 → 03:00, and 2026-11-01 02:00 → 01:00.
    const gap = zonedInstant('2026-03-08T02:30', 'America/New_York')!;
    expect(gap.kind).toBe('gap');
    expect([new Date('2026-03-08T06:30:00Z').getTime(), new Date('2026-03-08T07:30:00Z').getTime()]).toContain(gap.instant.getTime());
    expect(zonedInstant('2026-11-01T01:30', 'America/New_York')).toEqual({ instant: new Date('2026-11-01T05:30:00Z'), kind: 'overlap' });
    // Europe: 2026-03-29 02:00 → 03:00 in Berlin.
    expect(zonedInstant('2026-03-29T02:15', 'Europe/Berlin')!.kind).toBe('gap');
    expect(zonedInstant('2026-03-29T03:15', 'Europe/Berlin')).toEqual({ instant: new Date('2026-03-29T01:15:00Z'), kind: 'ok' });
  });
});

describe('StepSchedule', () => {
  it('says when a scheduled time is in the browser’s own zone', () => {
    const w = mountStep(choice({ timeZone: 'Asia/Tokyo' }));
    expect(w.find('[data-testid="schedule-local"]').text()).toContain(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(w.find('[data-testid="schedule-past"]').exists()).toBe(false);
  });

  it('refuses a time already past in the chosen zone', () => {
    // 10:00 in Jakarta is 03:00 UTC: past at 05:00 UTC, though 10:00 is still ahead for a browser in UTC.
    const w = mountStep(choice({ at: '2026-11-01T10:00', timeZone: 'Asia/Jakarta' }), new Date('2026-11-01T05:00:00Z'));
    expect(w.find('[data-testid="schedule-past"]').exists()).toBe(true);
  });

  it('warns about a time skipped or repeated by daylight saving', () => {
    expect(mountStep(choice({ at: '2026-03-08T02:30', timeZone: 'America/New_York' })).find('[data-testid="schedule-gap"]').text()).toContain('does not exist');
    expect(mountStep(choice({ at: '2026-11-01T01:30', timeZone: 'America/New_York' }), new Date('2026-10-01T00:00:00Z')).find('[data-testid="schedule-overlap"]').text()).toContain('happens twice');
    expect(mountStep(choice({ at: '2026-11-01T01:30', timeZone: 'Asia/Jakarta' }), new Date('2026-10-01T00:00:00Z')).find('[data-testid="schedule-overlap"]').exists()).toBe(false);
  });

  it('emits the zone, the time and the pace as the marketer picks them', async () => {
    const w = mountStep(choice({ mode: 'now' }));
    expect(w.find('[data-testid="schedule-at"]').exists()).toBe(false);
    await w.find('[data-testid="schedule-later"]').setValue(true);
    expect(w.emitted('update:modelValue')!.at(-1)![0]).toMatchObject({ mode: 'later' });
    await w.setProps({ modelValue: choice({}) });
    await w.find('[data-testid="schedule-zone"]').setValue('Europe/Berlin');
    expect(w.emitted('update:modelValue')!.at(-1)![0]).toMatchObject({ timeZone: 'Europe/Berlin' });
    await w.find('[data-testid="schedule-rate"]').setValue('5000');
    expect(w.emitted('update:modelValue')!.at(-1)![0]).toMatchObject({ messagesPerSecond: 1000 });
  });
});
