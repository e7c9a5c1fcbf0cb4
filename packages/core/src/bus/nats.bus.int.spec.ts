import { randomBytes } from 'node:crypto';
import { connect } from 'nats';
import { afterAll, describe, expect, it } from 'vitest';
import { DURABLE_KINDS } from './subject-pattern.js';
import { NatsBus, natsStreamName } from './nats.bus.js';
import { describeEventBusContract } from '../testing/event-bus.contract.js';
import { requireService } from '../testing/require-service.js';

const url = process.env.OBROL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const namespace = `t${randomBytes(4).toString('hex')}`;

/** Reachable and with JetStream on. */
async function natsWithJetStream(): Promise<boolean> {
  const nc = await connect({ servers: url, timeout: 2_000, maxReconnectAttempts: 0 });
  try {
    await (await nc.jetstreamManager()).getAccountInfo();
    return true;
  } finally {
    await nc.close();
  }
}

const run = await requireService('nats', natsWithJetStream, { at: url });

describe.runIf(run)('NatsBus', () => {
  afterAll(async () => {
    const nc = await connect({ servers: url });
    const jsm = await nc.jetstreamManager();
    for (const kind of DURABLE_KINDS) await jsm.streams.delete(natsStreamName(kind, namespace)).catch(() => false);
    await nc.close();
  });

  describeEventBusContract('NatsBus', () => NatsBus.connect({ url, namespace, name: 'obrol-bus-test' }), {
    sharedAcrossInstances: true,
  });

  it('creates the streams idempotently, namespaced, with dedupe window and limits retention', async () => {
    const first = await NatsBus.connect({ url, namespace });
    const second = await NatsBus.connect({ url, namespace, maxAgeMs: { cmd: 2 * 60 * 60 * 1000 } });
    await Promise.all([first.close(), second.close()]);

    const nc = await connect({ servers: url });
    try {
      const jsm = await nc.jetstreamManager();
      const chat = await jsm.streams.info(natsStreamName('chat', namespace));
      const cmd = await jsm.streams.info(natsStreamName('cmd', namespace));
      expect(chat.config).toMatchObject({
        subjects: [`${namespace}.chat.>`],
        storage: 'file',
        retention: 'limits',
        duplicate_window: 120_000_000_000,
        max_age: 7 * 24 * 3600 * 1_000_000_000,
      });
      expect(cmd.config).toMatchObject({ subjects: [`${namespace}.cmd.>`], max_age: 2 * 3600 * 1_000_000_000 });
    } finally {
      await nc.close();
    }
  });

  it('gives a message held by a vanished process to another member after ackWait', async () => {
    const bus = await NatsBus.connect({ url, namespace, ackWaitMs: 1_000 });
    const tenant = `t${randomBytes(5).toString('hex')}`;
    const durableName = `crash-${tenant}`;
    const subject = `cmd.${tenant}.send.whatsapp`;
    const attempts: number[] = [];
    try {
      // Create the durable consumer, then leave it idle.
      await (await bus.consume({ durableName, subjects: [subject], handler: async () => undefined })).close();
      await bus.publish(subject, { eventId: randomBytes(8).toString('hex') });

      // A process that takes the message and dies before acking it.
      const crashed = await connect({ servers: url });
      const consumer = await (await crashed.jetstream()).consumers.get(natsStreamName('cmd', namespace), durableName);
      expect(await consumer.next({ expires: 5_000 })).not.toBeNull();
      await crashed.close();

      await bus.consume({ durableName, subjects: [subject], handler: async (m) => void attempts.push(m.attempt) });
      const deadline = Date.now() + 15_000;
      while (attempts.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(attempts).toEqual([2]);
    } finally {
      await bus.close();
    }
  });

  it('acks what its handlers finished, many at a time, and nothing is handed out again', async () => {
    const bus = await NatsBus.connect({ url, namespace, ackWaitMs: 1_000 });
    const tenant = `t${randomBytes(5).toString('hex')}`;
    const durableName = `acks-${tenant}`;
    const subject = `chat.${tenant}.message.received`;
    const handled: string[] = [];
    const nc = await connect({ servers: url });
    try {
      await bus.consume({ durableName, subjects: [subject], concurrency: 8, handler: async (m) => void handled.push((m.data as { eventId: string }).eventId) });
      const ids = Array.from({ length: 40 }, () => randomBytes(8).toString('hex'));
      await Promise.all(ids.map((eventId) => bus.publish(subject, { eventId })));
      const jsm = await nc.jetstreamManager();
      const deadline = Date.now() + 10_000;
      let info = await jsm.consumers.info(natsStreamName('chat', namespace), durableName);
      while ((info.ack_floor.stream_seq < info.delivered.stream_seq || info.delivered.consumer_seq < ids.length) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        info = await jsm.consumers.info(natsStreamName('chat', namespace), durableName);
      }
      expect(info).toMatchObject({ num_ack_pending: 0, num_redelivered: 0 });
      expect(info.ack_floor.consumer_seq).toBe(ids.length);
      // Past ackWait, nothing comes back.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(handled.sort()).toEqual([...ids].sort());
    } finally {
      await nc.close();
      await bus.close();
    }
  });

  it('pulls a prefetching consumer\'s messages in batches, still handling no more than its concurrency at once', async () => {
    const nc = await connect({ servers: url });
    const bus = await NatsBus.connect({ url, namespace });
    const tenant = `t${randomBytes(5).toString('hex')}`;
    const subject = `chat.${tenant}.message.status`;
    const ids = Array.from({ length: 120 }, () => randomBytes(8).toString('hex'));
    /** Runs a consumer over the messages; answers its pull requests and the most handlers it ran at once. */
    const consumeAll = async (durableName: string, prefetch: number) => {
      let pulls = 0;
      const watch = nc.subscribe(`$JS.API.CONSUMER.MSG.NEXT.${natsStreamName('chat', namespace)}.${durableName}`, { callback: () => void pulls++ });
      await nc.flush();
      const handled: string[] = [];
      let running = 0;
      let most = 0;
      const subscription = await bus.consume({
        durableName,
        subjects: [subject],
        concurrency: 2,
        prefetch,
        handler: async (m) => {
          most = Math.max(most, ++running);
          await new Promise((r) => setImmediate(r));
          running--;
          handled.push((m.data as { eventId: string }).eventId);
        },
      });
      const deadline = Date.now() + 15_000;
      while (handled.length < ids.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await subscription.close();
      await nc.flush();
      watch.unsubscribe();
      return { pulls, most, handled: handled.sort() };
    };
    try {
      await Promise.all(ids.map((eventId) => bus.publish(subject, { eventId })));
      const one = await consumeAll(`one-${tenant}`, 0);
      const batched = await consumeAll(`batched-${tenant}`, 30);
      expect(one.handled).toEqual([...ids].sort());
      expect(batched.handled).toEqual([...ids].sort());
      expect(batched.most).toBeLessThanOrEqual(2);
      // Without a prefetch, about one pull request per message; with one, one per eight (a quarter of 32).
      expect(one.pulls).toBeGreaterThan(ids.length / 2);
      expect(batched.pulls).toBeLessThan(ids.length / 4);
    } finally {
      await bus.close();
      await nc.close();
    }
  });

  it('refuses a namespace that is not one subject token', async () => {
    await expect(NatsBus.connect({ url, namespace: 'a.b' })).rejects.toThrow(/namespace/);
  });

  it('says where it could not connect', async () => {
    await expect(NatsBus.connect({ url: 'nats://127.0.0.1:1', connection: { timeout: 1_000 } })).rejects.toThrow(
      /cannot connect to NATS at nats:\/\/127\.0\.0\.1:1/,
    );
  });
});
