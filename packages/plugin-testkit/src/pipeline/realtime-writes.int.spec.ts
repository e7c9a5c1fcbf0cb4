import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../test-clock.js';
import { testEvents } from '../test-channel/test-webhook.js';
import { TestProvider } from '../test-channel/test-provider.js';
import { type TestObrol, startTestObrol } from '../test-env.js';
import { availableStacks } from './stacks.js';

const stacks = await availableStacks();

/** A connection's own write methods (Node's `Writable` implementation hooks). */
type Writes = (...args: unknown[]) => void;

/** Counts the writes the server makes to each connection it upgrades to a WebSocket. */
function countUpgradedWrites(env: TestObrol): { writes: () => number } {
  let writes = 0;
  env.app.app.getHttpServer().on('upgrade', (_request: unknown, socket: Socket & { _write: Writes; _writev?: Writes }) => {
    const write = socket._write.bind(socket);
    const writev = socket._writev?.bind(socket);
    socket._write = (...args: unknown[]) => {
      writes += 1;
      return write(...args);
    };
    if (writev) {
      socket._writev = (...args: unknown[]) => {
        writes += 1;
        return writev(...args);
      };
    }
  });
  return { writes: () => writes };
}

/**
 * The frames of one batch leave an agent's socket together (`RealtimeGateway.send`): a webhook
 * with many customers' messages is one group commit, whose events reach the socket in one turn
 * of the event loop, and the server writes them with a few system calls, not one per frame.
 */
for (const stack of stacks) describe.skipIf(!stack.run)(`realtime frames of one batch on ${stack.name}`, () => {
  const clock = new TestClock(new Date('2026-11-20T08:00:00.000Z'));
  let env: TestObrol;
  let inbox: { id: string; webhookSecret: string };
  let counter: { writes: () => number };

  beforeAll(async () => {
    env = await startTestObrol({ database: stack.database, bus: stack.bus, clock, provider: new TestProvider() });
    inbox = await env.createTestChannel('Support');
    counter = countUpgradedWrites(env);
  });
  afterAll(async () => {
    await env?.close();
  });

  it('writes the frames of one batch in a few writes, in order, all of them', async () => {
    const socket = await env.realtime(await env.adminToken());
    await socket.waitFor((f) => f.type === 'hello');
    const before = counter.writes();
    const framesBefore = socket.frames.length;
    const events = Array.from({ length: 40 }, (_, i) =>
      testEvents.text(`burst-${i}`, { id: `62812000${String(i).padStart(5, '0')}`, name: `Customer ${i}` }, `Pesan ${i}`, clock.now()),
    );
    const posted = await env.postWebhook(inbox.id, inbox.webhookSecret, { events });
    expect(posted.status).toBe(200);
    await socket.waitFor((f) => f.type === 'message.created' && f.data.message.externalId === 'burst-39');
    // Frames of the batch still on their way are counted with the writes that carry them.
    await new Promise((resolve) => setTimeout(resolve, 200));

    const created = socket.frames.filter((f) => f.type === 'message.created').map((f) => f.data.message.externalId);
    expect(created).toEqual(events.map((e) => e.id));
    const frames = socket.frames.length - framesBefore;
    const writes = counter.writes() - before;
    expect(frames).toBeGreaterThanOrEqual(40);
    // One write per frame before the socket was corked per turn; the bus may hand the batch over in a few turns.
    expect(writes).toBeLessThanOrEqual(Math.ceil(frames / 8));
    socket.close();
  });
});
