import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEvents } from '../test-channel/test-webhook.js';
import { type TestObrol, eventually, startTestObrol } from '../test-env.js';
import { availableStacks } from './stacks.js';

const stacks = await availableStacks();

/** An API key limited to inboxes and to read or send can do nothing else, over REST or the socket. */
for (const stack of stacks) describe.skipIf(!stack.run)(`API key scopes on ${stack.name}`, () => {
  let env: TestObrol;
  let sales: { id: string; webhookSecret: string };
  let support: { id: string; webhookSecret: string };
  const conversations: Record<string, string> = {};

  const key = async (body: Record<string, unknown>) => {
    const r = await env.api('POST', '/api/v1/api-keys', { name: 'backend', ...body });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as { key: string; inboxIds: string[] | null; scopes: string[] };
  };

  beforeAll(async () => {
    env = await startTestObrol({ database: stack.database, bus: stack.bus });
    sales = await env.createTestChannel('Sales');
    support = await env.createTestChannel('Support');
    for (const [inbox, customer] of [[sales, '6281800000001'], [support, '6281800000002']] as const) {
      await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text(`scope-${customer}`, { id: customer }, 'halo')] });
      const c = await eventually(async () => (await env.api('GET', '/api/v1/conversations')).body.items.find((x: { channelAccountId: string }) => x.channelAccountId === inbox.id), 10_000, 'conversation');
      conversations[inbox.id] = c.id;
    }
  });
  afterAll(async () => {
    await env?.close();
  });

  it('a key without limits keeps every inbox and both scopes, as keys always had', async () => {
    const k = await key({});
    expect(k).toMatchObject({ inboxIds: null, scopes: ['read', 'send'] });
    expect((await env.api('GET', '/api/v1/conversations', undefined, { token: k.key })).body.items).toHaveLength(2);
  });

  it('a key limited to one inbox sees and sends only there', async () => {
    const k = await key({ inboxIds: [sales.id] });
    const list = await env.api('GET', '/api/v1/conversations', undefined, { token: k.key });
    expect(list.body.items.map((c: { channelAccountId: string }) => c.channelAccountId)).toEqual([sales.id]);
    expect((await env.api('GET', `/api/v1/conversations/${conversations[support.id]}`, undefined, { token: k.key })).status).toBe(404);
    expect((await env.api('GET', `/api/v1/conversations/${conversations[support.id]}/messages`, undefined, { token: k.key })).status).toBe(404);
    const text = { type: 'text', text: 'pesanan dikirim' };
    expect((await env.api('POST', '/api/v1/messages', { channelAccountId: support.id, to: '+6281800000002', content: text }, { token: k.key })).status).toBe(404);
    expect((await env.api('POST', '/api/v1/messages', { channelAccountId: sales.id, to: '+6281800000001', content: text }, { token: k.key })).status).toBe(202);
    const socket = await env.realtime(k.key);
    await env.postWebhook(support.id, support.webhookSecret, { events: [testEvents.text('scope-other', { id: '6281800000002' }, 'lagi')] });
    await env.postWebhook(sales.id, sales.webhookSecret, { events: [testEvents.text('scope-mine', { id: '6281800000001' }, 'lagi')] });
    await socket.waitFor((f) => f.type === 'message.created' && f.data.message.externalId === 'scope-mine');
    expect(socket.frames.some((f) => f.channelAccountId === support.id)).toBe(false);
    socket.close();
  });

  it('a send-only key sends but reads nothing, and may not open the socket', async () => {
    const k = await key({ scopes: ['send'] });
    const refused = await env.api('GET', '/api/v1/conversations', undefined, { token: k.key });
    expect(refused.body).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
    expect(refused.body.message).toContain('read');
    expect((await env.api('GET', `/api/v1/conversations/${conversations[sales.id]}/messages`, undefined, { token: k.key })).status).toBe(403);
    expect((await env.api('POST', '/api/v1/messages', { channelAccountId: sales.id, to: '+6281800000001', content: { type: 'text', text: 'otp 1234' } }, { token: k.key })).status).toBe(202);
    await expect(env.realtime(k.key)).rejects.toThrow(/403/);
  });

  it('a read-only key reads but may not send or change anything', async () => {
    const k = await key({ scopes: ['read'] });
    expect((await env.api('GET', '/api/v1/conversations', undefined, { token: k.key })).status).toBe(200);
    const send = await env.api('POST', `/api/v1/conversations/${conversations[sales.id]}/messages`, { content: { type: 'text', text: 'x' } }, { token: k.key });
    expect(send.body).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
    expect((await env.api('PATCH', `/api/v1/conversations/${conversations[sales.id]}`, { status: 'resolved' }, { token: k.key })).status).toBe(403);
    const socket = await env.realtime(k.key);
    socket.close();
  });

  it('refuses unknown inboxes or scopes, and documents scopes in OpenAPI', async () => {
    expect((await env.api('POST', '/api/v1/api-keys', { name: 'x', inboxIds: ['01a00000-0000-7000-8000-000000000000'] })).body.code).toBe('VALIDATION_FAILED');
    expect((await env.api('POST', '/api/v1/api-keys', { name: 'x', scopes: ['admin'] })).body.code).toBe('VALIDATION_FAILED');
    const doc = (await env.api('GET', '/api/openapi.json', undefined, { token: null })).body;
    expect(doc.paths['/api/v1/messages'].post['x-obrol-api-key-scope']).toBe('send');
    expect(JSON.stringify(doc.paths['/api/v1/api-keys'].post.requestBody)).toContain('scopes');
  });
});
