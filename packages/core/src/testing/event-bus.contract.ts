import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveredMessage, DurableHandler, EventBus, Subscription } from '../bus/event-bus.js';

/**
 * The one suite every `EventBus` implementation passes (in-process and NATS), so the single
 * node and the scaled shape behave alike. Each test uses its own tenant token and durable
 * names, so runs against a shared server do not see each other's messages.
 */
export interface EventBusContractOptions {
  /**
   * True when two `makeBus()` results are two processes on the same bus (NATS). Then the
   * "several processes" cases use a second instance; otherwise they share one instance.
   */
  sharedAcrossInstances?: boolean;
  /** Upper bound for each wait (default 15 s). */
  waitTimeoutMs?: number;
}

interface TestEvent {
  eventId: string;
  n: number;
}

export function describeEventBusContract(
  name: string,
  makeBus: () => Promise<EventBus>,
  options: EventBusContractOptions = {},
): void {
  const waitTimeoutMs = options.waitTimeoutMs ?? 15_000;

  describe(`EventBus contract: ${name}`, () => {
    let bus: EventBus;
    let tenant: string;
    const toClose: Array<{ close(): Promise<void> }> = [];

    /** Another process on the same bus (or the same instance when the bus is per process). */
    async function peer(): Promise<EventBus> {
      if (!options.sharedAcrossInstances) return bus;
      const other = await makeBus();
      toClose.push(other);
      return other;
    }

    async function consume<T = TestEvent>(
      on: EventBus,
      durableName: string,
      subjects: string[],
      handler: DurableHandler<T>,
      extra: { maxDeliver?: number; backoffMs?: number[]; concurrency?: number } = {},
    ): Promise<Subscription> {
      const subscription = await on.consume<T>({ durableName, subjects, handler, ...extra });
      toClose.push(subscription);
      return subscription;
    }

    function event(n = 0): TestEvent {
      return { eventId: randomUUID(), n };
    }

    function durable(label: string): string {
      return `${label}-${tenant}`;
    }

    async function waitFor(what: string, condition: () => boolean): Promise<void> {
      const deadline = Date.now() + waitTimeoutMs;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
        await sleep(10);
      }
    }

    beforeEach(async () => {
      tenant = `t${randomBytes(5).toString('hex')}`;
      bus = await makeBus();
      toClose.push(bus);
    });

    afterEach(async () => {
      const closing = toClose.splice(0).reverse();
      for (const c of closing) await c.close();
    });

    describe('durable delivery', () => {
      it('delivers a published event to a durable consumer, with its subject and attempt 1', async () => {
        const seen: Array<DeliveredMessage<TestEvent>> = [];
        await consume(bus, durable('basic'), [`chat.${tenant}.>`], async (m) => {
          seen.push(m);
        });
        const sent = event(1);
        await bus.publish(`chat.${tenant}.message.received`, sent);

        await waitFor('the event', () => seen.length === 1);
        expect(seen[0]).toEqual({ subject: `chat.${tenant}.message.received`, data: sent, attempt: 1 });
      });

      it('delivers events published before the consumer first started (DeliverPolicy.All)', async () => {
        const first = event(1);
        const second = event(2);
        await bus.publish(`cmd.${tenant}.send.whatsapp`, first);
        await bus.publish(`cmd.${tenant}.send.whatsapp`, second);

        const seen: TestEvent[] = [];
        await consume(bus, durable('late'), [`cmd.${tenant}.send.*`], async (m) => {
          seen.push(m.data);
        });
        await waitFor('both earlier events', () => seen.length === 2);
        expect(seen).toEqual([first, second]);
      });

      it('stores an eventId published twice only once', async () => {
        const seen: TestEvent[] = [];
        await consume(bus, durable('dedupe'), [`chat.${tenant}.>`], async (m) => {
          seen.push(m.data);
        });
        const twice = event(1);
        await bus.publish(`chat.${tenant}.message.sent`, twice);
        await bus.publish(`chat.${tenant}.message.sent`, { ...twice });
        const after = event(2);
        await bus.publish(`chat.${tenant}.message.sent`, after);

        // In stream order, so a stored duplicate would arrive before `after`.
        await waitFor('the event after the duplicate', () => seen.some((e) => e.eventId === after.eventId));
        expect(seen.map((e) => e.eventId)).toEqual([twice.eventId, after.eventId]);
      });

      it('resumes a durable consumer where it left off after it was closed', async () => {
        const subject = `chat.${tenant}.conversation.opened`;
        const seen: TestEvent[] = [];
        const handler = async (m: DeliveredMessage<TestEvent>) => {
          seen.push(m.data);
        };
        const firstRun = await consume(bus, durable('resume'), [subject], handler);
        await bus.publish(subject, event(1));
        await waitFor('the first event', () => seen.length === 1);
        await firstRun.close();

        await bus.publish(subject, event(2));
        await consume(bus, durable('resume'), [subject], handler);
        await waitFor('the event published while stopped', () => seen.length === 2);
        expect(seen.map((e) => e.n)).toEqual([1, 2]);
      });

      it('splits the work between consumers sharing a durableName: each event handled exactly once', async () => {
        const other = await peer();
        const subject = `cmd.${tenant}.broadcast.b1.batch`;
        const handledBy = new Map<string, string[]>();
        const member = (who: string) => async (m: DeliveredMessage<TestEvent>) => {
          await sleep(5);
          handledBy.set(m.data.eventId, [...(handledBy.get(m.data.eventId) ?? []), who]);
        };
        await consume(bus, durable('shared'), [`cmd.${tenant}.broadcast.>`], member('a'));
        await consume(other, durable('shared'), [`cmd.${tenant}.broadcast.>`], member('b'));

        const events = Array.from({ length: 20 }, (_, n) => event(n));
        for (const e of events) await bus.publish(subject, e);

        await waitFor('all 20 events', () => handledBy.size === 20);
        const handlers = [...handledBy.values()];
        expect(handlers.every((who) => who.length === 1)).toBe(true);
        expect(handlers.some(([who]) => who === 'a')).toBe(true);
        expect(handlers.some(([who]) => who === 'b')).toBe(true);
      });

      it('gives every event to each of two different durable names', async () => {
        const subject = `chat.${tenant}.message.status`;
        const seenBy: Record<'x' | 'y', number[]> = { x: [], y: [] };
        await consume(bus, durable('x'), [subject], async (m) => {
          seenBy.x.push(m.data.n);
        });
        await consume(bus, durable('y'), [`chat.${tenant}.message.*`], async (m) => {
          seenBy.y.push(m.data.n);
        });
        for (let n = 1; n <= 5; n++) await bus.publish(subject, event(n));

        await waitFor('five events each', () => seenBy.x.length === 5 && seenBy.y.length === 5);
        expect(seenBy.x.sort()).toEqual([1, 2, 3, 4, 5]);
        expect(seenBy.y.sort()).toEqual([1, 2, 3, 4, 5]);
      });

      it('filters by `*` and `>` patterns across chat and cmd subjects', async () => {
        const seen: string[] = [];
        await consume(
          bus,
          durable('filters'),
          [
            `chat.${tenant}.message.*`,
            `cmd.${tenant}.send.>`,
            `chat.${tenant}.message.received`,
            `chat.${tenant}.template.status`,
          ],
          async (m) => {
            seen.push(m.subject);
          },
        );
        // Per kind, the non-matching subject goes first: a wrong delivery would come before the match.
        await bus.publish(`chat.${tenant}.conversation.opened`, event());
        await bus.publish(`chat.${tenant}.message.received.extra`, event());
        await bus.publish(`cmd.${tenant}.broadcast.b1.batch`, event());
        await bus.publish(`chat.${tenant}.message.received`, event());
        await bus.publish(`cmd.${tenant}.send.whatsapp`, event());
        await bus.publish(`chat.${tenant}.template.status`, event());

        await waitFor('the three matching events', () => seen.length >= 3);
        expect(seen.sort()).toEqual([
          `chat.${tenant}.message.received`,
          `chat.${tenant}.template.status`,
          `cmd.${tenant}.send.whatsapp`,
        ]);
      });

      it('handles up to `concurrency` events at once, across chat and cmd subjects together', async () => {
        let running = 0;
        let mostAtOnce = 0;
        let done = 0;
        const release = deferred();
        await consume(
          bus,
          durable('parallel'),
          [`chat.${tenant}.>`, `cmd.${tenant}.>`],
          async () => {
            running++;
            mostAtOnce = Math.max(mostAtOnce, running);
            await release.promise;
            running--;
            done++;
          },
          { concurrency: 3 },
        );
        for (let n = 0; n < 2; n++) {
          await bus.publish(`chat.${tenant}.message.received`, event(n));
          await bus.publish(`cmd.${tenant}.send.whatsapp`, event(n));
        }

        await waitFor('three handlers running together', () => running === 3);
        // Room for a wrong implementation to start the fourth.
        await sleep(100);
        expect(running).toBe(3);
        release.resolve();
        await waitFor('all four handled', () => done === 4);
        expect(mostAtOnce).toBe(3);
      });
    });

    describe('outcomes', () => {
      it('redelivers on retry, with attempt 2', async () => {
        const attempts: number[] = [];
        await consume(bus, durable('retry'), [`cmd.${tenant}.>`], async (m) => {
          attempts.push(m.attempt);
          return m.attempt === 1 ? { action: 'retry', delayMs: 20 } : { action: 'ack' };
        });
        await bus.publish(`cmd.${tenant}.send.whatsapp`, event());

        await waitFor('the redelivery', () => attempts.length === 2);
        expect(attempts).toEqual([1, 2]);
      });

      it('redelivers when the handler throws, after the backoff', async () => {
        const attempts: number[] = [];
        await consume(
          bus,
          durable('throws'),
          [`cmd.${tenant}.>`],
          async (m) => {
            attempts.push(m.attempt);
            if (m.attempt === 1) throw new Error('provider timed out');
          },
          { backoffMs: [20] },
        );
        await bus.publish(`cmd.${tenant}.send.whatsapp`, event());

        await waitFor('the redelivery', () => attempts.length === 2);
        expect(attempts).toEqual([1, 2]);
      });

      it('does not redeliver a dropped event', async () => {
        const dropped = event(1);
        const probe = event(2);
        const seen: Array<{ n: number; attempt: number }> = [];
        await consume(
          bus,
          durable('drop'),
          [`cmd.${tenant}.>`],
          async (m) => {
            seen.push({ n: m.data.n, attempt: m.attempt });
            if (m.data.n === 1) return { action: 'drop', reason: 'template was deleted' };
            // The probe comes back after longer than a wrong redelivery of the dropped event would.
            return m.attempt === 1 ? { action: 'retry', delayMs: 300 } : { action: 'ack' };
          },
          { backoffMs: [10] },
        );
        await bus.publish(`cmd.${tenant}.send.whatsapp`, dropped);
        await bus.publish(`cmd.${tenant}.send.whatsapp`, probe);

        await waitFor('the probe redelivered', () => seen.some((s) => s.n === 2 && s.attempt === 2));
        expect(seen.filter((s) => s.n === 1)).toEqual([{ n: 1, attempt: 1 }]);
      });

      it('stops after maxDeliver deliveries', async () => {
        const attemptsOfFailing: number[] = [];
        const probeAttempts: number[] = [];
        await consume(
          bus,
          durable('max'),
          [`cmd.${tenant}.>`],
          async (m) => {
            if (m.data.n === 1) {
              attemptsOfFailing.push(m.attempt);
              return { action: 'retry', delayMs: 10 };
            }
            probeAttempts.push(m.attempt);
            return m.attempt === 1 ? { action: 'retry', delayMs: 300 } : { action: 'ack' };
          },
          { maxDeliver: 3 },
        );
        await bus.publish(`cmd.${tenant}.send.whatsapp`, event(1));
        await waitFor('three deliveries', () => attemptsOfFailing.length === 3);
        await bus.publish(`cmd.${tenant}.send.whatsapp`, event(2));

        await waitFor('the probe redelivered', () => probeAttempts.length === 2);
        expect(attemptsOfFailing).toEqual([1, 2, 3]);
      });
    });

    describe('live fan-out', () => {
      it('fans a live event out to every matching subscriber, wildcards included', async () => {
        const other = await peer();
        const got: Record<string, Array<[string, unknown]>> = { all: [], opened: [], messages: [], remote: [] };
        const listen = (on: EventBus, pattern: string, key: string) =>
          toClose.push(on.subscribeLive(pattern, (subject, data) => got[key].push([subject, data])));
        listen(bus, `live.${tenant}.>`, 'all');
        listen(bus, `live.${tenant}.*.opened`, 'opened');
        listen(bus, `live.${tenant}.message.*`, 'messages');
        listen(other, `live.${tenant}.conversation.*`, 'remote');
        // Subscriptions on another connection take effect once the server has them.
        await other.ping();

        const opened = { conversationId: 'c1' };
        bus.publishLive(`live.${tenant}.conversation.opened`, opened);
        const created = { messageId: 'm1' };
        bus.publishLive(`live.${tenant}.message.created`, created);

        await waitFor('all four subscribers', () =>
          got.all.length === 2 && got.opened.length === 1 && got.messages.length === 1 && got.remote.length === 1,
        );
        expect(got.all).toEqual([
          [`live.${tenant}.conversation.opened`, opened],
          [`live.${tenant}.message.created`, created],
        ]);
        expect(got.opened).toEqual([[`live.${tenant}.conversation.opened`, opened]]);
        expect(got.messages).toEqual([[`live.${tenant}.message.created`, created]]);
        expect(got.remote).toEqual([[`live.${tenant}.conversation.opened`, opened]]);
      });

      it('does not keep live events for subscribers that join later', async () => {
        const early: unknown[] = [];
        toClose.push(bus.subscribeLive(`live.${tenant}.>`, (_s, data) => early.push(data)));
        bus.publishLive(`live.${tenant}.message.created`, { n: 1 });
        await waitFor('the first live event', () => early.length === 1);

        const late: unknown[] = [];
        toClose.push(bus.subscribeLive(`live.${tenant}.>`, (_s, data) => late.push(data)));
        await bus.ping();
        bus.publishLive(`live.${tenant}.message.created`, { n: 2 });
        await waitFor('the second live event', () => late.length === 1 && early.length === 2);
        expect(late).toEqual([{ n: 2 }]);
      });

      it('stops delivering to a closed live subscription', async () => {
        const closedOne: unknown[] = [];
        const open: unknown[] = [];
        const subscription = bus.subscribeLive(`live.${tenant}.>`, (_s, data) => closedOne.push(data));
        toClose.push(bus.subscribeLive(`live.${tenant}.>`, (_s, data) => open.push(data)));
        await subscription.close();
        bus.publishLive(`live.${tenant}.template.status`, { n: 1 });
        await waitFor('the open subscriber', () => open.length === 1);
        expect(closedOne).toEqual([]);
      });
    });

    describe('lifecycle and misuse', () => {
      it('close() waits for an in-flight handler', async () => {
        const order: string[] = [];
        const release = deferred();
        let started = false;
        await consume(bus, durable('close'), [`cmd.${tenant}.>`], async () => {
          started = true;
          await release.promise;
          order.push('handler finished');
        });
        await bus.publish(`cmd.${tenant}.send.whatsapp`, event());
        await waitFor('the handler to start', () => started);

        const closing = bus.close().then(() => order.push('bus closed'));
        await sleep(50);
        expect(order).toEqual([]);
        release.resolve();
        await closing;
        expect(order).toEqual(['handler finished', 'bus closed']);
        expect(await bus.ping()).toBe(false);
      });

      it("a subscription's close() waits for its in-flight handler", async () => {
        const order: string[] = [];
        const release = deferred();
        let started = false;
        const subscription = await consume(bus, durable('sub-close'), [`chat.${tenant}.>`], async () => {
          started = true;
          await release.promise;
          order.push('handler finished');
        });
        await bus.publish(`chat.${tenant}.message.received`, event());
        await waitFor('the handler to start', () => started);

        const closing = subscription.close().then(() => order.push('subscription closed'));
        await sleep(50);
        expect(order).toEqual([]);
        release.resolve();
        await closing;
        expect(order).toEqual(['handler finished', 'subscription closed']);
      });

      it('answers ping while open', async () => {
        expect(await bus.ping()).toBe(true);
      });

      it('refuses subjects of the wrong kind', async () => {
        await expect(bus.publish(`live.${tenant}.message.created`, event())).rejects.toThrow(/durable subject/);
        await expect(bus.publish(`chat.${tenant}.*`, event())).rejects.toThrow(/durable subject/);
        await expect(bus.publish(`chat.${tenant}.message.sent`, {} as TestEvent)).rejects.toThrow(/eventId/);
        expect(() => bus.publishLive(`chat.${tenant}.message.sent`, {})).toThrow(/live subject/);
        expect(() => bus.subscribeLive(`chat.${tenant}.>`, () => undefined)).toThrow(/live/);
        await expect(
          bus.consume({ durableName: durable('bad'), subjects: [`live.${tenant}.>`], handler: async () => undefined }),
        ).rejects.toThrow(/durable subjects/);
        await expect(
          bus.consume({ durableName: 'has.dots', subjects: [`chat.${tenant}.>`], handler: async () => undefined }),
        ).rejects.toThrow(/durableName/);
      });
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
