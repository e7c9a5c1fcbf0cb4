import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEvents } from '../test-channel/test-webhook.js';
import { TestProvider } from '../test-channel/test-provider.js';
import { type TestObrol, eventually, freshPostgresDatabase, startTestObrol } from '../test-env.js';
import { availableStacks } from './stacks.js';

/** What a receiver gets. */
interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: { id: string; type: string; createdAt: string; tenant?: string; data: Record<string, any> };
}

/** A real HTTP receiver on loopback; `answer` decides each response's status. */
async function startReceiver(answer: (request: Received, index: number) => number = () => 200) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const request = { headers: req.headers, body, json: JSON.parse(body) };
      received.push(request);
      const status = receiver.answer(request, received.length - 1);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'thanks' : `no: ${status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const receiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    answer,
    of: (type: string) => received.filter((r) => r.json.type === type),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return receiver;
}

/** The verification the docs show a receiver: HMAC-SHA256 of "<t>.<raw body>", constant-time compare, 5-minute tolerance. */
function verify(header: string | undefined, rawBody: string, secret: string): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > 300 || !parts.v1) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const stacks = await availableStacks();
const fast = { pollIntervalMs: 100, retry: { baseDelayMs: 50, maxDelayMs: 200 } };
const customer = { id: '6281100000077', phone: '+6281100000077', name: 'Dewi' };

for (const stack of stacks) describe.skipIf(!stack.run)(`outbound webhooks on ${stack.name}`, () => {
  const provider = new TestProvider();
  let env: TestObrol;
  let inbox: { id: string; webhookSecret: string };
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let endpoint: { id: string; secret: string };

  beforeAll(async () => {
    env = await startTestObrol({ database: stack.database, bus: stack.bus, provider, outboundWebhooks: fast });
    inbox = await env.createTestChannel('Support');
    receiver = await startReceiver();
    const created = await env.api('POST', '/api/v1/webhook-endpoints', { url: receiver.url, events: ['message.*'], description: 'CRM' });
    expect(created.status).toBe(201);
    endpoint = created.body;
  });
  afterAll(async () => {
    await env?.close();
    await receiver?.close();
  });

  it('lists every fact as a subscribable event', async () => {
    const r = await env.api('GET', '/api/v1/webhook-events');
    expect(r.status).toBe(200);
    expect(r.body.data.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['message.received', 'message.sent', 'message.status', 'conversation.opened', 'conversation.assigned', 'conversation.resolved', 'template.status']),
    );
  });

  it('shows the secret once, and the endpoint without it', async () => {
    expect(endpoint.secret).toMatch(/^whsec_/);
    const r = await env.api('GET', `/api/v1/webhook-endpoints/${endpoint.id}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: endpoint.id, url: receiver.url, description: 'CRM', events: ['message.*'], enabled: true });
    expect(r.body.secret).toBeUndefined();
    expect(JSON.stringify((await env.api('GET', '/api/v1/webhook-endpoints')).body)).not.toContain(endpoint.secret);
  });

  it('delivers a signed message.received after an inbound webhook', async () => {
    expect((await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text('wh-in-1', customer, 'Halo, paket saya di mana?')] })).status).toBe(200);
    const got = await eventually(() => receiver.of('message.received').find((r) => r.json.data.message.externalId === 'wh-in-1'), 15_000, 'message.received at the receiver');
    expect(verify(got.headers['obrol-signature'] as string, got.body, endpoint.secret)).toBe(true);
    expect(verify(got.headers['obrol-signature'] as string, got.body, 'whsec_wrong')).toBe(false);
    expect(got.headers['obrol-event-id']).toBe(got.json.id);
    expect(got.headers['obrol-event-type']).toBe('message.received');
    expect(got.json.data.message.content).toEqual({ type: 'text', text: 'Halo, paket saya di mana?' });
    expect(got.json.data.conversationId).toEqual(expect.any(String));
    expect(got.json.data).not.toHaveProperty('eventId');
    expect(got.json.data).not.toHaveProperty('schemaVersion');
    // Subscribed to message.* only: conversation.opened (same inbound) is not sent.
    expect(receiver.received.some((r) => r.json.type.startsWith('conversation.'))).toBe(false);

    const list = await eventually(async () => {
      const r = await env.api('GET', `/api/v1/webhook-endpoints/${endpoint.id}/deliveries?status=succeeded`);
      return r.body.data.find((d: { eventId: string }) => d.eventId === got.json.id);
    }, 10_000, 'the delivery to be recorded as succeeded');
    expect(list).toMatchObject({ eventType: 'message.received', status: 'succeeded', attempts: 1, lastResponseStatus: 200, lastResponseBody: 'thanks', lastError: null, nextAttemptAt: null });
    const view = await env.api('GET', `/api/v1/webhook-endpoints/${endpoint.id}`);
    expect(view.body.lastDelivery).toMatchObject({ status: 'succeeded', responseStatus: 200 });
  });

  it('delivers message.sent and message.status after a send', async () => {
    const conversations = await env.api('GET', '/api/v1/conversations');
    const conversation = conversations.body.items.find((c: { contact: { externalId: string } }) => c.contact.externalId === customer.id);
    const sent = await env.api('POST', `/api/v1/conversations/${conversation.id}/messages`, { content: { type: 'text', text: 'Sedang dikirim kak' } });
    expect(sent.status).toBe(202);
    const delivered = await eventually(() => provider.sent.find((s) => s.message.messageId === sent.body.id), 10_000, 'the provider to get the send');
    await eventually(() => receiver.of('message.sent').find((r) => r.json.data.message.id === sent.body.id), 15_000, 'message.sent at the receiver');
    expect((await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.status(delivered.externalId, 'delivered')] })).status).toBe(200);
    const status = await eventually(
      () => receiver.of('message.status').find((r) => r.json.data.message.id === sent.body.id && r.json.data.message.status === 'delivered'),
      15_000,
      'message.status at the receiver',
    );
    expect(verify(status.headers['obrol-signature'] as string, status.body, endpoint.secret)).toBe(true);
  });

  it('retries a receiver that fails three times, then records the success', async () => {
    const flaky = await startReceiver((_r, i) => (i < 3 ? 503 : 200));
    const created = await env.api('POST', '/api/v1/webhook-endpoints', { url: flaky.url, events: ['message.received'] });
    expect(created.status).toBe(201);
    try {
      await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text('wh-in-flaky', customer, 'Tolong dicek')] });
      const delivery = await eventually(async () => {
        const r = await env.api('GET', `/api/v1/webhook-endpoints/${created.body.id}/deliveries`);
        return r.body.data.find((d: { status: string }) => d.status === 'succeeded');
      }, 15_000, 'the flaky delivery to succeed');
      expect(delivery.attempts).toBe(4);
      expect(flaky.received).toHaveLength(4);
      expect(new Set(flaky.received.map((r) => r.json.id)).size).toBe(1);
      expect(flaky.received.every((r) => verify(r.headers['obrol-signature'] as string, r.body, created.body.secret))).toBe(true);
    } finally {
      await env.api('DELETE', `/api/v1/webhook-endpoints/${created.body.id}`);
      await flaky.close();
    }
  });

  it('keeps the last error and response of a failing attempt', async () => {
    const down = await startReceiver(() => 500);
    const created = await env.api('POST', '/api/v1/webhook-endpoints', { url: down.url, events: ['message.received'] });
    try {
      await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text('wh-in-down', customer, 'Halo?')] });
      const delivery = await eventually(async () => {
        const r = await env.api('GET', `/api/v1/webhook-endpoints/${created.body.id}/deliveries?status=pending`);
        return r.body.data.find((d: { attempts: number }) => d.attempts >= 1);
      }, 15_000, 'a failed attempt');
      expect(delivery).toMatchObject({ status: 'pending', lastResponseStatus: 500, lastResponseBody: 'no: 500', lastError: 'the receiver answered HTTP 500' });
      expect(delivery.nextAttemptAt).toEqual(expect.any(String));
    } finally {
      await env.api('DELETE', `/api/v1/webhook-endpoints/${created.body.id}`);
      await down.close();
    }
  });

  it('replays a delivery that already succeeded, with the same event id', async () => {
    const first = receiver.of('message.received').find((r) => r.json.data.message.externalId === 'wh-in-1')!;
    const list = await env.api('GET', `/api/v1/webhook-endpoints/${endpoint.id}/deliveries`);
    const delivery = list.body.data.find((d: { eventId: string }) => d.eventId === first.json.id);
    const before = receiver.received.length;
    const replay = await env.api('POST', `/api/v1/webhook-deliveries/${delivery.id}/replay`);
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ id: delivery.id, status: 'succeeded', attempts: delivery.attempts + 1, payload: { id: first.json.id, type: 'message.received' } });
    const again = receiver.received.slice(before).find((r) => r.json.id === first.json.id);
    expect(again).toBeDefined();
    expect(verify(again!.headers['obrol-signature'] as string, again!.body, endpoint.secret)).toBe(true);
    const detail = await env.api('GET', `/api/v1/webhook-deliveries/${delivery.id}`);
    expect(detail.body.payload.data.message.externalId).toBe('wh-in-1');
  });

  it('sends a ping on test and signs with the new secret after a rotation', async () => {
    const ping = await env.api('POST', `/api/v1/webhook-endpoints/${endpoint.id}/test`);
    expect(ping.status).toBe(200);
    expect(ping.body).toMatchObject({ eventType: 'ping', status: 'succeeded', attempts: 1 });
    const got = receiver.of('ping').at(-1)!;
    expect(verify(got.headers['obrol-signature'] as string, got.body, endpoint.secret)).toBe(true);

    const rotated = await env.api('POST', `/api/v1/webhook-endpoints/${endpoint.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    await env.api('POST', `/api/v1/webhook-endpoints/${endpoint.id}/test`);
    const next = receiver.of('ping').at(-1)!;
    expect(verify(next.headers['obrol-signature'] as string, next.body, rotated.body.secret)).toBe(true);
    expect(verify(next.headers['obrol-signature'] as string, next.body, endpoint.secret)).toBe(false);
    endpoint.secret = rotated.body.secret;
  });

  it('sends nothing to a disabled endpoint', async () => {
    const other = await startReceiver();
    const created = await env.api('POST', '/api/v1/webhook-endpoints', { url: other.url, events: ['*'] });
    try {
      const off = await env.api('PATCH', `/api/v1/webhook-endpoints/${created.body.id}`, { enabled: false });
      expect(off.status).toBe(200);
      expect(off.body.enabled).toBe(false);
      await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text('wh-in-off', customer, 'Ada orang?')] });
      // The enabled endpoint hearing about it means the fact went through the consumer.
      await eventually(() => receiver.of('message.received').find((r) => r.json.data.message.externalId === 'wh-in-off'), 15_000, 'the enabled endpoint');
      expect(other.received).toHaveLength(0);
      expect((await env.api('GET', `/api/v1/webhook-endpoints/${created.body.id}/deliveries`)).body.data).toHaveLength(0);
    } finally {
      await env.api('DELETE', `/api/v1/webhook-endpoints/${created.body.id}`);
      await other.close();
    }
  });

  it('lets an endpoint created after facts were recorded hear the next one, and stop hearing once disabled', async () => {
    // Earlier facts of this tenant were matched against its endpoints: whatever the consumer keeps of them is warm now.
    await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text('wh-warm', customer, 'Sebelum')] });
    await eventually(() => receiver.of('message.received').find((r) => r.json.data.message.externalId === 'wh-warm'), 15_000, 'the first endpoint');
    const late = await startReceiver();
    const created = await env.api('POST', '/api/v1/webhook-endpoints', { url: late.url, events: ['message.received'] });
    try {
      await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text('wh-late-1', customer, 'Sesudah')] });
      await eventually(() => late.of('message.received').find((r) => r.json.data.message.externalId === 'wh-late-1'), 15_000, 'the endpoint created after the cache was warm');
      expect(late.received.some((r) => r.json.data.message.externalId === 'wh-warm')).toBe(false);

      expect((await env.api('PATCH', `/api/v1/webhook-endpoints/${created.body.id}`, { enabled: false })).status).toBe(200);
      await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text('wh-late-2', customer, 'Dimatikan')] });
      await eventually(() => receiver.of('message.received').find((r) => r.json.data.message.externalId === 'wh-late-2'), 15_000, 'the enabled endpoint');
      expect(late.received.some((r) => r.json.data.message.externalId === 'wh-late-2')).toBe(false);
      const deliveries = (await env.api('GET', `/api/v1/webhook-endpoints/${created.body.id}/deliveries`)).body.data;
      expect(deliveries).toHaveLength(1);
    } finally {
      await env.api('DELETE', `/api/v1/webhook-endpoints/${created.body.id}`);
      await late.close();
    }
  });

  it('refuses bad input with stable codes, and non-admins', async () => {
    const bad = await env.api('POST', '/api/v1/webhook-endpoints', { url: 'ftp://example.com/hooks', events: ['message.received'] });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('WEBHOOK_URL_NOT_ALLOWED');
    const creds = await env.api('PATCH', `/api/v1/webhook-endpoints/${endpoint.id}`, { url: 'https://user:pw@example.com/' });
    expect(creds.status).toBe(422);
    expect(creds.body.code).toBe('WEBHOOK_URL_NOT_ALLOWED');
    const unknown = await env.api('POST', '/api/v1/webhook-endpoints', { url: 'https://example.com/hooks', events: ['message.deleted'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('VALIDATION_FAILED');
    expect((await env.api('POST', '/api/v1/webhook-endpoints', { url: 'https://example.com/hooks', events: [] })).status).toBe(400);
    expect((await env.api('GET', '/api/v1/webhook-endpoints/not-an-id')).body.code).toBe('NOT_FOUND');
    expect((await env.api('POST', '/api/v1/webhook-deliveries/0190b2a4-0000-7000-8000-000000000000/replay')).status).toBe(404);
    expect((await env.api('GET', `/api/v1/webhook-endpoints/${endpoint.id}/deliveries?status=lost`)).status).toBe(400);

    await env.api('POST', '/api/v1/agents', { email: 'agus@example.test', name: 'Agus', password: 'agus-password-1', inboxIds: [inbox.id] });
    const token = await env.login('agus@example.test', 'agus-password-1');
    expect((await env.api('GET', '/api/v1/webhook-endpoints', undefined, { token })).status).toBe(403);
    expect((await env.api('POST', '/api/v1/webhook-endpoints', { url: 'https://example.com/h', events: ['*'] }, { token })).status).toBe(403);
    expect((await env.api('GET', '/api/v1/webhook-events', undefined, { token })).status).toBe(403);
  });

  it('deletes an endpoint', async () => {
    const created = await env.api('POST', '/api/v1/webhook-endpoints', { url: 'https://example.com/gone', events: ['*'] });
    expect((await env.api('DELETE', `/api/v1/webhook-endpoints/${created.body.id}`)).status).toBe(204);
    expect((await env.api('GET', `/api/v1/webhook-endpoints/${created.body.id}`)).status).toBe(404);
  });
});

for (const stack of stacks) describe.skipIf(!stack.run)(`outbound webhooks across a restart on ${stack.name}`, () => {
  it('resumes pending deliveries after the app restarts', async () => {
    const receiver = await startReceiver(() => 503);
    const db = stack.database === 'postgres' ? await freshPostgresDatabase() : null;
    const shared = { database: stack.database, bus: stack.bus, databaseUrl: db?.url, secretKey: 'restart-test-secret-key-0123456789abcdef' } as const;
    const { mkdtempSync, rmSync } = await import('node:fs');
    const dataDir = mkdtempSync(`${(await import('node:os')).tmpdir()}/obrol-hooks-`);
    // A slow schedule: the first process fails once and stops before the retry.
    let env = await startTestObrol({ ...shared, dataDir, outboundWebhooks: { pollIntervalMs: 100, retry: { baseDelayMs: 1500, maxDelayMs: 1500 } } });
    try {
      const inbox = await env.createTestChannel('Support');
      const created = await env.api('POST', '/api/v1/webhook-endpoints', { url: receiver.url, events: ['message.received'] });
      await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text('wh-restart', customer, 'Halo')] });
      await eventually(() => receiver.received.length >= 1, 15_000, 'the first attempt');
      await env.close();

      receiver.answer = () => 200;
      env = await startTestObrol({ ...shared, dataDir, outboundWebhooks: fast });
      const delivery = await eventually(async () => {
        const r = await env.api('GET', `/api/v1/webhook-endpoints/${created.body.id}/deliveries`);
        return r.body.data.find((d: { status: string }) => d.status === 'succeeded');
      }, 15_000, 'the delivery to succeed after the restart');
      expect(delivery.attempts).toBeGreaterThanOrEqual(2);
      const last = receiver.received.at(-1)!;
      expect(last.json.data.message.externalId).toBe('wh-restart');
      expect(verify(last.headers['obrol-signature'] as string, last.body, created.body.secret)).toBe(true);
    } finally {
      await env.close();
      await receiver.close();
      await db?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

const scaled = stacks.find((s) => s.bus === 'nats')!;
describe.skipIf(!scaled.run)(`outbound webhooks in the scaled shape (1 api + 2 workers) on ${scaled.name}`, () => {
  it('delivers each event once, from the workers, while the api only records and answers', async () => {
    const receiver = await startReceiver((_r, i) => (i % 3 === 0 ? 503 : 200));
    const api = await startTestObrol({ role: 'api', database: 'postgres', bus: 'nats', outboundWebhooks: fast });
    const shared = { databaseUrl: api.databaseUrl, natsNamespace: api.natsNamespace, secretKey: api.secretKey, bus: 'nats' as const, database: 'postgres' as const, outboundWebhooks: fast };
    const workers = [await startTestObrol({ ...shared, role: 'worker' }), await startTestObrol({ ...shared, role: 'worker' })];
    try {
      const inbox = await api.createTestChannel();
      const created = await api.api('POST', '/api/v1/webhook-endpoints', { url: receiver.url, events: ['message.received'] });
      expect(created.status).toBe(201);
      const ids = Array.from({ length: 12 }, (_, i) => `scaled-hook-${i}`);
      for (const id of ids) await api.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text(id, { id: `62812000001${id.slice(-2).padStart(2, '0')}` }, `pesan ${id}`)] });
      await eventually(async () => {
        const r = await api.api('GET', `/api/v1/webhook-endpoints/${created.body.id}/deliveries?status=succeeded&limit=50`);
        return r.body.data.length === ids.length;
      }, 20_000, 'every delivery to succeed');
      const succeeded = receiver.received.filter((_r, i) => i % 3 !== 0);
      // Each event reached the receiver successfully exactly once: two workers never sent one row twice.
      expect(succeeded.map((r) => r.json.data.message.externalId).sort()).toEqual([...ids].sort());
      expect(receiver.received.every((r) => verify(r.headers['obrol-signature'] as string, r.body, created.body.secret))).toBe(true);
    } finally {
      for (const w of workers) await w.close();
      await api.close();
      await receiver.close();
    }
  });
});
