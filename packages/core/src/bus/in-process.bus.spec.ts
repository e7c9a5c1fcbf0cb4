import { describe, expect, it, vi } from 'vitest';
import type { Clock } from '@obrol/contracts';
import { InProcessBus } from './in-process.bus.js';
import { describeEventBusContract } from '../testing/event-bus.contract.js';

describeEventBusContract('InProcessBus', async () => new InProcessBus());

describe('InProcessBus specifics', () => {
  async function collect(bus: InProcessBus, subjects: string[], durableName = 'd'): Promise<number[]> {
    const seen: number[] = [];
    await bus.consume<{ eventId: string; n: number }>({
      durableName,
      subjects,
      handler: async (m) => {
        seen.push(m.data.n);
      },
    });
    return seen;
  }

  async function settle(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
  }

  it('keeps only the newest `retainMessages` for consumers that start later', async () => {
    const bus = new InProcessBus({ retainMessages: 3 });
    for (let n = 1; n <= 5; n++) await bus.publish('chat.t.message.received', { eventId: `e${n}`, n } as never);
    const seen = await collect(bus, ['chat.>']);
    await settle();
    expect(seen).toEqual([3, 4, 5]);
    await bus.close();
  });

  it('forgets an eventId once the duplicate window has passed', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const clock: Clock = { now: () => new Date(now) };
    const bus = new InProcessBus({ clock, duplicateWindowMs: 1_000 });
    const seen = await collect(bus, ['cmd.>']);
    await bus.publish('cmd.t.send.x', { eventId: 'same', n: 1 } as never);
    now += 999;
    await bus.publish('cmd.t.send.x', { eventId: 'same', n: 2 } as never);
    now += 2;
    await bus.publish('cmd.t.send.x', { eventId: 'same', n: 3 } as never);
    await settle();
    expect(seen).toEqual([1, 3]);
    await bus.close();
  });

  it('remembers at most `maxDuplicateIds` ids within the window, the oldest forgotten first', async () => {
    const bus = new InProcessBus({ maxDuplicateIds: 2 });
    const seen = await collect(bus, ['cmd.>']);
    for (const [eventId, n] of [['a', 1], ['b', 2], ['b', 3], ['c', 4], ['a', 5], ['c', 6]] as const) {
      await bus.publish('cmd.t.send.x', { eventId, n } as never);
    }
    await settle();
    // `b` within the bound is stored once; `a`, pushed out by `c`, is stored again.
    expect(seen).toEqual([1, 2, 4, 5]);
    await bus.close();
  });

  it('keeps the bound and the window over many thousands of ids, as they come and go', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const clock: Clock = { now: () => new Date(now) };
    const bus = new InProcessBus({ clock, duplicateWindowMs: 60_000, maxDuplicateIds: 3_000 });
    const seen = await collect(bus, ['cmd.>']);
    const publish = (n: number, id: number) => bus.publish('cmd.t.send.x', { eventId: `e${id}`, n } as never);
    // 10,000 ids a millisecond apart: the bound keeps e7000 to e9999.
    for (let id = 0; id < 10_000; id++, now++) await publish(id + 1, id);
    await publish(-1, 9_999); // remembered: dropped
    await publish(-2, 6_999); // forgotten: stored again, and pushes e7000 out
    await publish(-3, 7_000);
    // Past the window every id is forgotten; the next copy is remembered again.
    now += 60_001;
    await publish(-4, 9_999);
    await publish(-5, 9_999);
    await settle();
    expect(seen.filter((n) => n < 0)).toEqual([-2, -3, -4]);
    expect(seen.filter((n) => n > 0)).toHaveLength(10_000);
    await bus.close();
  });

  it('hands each handler its own copy of the payload', async () => {
    const bus = new InProcessBus();
    const copies: Array<{ eventId: string; tags: string[] }> = [];
    for (const durableName of ['a', 'b']) {
      await bus.consume<{ eventId: string; tags: string[] }>({
        durableName,
        subjects: ['chat.>'],
        handler: async (m) => {
          m.data.tags.push(durableName);
          copies.push(m.data);
        },
      });
    }
    const published = { eventId: 'e1', tags: [] as string[] };
    await bus.publish('chat.t.message.sent', published);
    await settle();
    expect(published.tags).toEqual([]);
    expect(copies.map((c) => c.tags)).toEqual([['a'], ['b']]);
    await bus.close();
  });

  it('runs no handler inside publish()', async () => {
    const bus = new InProcessBus();
    let handled = false;
    await bus.consume({ durableName: 'sync', subjects: ['chat.>'], handler: async () => void (handled = true) });
    const publishing = bus.publish('chat.t.message.sent', { eventId: 'e1' });
    expect(handled).toBe(false);
    await publishing;
    await settle();
    expect(handled).toBe(true);
    await bus.close();
  });

  it('leaves no redelivery timer behind after close()', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const bus = new InProcessBus();
    let attempts = 0;
    await bus.consume({
      durableName: 'timer',
      subjects: ['cmd.>'],
      handler: async () => {
        attempts++;
        return { action: 'retry', delayMs: 60_000 };
      },
    });
    await bus.publish('cmd.t.send.x', { eventId: 'e1' });
    while (vi.getTimerCount() === 0) await settle();
    expect(attempts).toBe(1);
    await bus.close();
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });
});
