import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startWhatsAppSimulator, type WhatsAppSimulator, type WhatsAppSimulatorOptions } from './index.js';
import { DEFAULT_TEMPLATES } from './template-store.js';
import { manualClock, startWebhookReceiver, waitFor, type ReceivedWebhook, type WebhookReceiver } from './test-support/webhook-receiver.js';

const TOKEN = 'test-token';
const SECRET = 'test-app-secret';
const PHONE_ID = '106540352242922';
const WABA_ID = '102290129340398';
const CUSTOMER = '16505551234';
const HOUR = 60 * 60 * 1_000;

let simulator: WhatsAppSimulator;
let receiver: WebhookReceiver;
let clock: ReturnType<typeof manualClock>;

async function setup(options: WhatsAppSimulatorOptions = {}) {
  receiver = await startWebhookReceiver();
  clock = manualClock();
  simulator = await startWhatsAppSimulator({
    accessToken: TOKEN,
    appSecret: SECRET,
    webhookUrl: receiver.url,
    clock,
    statusDelaysMs: { sent: 5, delivered: 5, read: 5 },
    webhookRetry: { maxAttempts: 4, baseDelayMs: 10 },
    templateReview: { delayMs: 20 },
    ...options,
  });
}

afterEach(async () => {
  await simulator?.close();
  await receiver?.close();
});

async function graph(path: string, init: { method?: string; body?: unknown; token?: string | null } = {}) {
  const headers: Record<string, string> = {};
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? TOKEN}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${simulator.url}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: response.status, json: (await response.json()) as any };
}

const sendText = (to: string, body = 'Hello from the business') =>
  graph(`/v25.0/${PHONE_ID}/messages`, { body: { messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'text', text: { body } } });

const sendTemplate = (to: string, template: Record<string, unknown>) =>
  graph(`/v23.0/${PHONE_ID}/messages`, { body: { messaging_product: 'whatsapp', to, type: 'template', template } });

function statusesOf(wamid: string) {
  return receiver.received.flatMap((hook) => hook.json.entry[0].changes[0].value.statuses ?? []).filter((status: { id: string }) => status.id === wamid);
}

function verifySignature(hook: ReceivedWebhook): boolean {
  const expected = `sha256=${createHmac('sha256', SECRET).update(hook.raw).digest('hex')}`;
  return hook.headers['x-hub-signature-256'] === expected;
}

/** The structure of a JSON value: keys and leaf types, not values. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([key, inner]) => [key, shapeOf(inner)]));
  return typeof value;
}

describe('Graph API basics', () => {
  it('answers phone number info so a plugin can check its credentials', async () => {
    await setup();
    const { status, json } = await graph(`/v25.0/${PHONE_ID}?fields=display_phone_number,verified_name,quality_rating`);
    expect(status).toBe(200);
    expect(json).toEqual({ display_phone_number: '+1 555-078-3881', verified_name: 'Obrol Demo', quality_rating: 'GREEN', id: PHONE_ID });
  });

  it('refuses a wrong or missing token with error 190 over HTTP 401', async () => {
    await setup();
    for (const token of ['wrong', null]) {
      const { status, json } = await graph(`/v25.0/${PHONE_ID}/messages`, { token, body: { messaging_product: 'whatsapp' } });
      expect(status).toBe(401);
      expect(json.error).toMatchObject({ code: 190, type: 'OAuthException', error_data: { messaging_product: 'whatsapp' } });
      expect(typeof json.error.fbtrace_id).toBe('string');
    }
  });

  it('refuses an unknown phone number id and a malformed body with error 100', async () => {
    await setup();
    const unknown = await graph('/v25.0/999/messages', { body: { messaging_product: 'whatsapp', to: CUSTOMER, type: 'text', text: { body: 'x' } } });
    expect(unknown.json.error.code).toBe(100);
    const malformed = await graph(`/v25.0/${PHONE_ID}/messages`, { body: { messaging_product: 'whatsapp', to: CUSTOMER, type: 'text', text: {} } });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error).toMatchObject({ code: 100, error_data: { details: expect.stringContaining('text[body]') } });
    const noProduct = await graph(`/v25.0/${PHONE_ID}/messages`, { body: { to: CUSTOMER, type: 'text', text: { body: 'x' } } });
    expect(noProduct.json.error.error_data.details).toContain('messaging_product');
  });
});

describe('session messages', () => {
  it('answers like Meta and reports sent → delivered → read, signed, with service pricing', async () => {
    await setup();
    simulator.customers.send(CUSTOMER, 'Hi, is my order ready?', { name: 'Sheena Nelson' });
    const { status, json } = await sendText(`+${CUSTOMER}`);
    expect(status).toBe(200);
    expect(Object.keys(json)).toEqual(['messaging_product', 'contacts', 'messages']);
    expect(json).toEqual({ messaging_product: 'whatsapp', contacts: [{ input: `+${CUSTOMER}`, wa_id: CUSTOMER }], messages: [{ id: expect.stringMatching(/^wamid\.[A-Za-z0-9+/]+=*$/) }] });
    const wamid = json.messages[0].id as string;

    const statuses = await waitFor('read status', () => statusesOf(wamid).length === 3 && statusesOf(wamid));
    expect(statuses.map((entry: { status: string }) => entry.status)).toEqual(['sent', 'delivered', 'read']);
    expect(statuses[0]).toMatchObject({ recipient_id: CUSTOMER, timestamp: expect.stringMatching(/^\d+$/) });
    expect(statuses[0].pricing).toEqual({ billable: false, pricing_model: 'PMP', type: 'free_customer_service', category: 'service' });
    expect(statuses[1].pricing).toEqual(statuses[0].pricing);
    expect(statuses[2].pricing).toBeUndefined();
    expect(receiver.received.every(verifySignature)).toBe(true);
    const statusHook = receiver.received.find((hook) => hook.json.entry[0].changes[0].value.statuses)!;
    expect(statusHook.json.entry[0].changes[0].value.contacts).toBeUndefined();
    expect(simulator.inbox(CUSTOMER)[0]).toMatchObject({ id: wamid, status: 'read', preview: 'Hello from the business' });
  });

  it('accepts a send to a customer who never wrote, then fails it with 131047', async () => {
    await setup();
    const { status, json } = await sendText(CUSTOMER);
    expect(status).toBe(200);
    const [failed] = await waitFor('failed status', () => statusesOf(json.messages[0].id).length > 0 && statusesOf(json.messages[0].id));
    expect(failed).toMatchObject({ status: 'failed', errors: [{ code: 131047, title: 'Re-engagement message', error_data: { details: expect.any(String) } }] });
    const fixture = JSON.parse(readFileSync(new URL('../test-fixtures/meta/status_failed_131049.json', import.meta.url), 'utf8'));
    expect(shapeOf(receiver.received[0]!.json)).toEqual(shapeOf(fixture));
  });

  it('keeps the window open at 23:59:59 and closes it at 24:00:01', async () => {
    await setup();
    simulator.customers.send(CUSTOMER, 'hello');
    clock.advance(24 * HOUR - 1_000);
    const inside = await sendText(CUSTOMER);
    await waitFor('sent inside window', () => statusesOf(inside.json.messages[0].id).some((s: { status: string }) => s.status === 'sent'));
    clock.advance(2_000);
    const outside = await sendText(CUSTOMER);
    expect(outside.status).toBe(200);
    const [failed] = await waitFor('failed outside window', () => statusesOf(outside.json.messages[0].id).length > 0 && statusesOf(outside.json.messages[0].id));
    expect(failed.status).toBe('failed');
    expect(failed.errors[0].code).toBe(131047);
  });

  it('reports only `sent` for a reaction, and marks inbound messages read', async () => {
    await setup();
    const inbound = simulator.customers.send(CUSTOMER, 'thanks!');
    const markRead = await graph(`/v25.0/${PHONE_ID}/messages`, { body: { messaging_product: 'whatsapp', status: 'read', message_id: inbound } });
    expect(markRead.json).toEqual({ success: true });
    expect(simulator.conversationFrom(CUSTOMER)[0]!.readByBusiness).toBe(true);

    const reaction = await graph(`/v25.0/${PHONE_ID}/messages`, { body: { messaging_product: 'whatsapp', to: CUSTOMER, type: 'reaction', reaction: { message_id: inbound, emoji: '👍' } } });
    const text = await sendText(CUSTOMER);
    await waitFor('text read', () => statusesOf(text.json.messages[0].id).some((s: { status: string }) => s.status === 'read'));
    expect(statusesOf(reaction.json.messages[0].id).map((s: { status: string }) => s.status)).toEqual(['sent']);
  });

  it('lets a customer not read until readAll()', async () => {
    await setup({ statusDelaysMs: { sent: 5, delivered: 5, read: undefined } });
    simulator.customers.send(CUSTOMER, 'hi');
    const { json } = await sendText(CUSTOMER);
    const wamid = json.messages[0].id;
    await waitFor('delivered', () => simulator.inbox(CUSTOMER)[0]!.status === 'delivered');
    expect(simulator.readAll(CUSTOMER)).toBe(1);
    const statuses = await waitFor('read', () => statusesOf(wamid).length === 3 && statusesOf(wamid));
    expect(statuses.map((s: { status: string }) => s.status)).toEqual(['sent', 'delivered', 'read']);
  });
});

describe('templates on send', () => {
  it('sends an approved template outside the window, priced by its category', async () => {
    await setup();
    const { status, json } = await sendTemplate(CUSTOMER, {
      name: 'order_update',
      language: { code: 'en_US' },
      components: [{ type: 'body', parameters: ['Maria', '#42', 'shipped'].map((text) => ({ type: 'text', text })) }],
    });
    expect(status).toBe(200);
    const [sent] = await waitFor('sent', () => statusesOf(json.messages[0].id).length > 0 && statusesOf(json.messages[0].id));
    expect(sent).toMatchObject({ status: 'sent', pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' } });
    expect(simulator.inbox(CUSTOMER)[0]!.preview).toBe('Hi Maria, your order #42 is now shipped.');
  });

  it("fails marketing templates to a customer at Meta's marketing limit with 131049, asynchronously", async () => {
    await setup({ templates: [...DEFAULT_TEMPLATES, { name: 'promo', language: 'en_US', category: 'MARKETING', components: [{ type: 'BODY', text: 'Diskon 50% hari ini!' }] }] });
    simulator.limitMarketing(CUSTOMER);
    const promo = await sendTemplate(CUSTOMER, { name: 'promo', language: { code: 'en_US' } });
    expect(promo.status).toBe(200);
    const [failed] = await waitFor('failed', () => statusesOf(promo.json.messages[0].id).length > 0 && statusesOf(promo.json.messages[0].id));
    expect(failed).toMatchObject({ status: 'failed', errors: [{ code: 131049 }] });
    const utility = await sendTemplate(CUSTOMER, { name: 'order_update', language: { code: 'en_US' }, components: [{ type: 'body', parameters: ['A', 'B', 'C'].map((text) => ({ type: 'text', text })) }] });
    const [sent] = await waitFor('sent', () => statusesOf(utility.json.messages[0].id).length > 0 && statusesOf(utility.json.messages[0].id));
    expect(sent).toMatchObject({ status: 'sent' });
  });

  it('refuses unknown templates and languages with 132001', async () => {
    await setup();
    for (const template of [{ name: 'nope', language: { code: 'en_US' } }, { name: 'hello_world', language: { code: 'fr' } }]) {
      const { status, json } = await sendTemplate(CUSTOMER, template);
      expect(status).toBe(400);
      expect(json.error.code).toBe(132001);
    }
  });

  it('refuses parameter count mismatches with 132000 and wrong names with 132012', async () => {
    await setup();
    const tooFew = await sendTemplate(CUSTOMER, { name: 'order_update', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Maria' }] }] });
    expect(tooFew.json.error.code).toBe(132000);
    const noHeader = await sendTemplate(CUSTOMER, {
      name: 'appointment_reminder',
      language: { code: 'en_US' },
      components: [
        { type: 'body', parameters: [['first_name', 'Ana'], ['appointment_date', 'May 5'], ['location', 'Jakarta']].map(([name, text]) => ({ type: 'text', parameter_name: name, text })) },
      ],
    });
    expect(noHeader.json.error.code).toBe(132000);
    const wrongName = await sendTemplate(CUSTOMER, {
      name: 'appointment_reminder',
      language: { code: 'en_US' },
      components: [
        { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/a.jpg' } }] },
        { type: 'body', parameters: [['first_name', 'Ana'], ['date', 'May 5'], ['location', 'Jakarta']].map(([name, text]) => ({ type: 'text', parameter_name: name, text })) },
      ],
    });
    expect(wrongName.json.error.code).toBe(132012);
    const good = await sendTemplate(CUSTOMER, {
      name: 'appointment_reminder',
      language: { code: 'en_US' },
      components: [
        { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/a.jpg' } }] },
        { type: 'body', parameters: [['location', 'Jakarta'], ['first_name', 'Ana'], ['appointment_date', 'May 5']].map(([name, text]) => ({ type: 'text', parameter_name: name, text })) },
      ],
    });
    expect(good.status).toBe(200);
  });
});

describe('rate limits', () => {
  it('answers 130429 past the throughput', async () => {
    await setup({ throughputPerSecond: 3, pairRateLimit: false });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await sendText(`1650555000${i}`)).json.error?.code ?? 'ok');
    expect(codes).toEqual(['ok', 'ok', 'ok', 130429]);
    expect(simulator.throttled.get(130429)).toBe(1);
    clock.advance(1_000);
    expect((await sendText('16505550009')).status).toBe(200);
  });

  it('answers 368 to every send while the account is restricted, and sends again once lifted', async () => {
    await setup({ pairRateLimit: false });
    simulator.restrictAccount();
    const refused = await sendText(CUSTOMER);
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.json.error).toMatchObject({ code: 368, message: '(#368) Temporarily blocked for policies violations' });
    simulator.restrictAccount(false);
    expect((await sendText(CUSTOMER)).status).toBe(200);
  });

  it('announces a restriction of the account with its types and expiration, in the account_update shape', async () => {
    await setup({ pairRateLimit: false });
    const expiresAt = new Date('2026-12-01T00:00:00.000Z');
    simulator.announceRestriction(['RESTRICTED_BIZ_INITIATED_MESSAGING', 'RESTRICTED_ADD_PHONE_NUMBER_ACTION'], expiresAt);
    const announced = simulator.deliveries.at(-1)!;
    expect(announced.kind).toBe('account');
    expect(announced.payload).toMatchObject({
      object: 'whatsapp_business_account',
      entry: [{ changes: [{ field: 'account_update', value: { event: 'ACCOUNT_RESTRICTION', restriction_info: [
        { restriction_type: 'RESTRICTED_BIZ_INITIATED_MESSAGING', expiration: expiresAt.getTime() / 1000 },
        { restriction_type: 'RESTRICTED_ADD_PHONE_NUMBER_ACTION', expiration: expiresAt.getTime() / 1000 },
      ] } }] }],
    });
    // Announced only: sends are refused once restrictAccount() says so.
    expect((await sendText(CUSTOMER)).status).toBe(200);
  });

  it('moves the portfolio to another messaging tier: the API answers it and the webhook announces it', async () => {
    await setup({ messagingLimit: 'TIER_250' });
    const before = await graph(`/v25.0/${PHONE_ID}?fields=whatsapp_business_manager_messaging_limit`);
    expect(before.json.whatsapp_business_manager_messaging_limit).toBe('TIER_250');
    simulator.setMessagingLimit('TIER_2K');
    const after = await graph(`/v25.0/${PHONE_ID}?fields=whatsapp_business_manager_messaging_limit`);
    expect(after.json.whatsapp_business_manager_messaging_limit).toBe('TIER_2K');
    const announced = simulator.deliveries.at(-1)!;
    expect(announced.kind).toBe('account');
    expect(announced.payload).toMatchObject({ entry: [{ changes: [{ field: 'business_capability_update', value: { max_daily_conversations_per_business: 2000 } }] }] });
  });

  it('answers 131056 past the pair rate limit, per recipient', async () => {
    await setup({ pairRateLimit: { burst: 2, intervalMs: 6_000 } });
    expect((await sendText(CUSTOMER)).status).toBe(200);
    expect((await sendText(CUSTOMER)).status).toBe(200);
    const limited = await sendText(CUSTOMER);
    expect(limited.json.error).toMatchObject({ code: 131056, message: expect.stringContaining('pair rate limit') });
    expect((await sendText('16505559999')).status).toBe(200);
    clock.advance(6_000);
    expect((await sendText(CUSTOMER)).status).toBe(200);
  });
});

describe('webhooks', () => {
  it('matches the structure of Meta inbound_text.json for a customer message', async () => {
    await setup();
    const wamid = simulator.customers.send(CUSTOMER, 'Does it come in another color?', { name: 'Sheena Nelson' });
    const hook = await waitFor('inbound webhook', () => receiver.received[0]);
    const fixture = JSON.parse(readFileSync(new URL('../test-fixtures/meta/inbound_text.json', import.meta.url), 'utf8'));
    expect(shapeOf(hook.json)).toEqual(shapeOf(fixture));
    expect(hook.json.entry[0].id).toBe(WABA_ID);
    expect(hook.json.entry[0].changes[0].value.metadata).toEqual(fixture.entry[0].changes[0].value.metadata);
    expect(hook.json.entry[0].changes[0].value.messages[0]).toMatchObject({ from: CUSTOMER, id: wamid, type: 'text', text: { body: 'Does it come in another color?' } });
    expect(verifySignature(hook)).toBe(true);
  });

  const fixtureCases: Array<[string, (business: string) => Parameters<WhatsAppSimulator['customers']['send']>[1]]> = [
    ['inbound_image.json', () => ({ type: 'image', data: Buffer.from('jpeg'), mimeType: 'image/jpeg', caption: 'Taj Mahal' })],
    ['inbound_interactive_button_reply.json', () => ({ type: 'button_reply', id: 'cancel-button', title: 'Cancel' })],
    ['inbound_location.json', () => ({ type: 'location', address: '101 Forest Ave', latitude: 37.44, longitude: -122.16, name: 'Philz Coffee', url: 'https://philzcoffee.com/' })],
    ['inbound_reaction.json', (business) => ({ type: 'reaction', messageId: business, emoji: '👍' })],
    ['inbound_unsupported.json', () => ({ type: 'unsupported', unsupportedType: 'edit' })],
  ];
  for (const [fixtureName, content] of fixtureCases) {
    it(`matches the structure of Meta ${fixtureName}`, async () => {
      await setup();
      simulator.customers.send(CUSTOMER, 'open the window');
      const business = await sendText(CUSTOMER);
      simulator.customers.send(CUSTOMER, content(business.json.messages[0].id), { name: 'Sheena Nelson' });
      const hook = await waitFor('webhook', () => receiver.received.filter((entry) => entry.json.entry[0].changes[0].value.messages)[1]);
      const fixture = JSON.parse(readFileSync(new URL(`../test-fixtures/meta/${fixtureName}`, import.meta.url), 'utf8'));
      expect(shapeOf(hook.json)).toEqual(shapeOf(fixture));
      if (fixtureName.includes('button_reply')) expect(hook.json.entry[0].changes[0].value.messages[0].context.id).toBe(business.json.messages[0].id);
    });
  }

  it('escapes non-ASCII like Meta and signs the exact bytes', async () => {
    await setup();
    simulator.customers.send(CUSTOMER, 'äöå 👍');
    const hook = await waitFor('inbound webhook', () => receiver.received[0]);
    expect(hook.raw.toString('utf8')).toContain('\\u00e4\\u00f6\\u00e5 \\ud83d\\udc4d');
    expect(hook.json.entry[0].changes[0].value.messages[0].text.body).toBe('äöå 👍');
    expect(verifySignature(hook)).toBe(true);
  });

  it('retries a webhook the receiver answers with 500, then stops at 200', async () => {
    await setup();
    receiver.respondWith(500, 500);
    simulator.customers.send(CUSTOMER, 'retry me');
    const delivery = await waitFor('delivered', () => simulator.deliveries.find((entry) => entry.state === 'delivered'));
    expect(delivery.attempts.map((attempt) => attempt.statusCode)).toEqual([500, 500, 200]);
    expect(receiver.received.map((hook) => hook.answeredWith)).toEqual([500, 500, 200]);
    expect(new Set(receiver.received.map((hook) => hook.raw.toString())).size).toBe(1);
  });

  it('gives up after maxAttempts', async () => {
    await setup({ webhookRetry: { maxAttempts: 3, baseDelayMs: 5 } });
    receiver.respondWith(503, 503, 503, 503);
    simulator.customers.send(CUSTOMER, 'never acknowledged');
    const delivery = await waitFor('failed', () => simulator.deliveries.find((entry) => entry.state === 'failed'));
    expect(delivery.attempts).toHaveLength(3);
  });

  it('keeps at most webhookConcurrency POSTs in flight, each slot on one kept-alive socket', async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    let sockets = 0;
    let answered = 0;
    const slow = createServer((request, response) => {
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      request.resume();
      request.on('end', () =>
        setTimeout(() => {
          inFlight--;
          answered++;
          response.writeHead(200).end();
        }, 15),
      );
    });
    slow.on('connection', () => sockets++);
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      await setup({ webhookUrl: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/hook`, webhookConcurrency: 3 });
      // Twenty customers: no ordering key holds one behind another, only the cap does.
      for (let i = 0; i < 20; i++) simulator.customers.send(`628120000${String(i).padStart(4, '0')}`, `hi ${i}`);
      // The simulator marks a delivery once it has read the answer, a moment after the receiver sent it.
      await waitFor('twenty deliveries', () => simulator.deliveries.filter((d) => d.state === 'delivered').length === 20);
      expect(answered).toBe(20);
      expect(mostInFlight).toBe(3);
      expect(sockets).toBeLessThanOrEqual(3);
    } finally {
      await simulator.close();
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  });

  it('keeps about its log limit of deliveries, the newest, and knows when a backlog is done without scanning it', async () => {
    await setup({ deliveryLogLimit: 10 });
    for (let i = 0; i < 60; i++) simulator.customers.send(`628120001${String(i).padStart(4, '0')}`, `hi ${i}`);
    await simulator.whenIdle();
    expect(receiver.received).toHaveLength(60);
    const kept = simulator.deliveries;
    expect(kept.length).toBeGreaterThanOrEqual(10);
    expect(kept.length).toBeLessThanOrEqual(11);
    expect(kept.every((d) => d.state === 'delivered')).toBe(true);
    // The newest, in order.
    expect(kept.map((d) => d.id)).toEqual(Array.from({ length: kept.length }, (_, i) => 60 - kept.length + 1 + i));
  });

  it('keeps about its limit of business messages, the newest, still sends every status, and tells a listener of each send', async () => {
    await setup({ messageLogLimit: 10 });
    const heard: string[] = [];
    const stop = simulator.onAccepted((record) => heard.push(record.id));
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const { status, json } = await sendTemplate(i % 3 ? CUSTOMER : '6281200010000', { name: 'hello_world', language: { code: 'en_US' } });
      expect(status).toBe(200);
      ids.push(json.messages[0].id);
    }
    expect(heard).toEqual(ids);
    const kept = simulator.sent.map((m) => m.id);
    expect(kept.length).toBeGreaterThanOrEqual(10);
    expect(kept.length).toBeLessThanOrEqual(11);
    expect(kept).toEqual(ids.slice(-kept.length));
    // A customer's conversation holds only what is kept, in order.
    expect(simulator.inbox(CUSTOMER).map((m) => m.id)).toEqual(simulator.sent.filter((m) => m.waId === CUSTOMER).map((m) => m.id));
    await waitFor('every read status', () => ids.every((id) => statusesOf(id).some((s: { status: string }) => s.status === 'read')));
    stop();
    await sendTemplate(CUSTOMER, { name: 'hello_world', language: { code: 'en_US' } });
    expect(heard).toHaveLength(30);
  });

  it('moves messages through their statuses without a webhook for them when statusWebhooks is false', async () => {
    await setup({ statusWebhooks: false, webhookUrl: undefined });
    const { json } = await sendTemplate(CUSTOMER, { name: 'hello_world', language: { code: 'en_US' } });
    await waitFor('read', () => simulator.inbox(CUSTOMER)[0]?.status === 'read');
    expect(simulator.inbox(CUSTOMER)[0]!.id).toBe(json.messages[0].id);
    // Nothing queued waiting for a URL; a customer's message still is.
    expect(simulator.deliveries).toHaveLength(0);
    simulator.customers.send(CUSTOMER, 'hi');
    expect(simulator.deliveries.map((d) => d.kind)).toEqual(['message']);
  });

  it('holds webhooks until a URL is set', async () => {
    await setup({ webhookUrl: undefined });
    simulator.customers.send(CUSTOMER, 'early');
    expect(simulator.deliveries[0]!.state).toBe('waiting-for-url');
    simulator.setWebhookUrl(receiver.url);
    await waitFor('delivery', () => receiver.received.length === 1);
  });

  it('delivers each webhook twice with duplicateWebhooks', async () => {
    await setup({ duplicateWebhooks: true });
    simulator.customers.send(CUSTOMER, 'dup');
    await waitFor('two copies', () => receiver.received.length === 2);
    expect(receiver.received[0]!.raw.equals(receiver.received[1]!.raw)).toBe(true);
  });

  it('shuffles statuses with shuffleStatuses', async () => {
    await setup({ shuffleStatuses: true });
    simulator.customers.send(CUSTOMER, 'hi');
    const { json } = await sendText(CUSTOMER);
    const statuses = await waitFor('three statuses', () => statusesOf(json.messages[0].id).length === 3 && statusesOf(json.messages[0].id));
    expect(statuses.map((s: { status: string }) => s.status)).not.toEqual(['sent', 'delivered', 'read']);
    expect([...statuses.map((s: { status: string }) => s.status)].sort()).toEqual(['delivered', 'read', 'sent']);
  });

  it('passes Meta\'s GET handshake and lets a customer auto-reply', async () => {
    await setup({ autoReply: (message) => (message.type === 'text' ? 'Thanks!' : undefined), autoReplyDelayMs: 5 });
    expect(await simulator.verifyWebhook(receiver.verifyToken)).toBe(true);
    expect(await simulator.verifyWebhook('wrong')).toBe(false);
    simulator.customers.send(CUSTOMER, 'hi');
    const { json } = await sendText(CUSTOMER);
    const reply = await waitFor('auto reply', () =>
      receiver.received.map((hook) => hook.json.entry[0].changes[0].value.messages?.[0]).find((message) => message?.text?.body === 'Thanks!'),
    );
    expect(reply.context).toEqual({ from: '15550783881', id: json.messages[0].id });
  });
});

describe('resumable upload (template header samples)', () => {
  const APP_ID = '1200443895214451';
  const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
  const upload = (session: string, bytes: Buffer, offset: number) =>
    fetch(`${simulator.url}/v25.0/${session}`, { method: 'POST', headers: { authorization: `OAuth ${TOKEN}`, file_offset: String(offset), 'content-type': 'image/png' }, body: new Uint8Array(bytes) }).then(async (r) => ({ status: r.status, json: (await r.json()) as any }));
  const mediaHeaderDraft = (handle: string, format = 'IMAGE') => ({
    name: 'sample_header',
    language: 'en_US',
    category: 'MARKETING',
    components: [{ type: 'HEADER', format, example: { header_handle: [handle] } }, { type: 'BODY', text: 'Our new collection is here.' }],
  });

  it('opens a session on the app, takes the bytes from an offset, answers a handle that a media header may name', async () => {
    await setup({ appId: APP_ID });
    const session = await graph(`/v25.0/${APP_ID}/uploads?file_name=shoe.png&file_length=${PNG.length}&file_type=image/png`, { method: 'POST' });
    expect(session.json).toEqual({ id: expect.stringMatching(/^upload:/) });
    expect((await upload(session.json.id, PNG.subarray(0, 10), 0)).status).toBe(200);
    expect((await graph(`/v25.0/${session.json.id}`)).json).toEqual({ id: session.json.id, file_offset: 10 });
    expect((await upload(session.json.id, PNG.subarray(10), 3)).json.error.code).toBe(100);
    const done = await upload(session.json.id, PNG.subarray(10), 10);
    expect(done.json).toEqual({ h: expect.stringMatching(/^4::aW1hZ2UvcG5n:/) });
    expect(simulator.uploadedFile(done.json.h)?.bytes.equals(PNG)).toBe(true);

    expect((await graph(`/v25.0/${WABA_ID}/message_templates`, { body: mediaHeaderDraft(done.json.h) })).json).toMatchObject({ status: 'PENDING' });
    // A handle the upload API never gave, or a sample that does not fit the header, is refused.
    expect((await graph(`/v25.0/${WABA_ID}/message_templates`, { body: { ...mediaHeaderDraft('4::made-up'), name: 'made_up' } })).json.error.code).toBe(100);
    const video = await graph(`/v25.0/${WABA_ID}/message_templates`, { body: { ...mediaHeaderDraft(done.json.h, 'VIDEO'), name: 'wrong_kind' } });
    expect(video.json.error.code).toBe(100);
    expect(JSON.stringify(video.json.error)).toContain('image/png file, which does not fit a VIDEO header');
  });

  it('refuses another app, a type Meta does not take, a missing length and a wrong token', async () => {
    await setup({ appId: APP_ID });
    expect((await graph(`/v25.0/999/uploads?file_length=10&file_type=image/png`, { method: 'POST' })).json.error.code).toBe(100);
    expect((await graph(`/v25.0/${APP_ID}/uploads?file_length=10&file_type=image/gif`, { method: 'POST' })).json.error.code).toBe(100);
    expect((await graph(`/v25.0/${APP_ID}/uploads?file_type=image/png`, { method: 'POST' })).json.error.code).toBe(100);
    expect((await graph(`/v25.0/${APP_ID}/uploads?file_length=10&file_type=image/png`, { method: 'POST', token: 'wrong' })).json.error.code).toBe(190);
  });
});

describe('template management', () => {
  const draft = {
    name: 'shipping_notice',
    language: 'en_US',
    category: 'UTILITY',
    components: [{ type: 'BODY', text: 'Hi {{1}}, your parcel {{2}} has shipped.', example: { body_text: [['Maria', 'AB123']] } }],
  };

  it('creates a template as PENDING, then approves it with a signed template webhook', async () => {
    await setup();
    const created = await graph(`/v25.0/${WABA_ID}/message_templates`, { body: draft });
    expect(created.json).toEqual({ id: expect.stringMatching(/^\d+$/), status: 'PENDING', category: 'UTILITY' });
    const hook = await waitFor('template webhook', () => receiver.received.find((entry) => entry.json.entry[0].changes[0].field === 'message_template_status_update'));
    expect(verifySignature(hook)).toBe(true);
    const fixture = JSON.parse(readFileSync(new URL('../test-fixtures/meta/template_status_approved.json', import.meta.url), 'utf8'));
    expect(shapeOf(hook.json)).toEqual(shapeOf(fixture));
    expect(Number.isInteger(hook.json.entry[0].time)).toBe(true);
    expect(hook.json.entry[0].changes[0].value).toEqual({
      event: 'APPROVED',
      message_template_id: Number(created.json.id),
      message_template_name: 'shipping_notice',
      message_template_language: 'en_US',
      reason: 'NONE',
      message_template_category: 'UTILITY',
    });
    const sent = await sendTemplate(CUSTOMER, {
      name: 'shipping_notice',
      language: { code: 'en_US' },
      components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: 'X1' }] }],
    });
    expect(sent.status).toBe(200);
  });

  it('pauses a template on its own, with the webhook, and refuses sends of it with 132015', async () => {
    await setup();
    expect(simulator.setTemplateStatus('order_update', 'en_US', 'PAUSED', 'LOW_QUALITY')).toBe(true);
    const hook = await waitFor('template webhook', () => receiver.received.find((entry) => entry.json.entry[0].changes[0].field === 'message_template_status_update'));
    expect(hook.json.entry[0].changes[0].value).toMatchObject({ event: 'PAUSED', message_template_name: 'order_update', message_template_language: 'en_US', reason: 'LOW_QUALITY' });
    const refused = await sendTemplate(CUSTOMER, { name: 'order_update', language: { code: 'en_US' } });
    expect(refused.json.error.code).toBe(132015);
    expect(simulator.setTemplateStatus('no_such', 'en_US', 'PAUSED')).toBe(false);
  });

  it('rejects with the configured reason in reject mode', async () => {
    await setup({ templateReview: { mode: 'reject', delayMs: 10, reason: 'PROMOTIONAL' } });
    await graph(`/v25.0/${WABA_ID}/message_templates`, { body: draft });
    const hook = await waitFor('template webhook', () => receiver.received[0]);
    expect(hook.json.entry[0].changes[0].value).toMatchObject({ event: 'REJECTED', reason: 'PROMOTIONAL' });
    expect((await sendTemplate(CUSTOMER, { name: 'shipping_notice', language: { code: 'en_US' } })).json.error.code).toBe(132001);
  });

  it('validates what Meta validates at creation', async () => {
    await setup();
    const cases = [
      { ...draft, name: 'Shipping Notice' },
      { ...draft, category: 'PROMO' },
      { ...draft, components: [{ type: 'BODY', text: 'Hi {{1}}, your parcel {{2}} has shipped.' }] },
      { ...draft, components: [{ type: 'BODY', text: '{{1}} is here.', example: { body_text: [['x']] } }] },
      { ...draft, components: [{ type: 'HEADER', format: 'IMAGE' }, draft.components[0]] },
    ];
    for (const body of cases) {
      const { status, json } = await graph(`/v25.0/${WABA_ID}/message_templates`, { body });
      expect(status).toBe(400);
      expect(json.error.code).toBe(100);
      expect(json.error.error_data.details.length).toBeGreaterThan(10);
    }
  });

  it('pages through templates with cursors and absolute next URLs', async () => {
    const seeds = Array.from({ length: 7 }, (_, index) => ({
      name: `template_${index}`,
      language: 'en_US',
      category: 'MARKETING' as const,
      components: [{ type: 'BODY', text: `Template number ${index}` }],
    }));
    await setup({ templates: seeds });
    const names: string[] = [];
    let path: string | undefined = `/v25.0/${WABA_ID}/message_templates?limit=3&fields=name,status`;
    const pages = [];
    while (path) {
      const { json } = await graph(path);
      pages.push(json);
      names.push(...json.data.map((template: { name: string }) => template.name));
      path = json.paging.next ? json.paging.next.replace(simulator.url, '') : undefined;
    }
    expect(pages.map((page) => page.data.length)).toEqual([3, 3, 1]);
    expect(names).toEqual(seeds.map((seed) => seed.name));
    expect(pages[0].paging.next).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v25\.0\/102290129340398\/message_templates\?/);
    expect(pages[0].data[0]).toEqual({ name: 'template_0', status: 'APPROVED', id: expect.any(String) });
    const back = await graph(`/v25.0/${WABA_ID}/message_templates?limit=3&before=${pages[1].paging.cursors.before}`);
    expect(back.json.data.map((template: { name: string }) => template.name)).toEqual(['template_0', 'template_1', 'template_2']);
  });

  it('deletes templates by name and by hsm_id', async () => {
    await setup();
    const ids = simulator.templates().filter((template) => template.name === 'order_update').map((template) => template.id);
    expect(ids).toHaveLength(2);
    expect((await graph(`/v25.0/${WABA_ID}/message_templates?name=order_update&hsm_id=${ids[1]}`, { method: 'DELETE' })).json).toEqual({ success: true });
    expect(simulator.templates().filter((template) => template.name === 'order_update')).toHaveLength(1);
    expect((await graph(`/v25.0/${WABA_ID}/message_templates?name=hello_world`, { method: 'DELETE' })).json).toEqual({ success: true });
    expect((await graph(`/v25.0/${WABA_ID}/message_templates?name=hello_world`, { method: 'DELETE' })).json.error.code).toBe(100);
  });
});

describe('media', () => {
  it('round-trips an upload: id, metadata, authenticated download, delete', async () => {
    await setup();
    const bytes = Buffer.from('%PDF-1.4 simulated invoice');
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', 'application/pdf');
    form.set('file', new Blob([bytes], { type: 'application/pdf' }), 'invoice.pdf');
    const upload = await fetch(`${simulator.url}/v25.0/${PHONE_ID}/media`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: form });
    const { id } = (await upload.json()) as { id: string };
    expect(id).toMatch(/^\d+$/);

    const info = await graph(`/v25.0/${id}`);
    expect(info.json).toEqual({
      url: expect.stringContaining('/whatsapp_business/attachments/?mid='),
      mime_type: 'application/pdf',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      file_size: String(bytes.length),
      id,
      messaging_product: 'whatsapp',
    });
    expect((await fetch(info.json.url)).status).toBe(401);
    const download = await fetch(info.json.url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);

    expect((await graph(`/v25.0/${id}`, { method: 'DELETE' })).json).toEqual({ success: true });
    expect((await graph(`/v25.0/${id}`)).json.error.code).toBe(100);
  });

  it('stores a customer image so the business can download it by id', async () => {
    await setup();
    const image = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    simulator.customers.send(CUSTOMER, { type: 'image', data: image, mimeType: 'image/jpeg', caption: 'Taj Mahal' });
    const hook = await waitFor('image webhook', () => receiver.received[0]);
    const message = hook.json.entry[0].changes[0].value.messages[0];
    expect(message.image).toMatchObject({ caption: 'Taj Mahal', mime_type: 'image/jpeg', sha256: createHash('sha256').update(image).digest('base64') });
    const info = await graph(`/v25.0/${message.image.id}`);
    const download = await fetch(info.json.url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(Buffer.from(await download.arrayBuffer()).equals(image)).toBe(true);
  });

  it('refuses unsupported media types with 131053', async () => {
    await setup();
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('file', new Blob(['MZ'], { type: 'application/x-msdownload' }), 'x.exe');
    const upload = await fetch(`${simulator.url}/v25.0/${PHONE_ID}/media`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: form });
    expect(((await upload.json()) as { error: { code: number } }).error.code).toBe(131053);
  });
});

describe('customer page and /_sim API', () => {
  it('serves the page and lets a person send as a customer over HTTP', async () => {
    await setup();
    const page = await fetch(`${simulator.url}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    const response = await fetch(`${simulator.url}/_sim/customers/${CUSTOMER}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'from the page', name: 'Page User' }),
    });
    const { id } = (await response.json()) as { id: string };
    const hook = await waitFor('webhook', () => receiver.received[0]);
    expect(hook.json.entry[0].changes[0].value).toMatchObject({ contacts: [{ profile: { name: 'Page User' }, wa_id: CUSTOMER }], messages: [{ id, text: { body: 'from the page' } }] });
    const conversation = (await (await fetch(`${simulator.url}/_sim/customers/${CUSTOMER}/conversation`)).json()) as { customer: { windowOpen: boolean } };
    expect(conversation.customer.windowOpen).toBe(true);
  });
});
