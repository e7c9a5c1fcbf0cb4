import { afterEach, describe, expect, it } from 'vitest';
import { startWhatsAppSimulator, type TemplateSeed, type WhatsAppSimulator } from './index.js';
import { manualClock, startWebhookReceiver, type WebhookReceiver } from './test-support/webhook-receiver.js';

/**
 * Requests recorded against Meta's live Graph API, with the answer Meta gave, written out as
 * facts (issue 14): the simulator must answer each the same way. The four kinds are where it
 * used to differ; each has the request Meta accepts and, where there is one, its refusal.
 */
const TOKEN = 'recorded-token';
const PHONE_ID = '106540352242922';
const WABA_ID = '102290129340398';

let simulator: WhatsAppSimulator;
let receiver: WebhookReceiver;
const clock = manualClock();

async function setup(templates?: TemplateSeed[]) {
  receiver = await startWebhookReceiver();
  simulator = await startWhatsAppSimulator({ accessToken: TOKEN, webhookUrl: receiver.url, clock, pairRateLimit: false, ...(templates ? { templates } : {}) });
}

afterEach(async () => {
  await simulator?.close();
  await receiver?.close();
});

/** Sends a request as an ordinary HTTP client does: JSON content type, even on a DELETE without a body. */
async function graph(method: string, path: string, body?: unknown) {
  const response = await fetch(`${simulator.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as any };
}

describe('1. `to` as a JSON number', () => {
  const recorded = [
    { type: 'text', text: { body: 'Hello' } },
    { type: 'image', image: { link: 'https://example.com/photo.jpg' } },
    { type: 'document', document: { link: 'https://example.com/invoice.pdf', filename: 'invoice.pdf' } },
    { type: 'location', location: { latitude: 37.4847, longitude: -122.1473, name: 'Philz Coffee' } },
    { type: 'contacts', contacts: [{ name: { formatted_name: 'John Smith', first_name: 'John' }, phones: [{ phone: '+1 (940) 555-1234', type: 'HOME' }] }] },
    { type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } },
  ];
  for (const message of recorded) {
    it(`accepts ${message.type} sent to 13437772910 (a number) and answers 200 with a wamid, as Meta does`, async () => {
      await setup();
      simulator.customers.send('13437772910', 'hi');
      // Request: POST /v23.0/{PHONE_ID}/messages {"messaging_product":"whatsapp","to":13437772910,"type":…}
      const { status, json } = await graph('POST', `/v23.0/${PHONE_ID}/messages`, { messaging_product: 'whatsapp', to: 13437772910, ...message });
      // Meta: 200 {"messaging_product":"whatsapp","contacts":[{"input":…,"wa_id":"13437772910"}],"messages":[{"id":"wamid.…"}]}
      expect(status).toBe(200);
      expect(json).toEqual({
        messaging_product: 'whatsapp',
        contacts: [{ input: '13437772910', wa_id: '13437772910' }],
        messages: [{ id: expect.stringMatching(/^wamid\./) }],
      });
    });
  }

  it('still refuses a `to` that is no phone number, with (#100) Invalid parameter', async () => {
    await setup();
    for (const to of [true, 1.5, -13437772910, { phone: '13437772910' }, null]) {
      const { status, json } = await graph('POST', `/v23.0/${PHONE_ID}/messages`, { messaging_product: 'whatsapp', to, type: 'text', text: { body: 'Hello' } });
      expect(status).toBe(400);
      expect(json.error).toMatchObject({ code: 100, message: '(#100) Invalid parameter', type: 'OAuthException' });
    }
  });
});

describe('2. the typing indicator', () => {
  it('marks the message read, answers {"success":true} and shows "typing…" to the customer until the business replies', async () => {
    await setup();
    const wamid = simulator.customers.send('13437772910', 'Is my order on its way?');
    // Request: POST /v23.0/{PHONE_ID}/messages
    const request = { messaging_product: 'whatsapp', status: 'read', message_id: wamid, typing_indicator: { type: 'text' } };
    const { status, json } = await graph('POST', `/v23.0/${PHONE_ID}/messages`, request);
    // Meta: 200 {"success":true}
    expect(status).toBe(200);
    expect(json).toEqual({ success: true });
    expect(simulator.conversationFrom('13437772910')[0]!.readByBusiness).toBe(true);
    expect(simulator.typingIndicators).toEqual([{ waId: '13437772910', messageId: wamid, at: clock.now() }]);
    expect(simulator.isTyping('13437772910')).toBe(true);
    const page = (await (await fetch(`${simulator.url}/_sim/state`)).json()) as { customers: unknown[] };
    expect(page.customers[0]).toMatchObject({ phone: '13437772910', typing: true });

    await graph('POST', `/v23.0/${PHONE_ID}/messages`, { messaging_product: 'whatsapp', to: '13437772910', type: 'text', text: { body: 'Yes, it left today.' } });
    expect(simulator.isTyping('13437772910')).toBe(false);
  });

  it('dismisses "typing…" after 25 seconds without a reply (WHATSAPP.md §2.4)', async () => {
    await setup();
    const wamid = simulator.customers.send('13437772910', 'Hello?');
    await graph('POST', `/v23.0/${PHONE_ID}/messages`, { messaging_product: 'whatsapp', status: 'read', message_id: wamid, typing_indicator: { type: 'text' } });
    clock.advance(24_999);
    expect(simulator.isTyping('13437772910')).toBe(true);
    clock.advance(1);
    expect(simulator.isTyping('13437772910')).toBe(false);
  });

  it('refuses a typing indicator of another type, with (#100)', async () => {
    await setup();
    const wamid = simulator.customers.send('13437772910', 'Hello?');
    const { status, json } = await graph('POST', `/v23.0/${PHONE_ID}/messages`, { messaging_product: 'whatsapp', status: 'read', message_id: wamid, typing_indicator: { type: 'audio' } });
    expect(status).toBe(400);
    expect(json.error.code).toBe(100);
    expect(simulator.typingIndicators).toEqual([]);
  });
});

describe('3. template deletion by hsm_id', () => {
  const seeds = [
    { id: '1407680676729941', name: 'order_confirmation', language: 'en_US', category: 'UTILITY' as const, components: [{ type: 'BODY', text: 'Your order is confirmed.' }] },
    { id: '1407680676729942', name: 'order_confirmation', language: 'id', category: 'UTILITY' as const, components: [{ type: 'BODY', text: 'Pesanan Anda dikonfirmasi.' }] },
  ];

  it('deletes only that language version and answers {"success":true}', async () => {
    await setup(seeds);
    // Request: DELETE /v23.0/{WABA_ID}/message_templates?hsm_id=1407680676729941&name=order_confirmation (content-type: application/json, no body)
    const { status, json } = await graph('DELETE', `/v23.0/${WABA_ID}/message_templates?hsm_id=1407680676729941&name=order_confirmation`);
    // Meta: 200 {"success":true}
    expect(status).toBe(200);
    expect(json).toEqual({ success: true });
    expect(simulator.templates().map((template) => `${template.name}/${template.language}`)).toEqual(['order_confirmation/id']);
  });

  it('deletes every language when given the name alone', async () => {
    await setup(seeds);
    // Request: DELETE /v23.0/{WABA_ID}/message_templates?name=order_confirmation → Meta: 200 {"success":true}
    const { status, json } = await graph('DELETE', `/v23.0/${WABA_ID}/message_templates?name=order_confirmation`);
    expect(status).toBe(200);
    expect(json).toEqual({ success: true });
    expect(simulator.templates()).toEqual([]);
  });
});

describe('4. template listing with an unknown field', () => {
  it('answers 400 with code 100 naming the field, as Meta does', async () => {
    await setup();
    // Request: GET /v23.0/{WABA_ID}/message_templates?fields=name,status,not_a_field
    const { status, json } = await graph('GET', `/v23.0/${WABA_ID}/message_templates?fields=name,status,not_a_field`);
    // Meta: 400 {"error":{"message":"(#100) Tried accessing nonexisting field (not_a_field) on node type (…)","type":"OAuthException","code":100,…}}
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ code: 100, type: 'OAuthException', message: expect.stringMatching(/^\(#100\) Tried accessing nonexisting field \(not_a_field\)/) });
  });

  it('still answers the documented fields', async () => {
    await setup();
    const { status, json } = await graph('GET', `/v23.0/${WABA_ID}/message_templates?fields=name,category,status&limit=5`);
    expect(status).toBe(200);
    expect(json.data[0]).toEqual({ name: 'hello_world', category: 'UTILITY', status: 'APPROVED', id: expect.any(String) });
  });
});
