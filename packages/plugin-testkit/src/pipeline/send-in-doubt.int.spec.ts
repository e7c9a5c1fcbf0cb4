import { DEFAULT_SEND_IN_DOUBT_GRACE_MS, InDoubtSendReconciler } from '@obrol/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../test-clock.js';
import { testEvents } from '../test-channel/test-webhook.js';
import { TestProvider } from '../test-channel/test-provider.js';
import { type TestObrol, eventually, startTestObrol } from '../test-env.js';
import { availableStacks } from './stacks.js';

const GRACE = DEFAULT_SEND_IN_DOUBT_GRACE_MS;
const stacks = await availableStacks();

/**
 * A send whose outcome was never recorded (the sender died mid-call) is in doubt: it is never
 * sent again while in doubt, a status echoing our id settles it, and with no such evidence it
 * is sent again once, after the grace period.
 */
for (const stack of stacks) describe.skipIf(!stack.run)(`in-doubt sends on ${stack.name}`, () => {
  const clock = new TestClock(new Date('2026-11-20T08:00:00.000Z'));
  const provider = new TestProvider();
  let env: TestObrol;
  let inbox: { id: string; webhookSecret: string };
  let conversationId: string;
  let reconciler: InDoubtSendReconciler;

  beforeAll(async () => {
    env = await startTestObrol({ database: stack.database, bus: stack.bus, clock, provider });
    inbox = await env.createTestChannel();
    await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text('in-doubt-1', { id: '6281300000001', name: 'Rina' }, 'halo', clock.now())] });
    conversationId = (await env.api('GET', '/api/v1/conversations')).body.items[0].id;
    reconciler = env.app.app.get(InDoubtSendReconciler);
  });
  afterAll(async () => {
    await env?.close();
  });

  async function messageOf(id: string): Promise<{ id: string; status: string; externalId: string | null }> {
    const list = await env.api('GET', `/api/v1/conversations/${conversationId}/messages`);
    return list.body.items.find((m: { id: string }) => m.id === id);
  }

  async function reply(text: string): Promise<string> {
    const r = await env.api('POST', `/api/v1/conversations/${conversationId}/messages`, { content: { type: 'text', text } });
    expect(r.status).toBe(202);
    return r.body.id as string;
  }

  const callsFor = (id: string) => provider.calls.filter((c) => c.message.messageId === id);

  it('a status echoing our id settles a send whose answer was lost, and it is never sent again', async () => {
    provider.crashNext({ reachedProvider: true });
    const id = await reply('pesanan sudah dikirim');
    const accepted = await eventually(() => provider.sent.find((s) => s.message.messageId === id), 10_000, 'the provider to accept the send');
    expect(await messageOf(id)).toMatchObject({ status: 'queued', externalId: null });

    const status = await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.status(accepted.externalId, 'delivered', clock.now(), undefined, id)] });
    expect(status.status).toBe(200);
    const settled = await eventually(async () => {
      const m = await messageOf(id);
      return m.status === 'delivered' ? m : null;
    }, 10_000, 'the status to settle the send');
    expect(settled.externalId).toBe(accepted.externalId);

    clock.advance(GRACE + 1);
    expect(await reconciler.reconcile()).toBe(0);
    expect(callsFor(id)).toHaveLength(1);
  });

  it('with no evidence it waits the grace period, then sends again exactly once', async () => {
    provider.crashNext({ reachedProvider: false });
    const id = await reply('sebentar ya');
    await eventually(() => callsFor(id).length === 1, 10_000, 'the lost send');
    expect(await messageOf(id)).toMatchObject({ status: 'queued', externalId: null });

    clock.advance(GRACE - 1000);
    expect(await reconciler.reconcile()).toBe(0);
    expect(await messageOf(id)).toMatchObject({ status: 'queued' });

    clock.advance(1000);
    expect(await reconciler.reconcile()).toBe(1);
    const resent = await eventually(() => provider.sent.find((s) => s.message.messageId === id), 10_000, 'the send after the grace period');
    const sent = await eventually(async () => {
      const m = await messageOf(id);
      return m.status === 'sent' ? m : null;
    }, 10_000, 'status sent');
    expect(sent.externalId).toBe(resent.externalId);

    clock.advance(GRACE + 1);
    expect(await reconciler.reconcile()).toBe(0);
    expect(callsFor(id)).toHaveLength(2);
    expect(provider.sent.filter((s) => s.message.messageId === id)).toHaveLength(1);
  });

  it('a status echoing our id for a second copy leaves the message as recorded', async () => {
    const id = await reply('terima kasih');
    const first = await eventually(() => provider.sent.find((s) => s.message.messageId === id), 10_000, 'the send');
    await eventually(async () => (await messageOf(id)).status === 'sent', 10_000, 'status sent');
    const r = await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.status('test-out-other-copy', 'read', clock.now(), undefined, id)] });
    expect(r.status).toBe(200);
    // A later ordinary status for the recorded copy shows the webhook above was applied before it.
    await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.status(first.externalId, 'delivered', clock.now())] });
    const m = await eventually(async () => {
      const current = await messageOf(id);
      return current.status === 'delivered' ? current : null;
    }, 10_000, 'status delivered');
    expect(m.externalId).toBe(first.externalId);
  });
});
