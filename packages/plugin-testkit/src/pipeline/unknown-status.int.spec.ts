import { MikroORM } from '@obrol/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../test-clock.js';
import { testEvents } from '../test-channel/test-webhook.js';
import { type TestObrol, eventually, startTestObrol } from '../test-env.js';
import { availableStacks } from './stacks.js';

const MINUTE = 60 * 1000;
const stacks = await availableStacks();

interface KeptDelivery {
  state: string;
  attempts: number;
  last_error: string | null;
  events: unknown;
}

/** What an operator reads: `select … from inbound_webhooks` (docs/deployment.md). */
async function keptDeliveries(env: TestObrol): Promise<KeptDelivery[]> {
  const connection = env.app.app.get(MikroORM).em.fork().getConnection();
  return (await connection.execute('select state, attempts, last_error, events from inbound_webhooks order by received_at')) as KeptDelivery[];
}

/**
 * Issue 7, item 1: a status for a message Obrol never sent (sent from Meta's own app, or racing
 * our send) used to stall a single node: the retry pass held SQLite's one connection in its
 * transaction while looking the account up on another, every request waited 60 s, and the
 * delivery was finally marked processed as "the channel account no longer exists".
 */
for (const stack of stacks) describe.skipIf(!stack.run)(`a status for a message Obrol does not know, on ${stack.name}`, () => {
  const clock = new TestClock(new Date('2026-11-20T08:00:00.000Z'));
  let env: TestObrol;
  let inbox: { id: string; webhookSecret: string };

  beforeAll(async () => {
    env = await startTestObrol({ database: stack.database, bus: stack.bus, clock });
    inbox = await env.createTestChannel('Support');
  });
  afterAll(async () => {
    await env?.close();
  });

  it('is retried in the background without blocking anyone, then kept as unmatched with its reason', async () => {
    const posted = await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.status('wamid.never-sent-1', 'delivered', clock.now())] });
    expect(posted.status).toBe(200);
    // Editing the channel empties the account cache, so the retry pass must look the account up.
    expect((await env.api('PATCH', `/api/v1/channels/${inbox.id}`, { name: 'Support desk' })).status).toBe(200);

    const retried = await eventually(async () => (await keptDeliveries(env)).find((d) => d.attempts >= 2), 15_000, 'a retry pass over the kept status');
    expect(retried.state).toBe('pending');
    expect(retried.last_error).toContain('wamid.never-sent-1');
    expect((await env.api('GET', '/readyz', undefined, { token: null })).status).toBe(200);
    expect((await env.api('GET', '/api/v1/conversations')).status).toBe(200);

    // Past the grace period its message can no longer be racing our send: kept, visibly, not applied.
    clock.advance(3 * MINUTE);
    const unmatched = await eventually(async () => (await keptDeliveries(env)).find((d) => d.state === 'unmatched'), 15_000, 'the status kept as unmatched');
    expect(unmatched.last_error).toMatch(/no message with external id wamid\.never-sent-1/);
    expect(JSON.stringify(unmatched.events)).toContain('wamid.never-sent-1');
    expect((await env.api('GET', '/readyz', undefined, { token: null })).status).toBe(200);
  });

  it('does not hold back the rest of its delivery: the inbound message beside it is stored at once', async () => {
    const posted = await env.postWebhook(inbox.id, inbox.webhookSecret, {
      events: [testEvents.status('wamid.never-sent-2', 'read', clock.now()), testEvents.text('in-beside-1', { id: '6281100000042', name: 'Dewi' }, 'Halo', clock.now())],
    });
    expect(posted.status).toBe(200);
    const list = await env.api('GET', '/api/v1/conversations');
    expect(list.body.items.some((c: { contact: { externalId: string } }) => c.contact.externalId === '6281100000042')).toBe(true);
    expect((await keptDeliveries(env)).some((d) => JSON.stringify(d.events).includes('wamid.never-sent-2'))).toBe(true);
  });
});
