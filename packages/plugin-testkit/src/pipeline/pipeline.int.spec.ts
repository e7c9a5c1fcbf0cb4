import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../test-clock.js';
import { testEvents } from '../test-channel/test-webhook.js';
import { TestProvider } from '../test-channel/test-provider.js';
import { type TestObrol, eventually, startTestObrol } from '../test-env.js';
import { availableStacks } from './stacks.js';

const HOUR = 60 * 60 * 1000;
const stacks = await availableStacks();

// A stack whose services are missing (outside CI) still lists every test, as skipped.
for (const stack of stacks) describe.skipIf(!stack.run)(`core pipeline on ${stack.name}`, () => {
  const start = new Date('2026-11-20T08:00:00.000Z');
  const clock = new TestClock(start);
  const provider = new TestProvider();
  let env: TestObrol;
  let inbox: { id: string; webhookSecret: string };
  let otherInbox: { id: string; webhookSecret: string };
  let agentToken: string;
  let outsiderToken: string;

  beforeAll(async () => {
    env = await startTestObrol({ database: stack.database, bus: stack.bus, clock, provider });
    inbox = await env.createTestChannel('Support');
    otherInbox = await env.createTestChannel('Sales');
    const agent = await env.api('POST', '/api/v1/agents', { email: 'ana@example.test', name: 'Ana', password: 'ana-password-1', inboxIds: [inbox.id] });
    expect(agent.status).toBe(201);
    const outsider = await env.api('POST', '/api/v1/agents', { email: 'omar@example.test', name: 'Omar', password: 'omar-password-1', inboxIds: [otherInbox.id] });
    expect(outsider.status).toBe(201);
    agentToken = await env.login('ana@example.test', 'ana-password-1');
    outsiderToken = await env.login('omar@example.test', 'omar-password-1');
  });
  afterAll(async () => {
    await env?.close();
  });

  const customer = { id: '6281100000001', phone: '+6281100000001', name: 'Sari' };

  async function conversationOf(token: string, contactExternalId: string) {
    const list = await env.api('GET', '/api/v1/conversations', undefined, { token });
    return (list.body.items as { id: string; contact: { externalId: string } }[]).find((c) => c.contact.externalId === contactExternalId);
  }

  it('stores an inbound webhook once, shows it in the list and pushes it over the WebSocket to inbox members only', async () => {
    const agentSocket = await env.realtime(agentToken);
    const outsiderSocket = await env.realtime(outsiderToken);
    const payload = { events: [testEvents.text('in-1', customer, 'Halo, pesanan saya belum sampai', clock.now())] };
    for (let i = 0; i < 3; i++) {
      const r = await env.postWebhook(inbox.id, inbox.webhookSecret, payload);
      expect(r.status).toBe(200);
    }
    const frame = await agentSocket.waitFor((f) => f.type === 'message.created' && f.data.message.externalId === 'in-1');
    expect(frame.data.message.content).toEqual({ type: 'text', text: 'Halo, pesanan saya belum sampai' });
    expect(frame.data.conversation.window.open).toBe(true);

    const conversation = await conversationOf(agentToken, customer.id);
    expect(conversation).toBeDefined();
    const messages = await env.api('GET', `/api/v1/conversations/${conversation!.id}/messages`, undefined, { token: agentToken });
    expect(messages.status).toBe(200);
    expect(messages.body.items.filter((m: { externalId: string }) => m.externalId === 'in-1')).toHaveLength(1);

    // A marker message lets us know the outsider's socket has seen everything published so far.
    await env.postWebhook(otherInbox.id, otherInbox.webhookSecret, { events: [testEvents.text('sales-1', { id: '6289900000009' }, 'marker', clock.now())] });
    await outsiderSocket.waitFor((f) => f.type === 'message.created' && f.data.message.externalId === 'sales-1');
    expect(outsiderSocket.frames.some((f) => f.data?.message?.externalId === 'in-1')).toBe(false);
    agentSocket.close();
    outsiderSocket.close();
  });

  it('answers 404 to an agent outside the inbox', async () => {
    const conversation = await conversationOf(agentToken, customer.id);
    expect((await env.api('GET', `/api/v1/conversations/${conversation!.id}`, undefined, { token: outsiderToken })).status).toBe(404);
    expect((await env.api('GET', `/api/v1/conversations/${conversation!.id}/messages`, undefined, { token: outsiderToken })).status).toBe(404);
    const send = await env.api('POST', `/api/v1/conversations/${conversation!.id}/messages`, { content: { type: 'text', text: 'hi' } }, { token: outsiderToken });
    expect(send.status).toBe(404);
    expect(await conversationOf(outsiderToken, customer.id)).toBeUndefined();
    expect((await env.api('POST', `/api/v1/conversations/${conversation!.id}/typing`, undefined, { token: outsiderToken })).status).toBe(404);
  });

  it("sends no typing indicator on a channel that does not declare it, and says so quietly", async () => {
    const conversation = await conversationOf(agentToken, customer.id);
    const typing = await env.api('POST', `/api/v1/conversations/${conversation!.id}/typing`, undefined, { token: agentToken });
    expect(typing.status).toBe(200);
    expect(typing.body).toEqual({ sent: false, reason: 'not_supported' });
  });

  it('refuses a forged signature and stores nothing', async () => {
    const r = await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text('forged-1', customer, 'evil', clock.now())] }, { signature: 'deadbeef' });
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    const conversation = await conversationOf(agentToken, customer.id);
    const messages = await env.api('GET', `/api/v1/conversations/${conversation!.id}/messages`, undefined, { token: agentToken });
    expect(messages.body.items.some((m: { externalId: string }) => m.externalId === 'forged-1')).toBe(false);
  });

  it('sends a reply through the plugin and moves its status forward only', async () => {
    const conversation = await conversationOf(agentToken, customer.id);
    const sent = await env.api('POST', `/api/v1/conversations/${conversation!.id}/messages`, { content: { type: 'text', text: 'Baik kak, kami cek' } }, { token: agentToken });
    expect(sent.status).toBe(202);
    expect(sent.body.status).toBe('queued');
    const delivered = await eventually(() => provider.sent.find((s) => s.message.messageId === sent.body.id), 10_000, 'the provider to receive the reply');
    expect(delivered.message.content).toEqual({ type: 'text', text: 'Baik kak, kami cek' });
    expect(delivered.message.to.externalId).toBe(customer.id);
    const get = () => env.api('GET', `/api/v1/conversations/${conversation!.id}/messages`, undefined, { token: agentToken }).then((r) => r.body.items.find((m: { id: string }) => m.id === sent.body.id));
    const afterSend = await eventually(async () => ((await get()).status === 'sent' ? get() : null), 10_000, 'status sent');
    expect(afterSend.externalId).toBe(delivered.externalId);

    // read arrives before delivered (out of order), and each twice
    const read = { events: [testEvents.status(delivered.externalId, 'read', clock.now())] };
    const late = { events: [testEvents.status(delivered.externalId, 'delivered', clock.now())] };
    for (const p of [read, read, late, late]) expect((await env.postWebhook(inbox.id, inbox.webhookSecret, p)).status).toBe(200);
    await eventually(async () => (await get()).status === 'read', 10_000, 'status read');
    // The late "delivered" deliveries are processed after "read" and must not move it back.
    await new Promise((r) => setTimeout(r, 300));
    expect((await get()).status).toBe('read');
  });

  it('keeps a status that arrives before its send was recorded, and applies it once the message exists', async () => {
    const conversation = await conversationOf(agentToken, customer.id);
    const nextExternalId = `test-out-${provider.sent.length + 1}`;
    expect((await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.status(nextExternalId, 'delivered', clock.now())] })).status).toBe(200);
    const sent = await env.api('POST', `/api/v1/conversations/${conversation!.id}/messages`, { content: { type: 'text', text: 'status came first' } }, { token: agentToken });
    await eventually(() => provider.sent.find((s) => s.message.messageId === sent.body.id), 10_000, 'the send');
    expect(provider.sent.find((s) => s.message.messageId === sent.body.id)!.externalId).toBe(nextExternalId);
    await eventually(async () => {
      const list = await env.api('GET', `/api/v1/conversations/${conversation!.id}/messages`, undefined, { token: agentToken });
      return list.body.items.find((m: { id: string; status: string }) => m.id === sent.body.id && m.status === 'delivered');
    }, 15_000, 'the early status to be applied on retry');
  });

  it('refuses a session message at 24:00:01 with WINDOW_CLOSED and accepts it at 23:59:59', async () => {
    const buyer = { id: '6281100000002', name: 'Budi' };
    const wroteAt = clock.now();
    await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text('in-window-1', buyer, 'still in stock?', wroteAt)] });
    const conversation = await eventually(() => conversationOf(agentToken, buyer.id), 10_000, 'the conversation');
    const reply = () => env.api('POST', `/api/v1/conversations/${conversation.id}/messages`, { content: { type: 'text', text: 'yes' } }, { token: agentToken });

    clock.set(new Date(wroteAt.getTime() + 24 * HOUR - 1000));
    const inTime = await reply();
    expect(inTime.status).toBe(202);
    const view = await env.api('GET', `/api/v1/conversations/${conversation.id}`, undefined, { token: agentToken });
    expect(view.body.window).toEqual({ open: true, expiresAt: new Date(wroteAt.getTime() + 24 * HOUR).toISOString(), closingSoon: true });

    clock.set(new Date(wroteAt.getTime() + 24 * HOUR + 1000));
    const late = await reply();
    expect(late.status).toBe(422);
    expect(late.body.code).toBe('WINDOW_CLOSED');
    const closed = await env.api('GET', `/api/v1/conversations/${conversation.id}`, undefined, { token: agentToken });
    expect(closed.body.canReply).toBe(false);
    const lists = await Promise.all(
      ['open', 'closing', 'closed'].map((w) => env.api('GET', `/api/v1/conversations?window=${w}`, undefined, { token: agentToken }).then((r) => r.body.items.map((c: { id: string }) => c.id))),
    );
    expect(lists[0]).not.toContain(conversation.id);
    expect(lists[1]).not.toContain(conversation.id);
    expect(lists[2]).toContain(conversation.id);
    clock.set(start);
  });

  it('sends a template outside the window after checking it exists, is approved and gets its parameters', async () => {
    provider.templates.push(
      { name: 'order_update', language: 'id', category: 'UTILITY', parameterFormat: 'positional', status: 'APPROVED', components: { body: { text: 'Pesanan {{1}} sudah dikirim.' } } },
      { name: 'promo_draft', language: 'id', category: 'MARKETING', parameterFormat: 'positional', status: 'PENDING', components: { body: { text: 'Diskon!' } } },
    );
    expect((await env.api('POST', `/api/v1/channels/${inbox.id}/templates/sync`)).status).toBe(200);
    clock.set(new Date(start.getTime() + 48 * HOUR));
    const conversation = await conversationOf(agentToken, customer.id);
    const send = (template: unknown) => env.api('POST', `/api/v1/conversations/${conversation!.id}/messages`, { template }, { token: agentToken });
    expect((await send({ name: 'nope', language: 'id' })).body.code).toBe('TEMPLATE_NOT_FOUND');
    expect((await send({ name: 'promo_draft', language: 'id' })).body.code).toBe('TEMPLATE_NOT_APPROVED');
    const badParams = await send({ name: 'order_update', language: 'id', parameters: { body: [] } });
    expect(badParams.status).toBe(422);
    expect(badParams.body.code).toBe('TEMPLATE_PARAMS_INVALID');
    const ok = await send({ name: 'order_update', language: 'id', parameters: { body: [{ type: 'text', text: '#1042' }] } });
    expect(ok.status).toBe(202);
    expect(ok.body.content.template.renderedText).toBe('Pesanan #1042 sudah dikirim.');
    await eventually(() => provider.sent.find((s) => s.message.messageId === ok.body.id), 10_000, 'the template send');
    clock.set(start);
  });

  it('retries a retryable provider failure and records a final one with its error', async () => {
    const conversation = await conversationOf(agentToken, customer.id);
    provider.failNext({ code: 'CHANNEL_UNAVAILABLE', message: 'provider down', retryable: true, retryAfterMs: 10 });
    const retried = await env.api('POST', `/api/v1/conversations/${conversation!.id}/messages`, { content: { type: 'text', text: 'after a hiccup' } }, { token: agentToken });
    await eventually(() => provider.sent.find((s) => s.message.messageId === retried.body.id), 15_000, 'the retried send');

    provider.failNext({ code: 'RECIPIENT_UNDELIVERABLE', message: 'This number cannot receive messages.', retryable: false, providerCode: 131026 });
    const failed = await env.api('POST', `/api/v1/conversations/${conversation!.id}/messages`, { content: { type: 'text', text: 'doomed' } }, { token: agentToken });
    const message = await eventually(async () => {
      const list = await env.api('GET', `/api/v1/conversations/${conversation!.id}/messages`, undefined, { token: agentToken });
      const m = list.body.items.find((x: { id: string }) => x.id === failed.body.id);
      return m?.status === 'failed' ? m : null;
    }, 10_000, 'the failed status');
    expect(message.error).toMatchObject({ code: 'RECIPIENT_UNDELIVERABLE', retryable: false, providerCode: 131026 });
  });

  it('lets a back-end system send to a phone number with an API key, idempotently', async () => {
    const key = await env.api('POST', '/api/v1/api-keys', { name: 'billing' });
    expect(key.status).toBe(201);
    const token = key.body.key as string;
    const body = { channelAccountId: inbox.id, to: '+6281100000003', template: { name: 'order_update', language: 'id', parameters: { body: [{ type: 'text', text: '#77' }] } } };
    const first = await env.api('POST', '/api/v1/messages', body, { token, headers: { 'idempotency-key': 'invoice-77' } });
    expect(first.body).toMatchObject({ status: 'queued' });
    expect(first.status).toBe(202);
    const again = await env.api('POST', '/api/v1/messages', body, { token, headers: { 'idempotency-key': 'invoice-77' } });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const conflict = await env.api('POST', '/api/v1/messages', { ...body, to: '+6281100000004' }, { token, headers: { 'idempotency-key': 'invoice-77' } });
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('IDEMPOTENCY_CONFLICT');
    const session = await env.api('POST', '/api/v1/messages', { channelAccountId: inbox.id, to: '+6281100000005', content: { type: 'text', text: 'hi' } }, { token });
    expect(session.status).toBe(422);
    expect(session.body.code).toBe('WINDOW_CLOSED');
    await eventually(() => provider.sent.filter((s) => s.message.messageId === first.body.id).length === 1, 10_000, 'one send');

    expect((await env.api('DELETE', `/api/v1/api-keys/${key.body.id}`)).status).toBe(204);
    const revoked = await env.api('GET', '/api/v1/me', undefined, { token });
    expect(revoked.status).toBe(401);
  });
});
