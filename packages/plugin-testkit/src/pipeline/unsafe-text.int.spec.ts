import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEvents } from '../test-channel/test-webhook.js';
import { type TestObrol, eventually, startTestObrol } from '../test-env.js';
import { availableStacks } from './stacks.js';

const stacks = await availableStacks();

/** NUL bytes and lone surrogates, from a client or from a provider, are stored cleaned, never a 500 or a lost delivery. */
for (const stack of stacks) describe.skipIf(!stack.run)(`NULs and lone surrogates on ${stack.name}`, () => {
  let env: TestObrol;
  let inbox: { id: string; webhookSecret: string };

  beforeAll(async () => {
    env = await startTestObrol({ database: stack.database, bus: stack.bus });
    inbox = await env.createTestChannel();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('a NUL in a route param is a 404, in a query a 400, not a 500', async () => {
    expect((await env.api('GET', '/api/v1/conversations/%00')).body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    expect((await env.api('GET', '/api/v1/conversations?q=%00%ED%A0%80x')).status).toBe(200);
  });

  it('stores API input without NULs and with lone surrogates replaced', async () => {
    const key = await env.api('POST', '/api/v1/api-keys', undefined, { raw: '{"name":"a\\u0000b\\ud800"}', headers: { 'content-type': 'application/json' } });
    expect(key.status).toBe(201);
    expect(key.body.name).toBe('ab\uFFFD');
  });

  it("keeps a customer's message and profile name that carry NULs and lone surrogates", async () => {
    const from = { id: '6281600000001', name: 'Sa\u0000ri \uD800' };
    const r = await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text('nul-1', from, 'ha\u0000lo \uDC00 \uD83D\uDE00')] });
    expect(r.status).toBe(200);
    const conversation = await eventually(async () => (await env.api('GET', '/api/v1/conversations')).body.items.find((c: { contact: { externalId: string } }) => c.contact.externalId === from.id), 10_000, 'the conversation');
    expect(conversation.contact.name).toBe('Sari \uFFFD');
    const messages = await env.api('GET', `/api/v1/conversations/${conversation.id}/messages`);
    expect(messages.body.items[0].content.text).toBe('halo \uFFFD \uD83D\uDE00');

    const reply = await env.api('POST', `/api/v1/conversations/${conversation.id}/messages`, undefined, { raw: '{"content":{"type":"text","text":"ok\\ud800\\u0000"}}', headers: { 'content-type': 'application/json' } });
    expect(reply.status).toBe(202);
    expect(reply.body.content.text).toBe('ok\uFFFD');
  });
});

/** Values longer than the columns are refused or cut the same way on both databases, never acknowledged and then lost. */
for (const stack of stacks) describe.skipIf(!stack.run)(`over-long provider values on ${stack.name}`, () => {
  let env: TestObrol;
  let inbox: { id: string; webhookSecret: string };

  beforeAll(async () => {
    env = await startTestObrol({ database: stack.database, bus: stack.bus });
    inbox = await env.createTestChannel();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('refuses an external id over the limit with 400 naming the field', async () => {
    const longMessageId = await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text('m'.repeat(256), { id: '6281700000001' }, 'halo')] });
    expect(longMessageId.body).toMatchObject({ statusCode: 400, code: 'WEBHOOK_PAYLOAD_INVALID' });
    expect(longMessageId.body.message).toContain('255');
    const longContactId = await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text('ok-id', { id: '6'.repeat(129) }, 'halo')] });
    expect(longContactId.body).toMatchObject({ statusCode: 400, code: 'WEBHOOK_PAYLOAD_INVALID' });
    const longStatusId = await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.status('s'.repeat(300), 'delivered')] });
    expect(longStatusId.status).toBe(400);
    expect((await env.api('GET', '/api/v1/conversations')).body.items).toEqual([]);
  });

  it('stores a message whose profile name is over the limit, with the name cut to 200 characters', async () => {
    const name = `${'Ñ'.repeat(199)}\uD83D\uDE00tail`;
    const r = await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text('long-name-1', { id: '6281700000002', phone: `+${'1'.repeat(30)}`, name }, 'halo')] });
    expect(r.status).toBe(200);
    const conversation = await eventually(async () => (await env.api('GET', '/api/v1/conversations')).body.items.find((c: { contact: { externalId: string } }) => c.contact.externalId === '6281700000002'), 10_000, 'the conversation');
    expect(conversation.contact.name).toBe(`${'Ñ'.repeat(199)}\uD83D\uDE00`);
    expect(conversation.contact.phone).toBeNull();
  });
});
