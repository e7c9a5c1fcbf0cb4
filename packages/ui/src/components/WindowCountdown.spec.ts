import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import WindowCountdown from './WindowCountdown.vue';

describe('WindowCountdown', () => {
  const now = new Date('2026-01-01T10:00:00.000Z');
  const show = (expiresAt: string | null) => mount(WindowCountdown, { props: { expiresAt, now } });

  it('shows the time left in hours and minutes', () => {
    expect(show('2026-01-02T09:59:59.000Z').text()).toBe('23h 59m left');
    expect(show('2026-01-01T11:30:00.000Z').attributes('data-window')).toBe('closing');
  });

  it('shows Closed once the window has passed, or without one', () => {
    expect(show('2026-01-01T10:00:00.000Z').text()).toBe('Closed');
    expect(show(null).text()).toBe('Closed');
  });

  it('uses the t function it is given', () => {
    const w = mount(WindowCountdown, { props: { expiresAt: '2026-01-01T12:05:00.000Z', now, t: (k: string, p?: Record<string, string | number>) => `${k}:${p?.hours}:${p?.minutes}` } });
    expect(w.text()).toBe('window.left:2:5');
  });
});
