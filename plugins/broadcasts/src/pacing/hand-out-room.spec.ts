import { SEND_SLOTS } from '@obrol/core';
import { describe, expect, it } from 'vitest';
import { AHEAD_SECONDS, MAX_HAND_OUT, QUEUED_BUDGET, handOutRoom } from './hand-out-room.js';

describe('handOutRoom', () => {
  it('keeps about two seconds of a lone broadcast queued, a hand-out at a time', () => {
    expect(handOutRoom({ messagesPerSecond: 80, queued: 0 }, 80)).toBe(80 * AHEAD_SECONDS);
    expect(handOutRoom({ messagesPerSecond: 80, queued: 100 }, 80)).toBe(80 * AHEAD_SECONDS - 100);
    expect(handOutRoom({ messagesPerSecond: 1000, queued: 0 }, 1000)).toBe(MAX_HAND_OUT);
    expect(handOutRoom({ messagesPerSecond: 1000, queued: 1500 }, 1000)).toBe(500);
  });

  it('never hands out more than is queued ahead, nor beyond the daily room', () => {
    expect(handOutRoom({ messagesPerSecond: 80, queued: 500 }, 80)).toBe(0);
    expect(handOutRoom({ messagesPerSecond: 1000, queued: 0 }, 1000, 37)).toBe(37);
    expect(handOutRoom({ messagesPerSecond: 1000, queued: 0 }, 1000, 0)).toBe(0);
  });

  it('shares the budget by pace, so that what every running broadcast queues fits in the sender at once', () => {
    const six = Array.from({ length: 6 }, () => ({ messagesPerSecond: 1000, queued: 0 }));
    const rooms = six.map((b) => handOutRoom(b, 6000));
    expect(new Set(rooms)).toEqual(new Set([Math.floor(QUEUED_BUDGET / 6)]));
    expect(rooms.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(QUEUED_BUDGET);
    expect(QUEUED_BUDGET).toBeLessThan(SEND_SLOTS);
    // A slow broadcast beside a fast one gets its share of the budget by pace, and its two seconds fit in it.
    expect(handOutRoom({ messagesPerSecond: 80, queued: 0 }, 1080)).toBe(80 * AHEAD_SECONDS);
    expect(handOutRoom({ messagesPerSecond: 1000, queued: 0 }, 1080)).toBe(Math.min(MAX_HAND_OUT, Math.floor((QUEUED_BUDGET * 1000) / 1080)));
  });

  it('tops a broadcast up to its share, not past it', () => {
    const share = Math.floor(QUEUED_BUDGET / 6);
    expect(handOutRoom({ messagesPerSecond: 1000, queued: share - 10 }, 6000)).toBe(10);
    expect(handOutRoom({ messagesPerSecond: 1000, queued: share + 10 }, 6000)).toBe(0);
  });
});
