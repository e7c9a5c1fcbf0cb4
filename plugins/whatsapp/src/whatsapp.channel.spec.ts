import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MessageContent, OutboundMessage } from '@obrol/contracts';
import { describe, expect, it } from 'vitest';
import { createWhatsAppChannel } from './whatsapp.channel.js';
import { fakeGraphFetch, graphError, sendAccepted, type FakeReply, type RecordedRequest } from './test-support/graph-fetch.fake.js';
import { PHONE_NUMBER_ID, testContext, WABA_ID } from './test-support/whatsapp-test.context.js';

const ctx = testContext();
const to = { externalId: '16505551234', phone: '+16505551234' };

async function sendAndCapture(content: MessageContent, extra: Partial<OutboundMessage> = {}, reply: (r: RecordedRequest) => FakeReply = () => sendAccepted()) {
  const graph = fakeGraphFetch(reply);
  const channel = createWhatsAppChannel({ fetch: graph.fetch });
  const result = await channel.send({ messageId: 'msg_1', to, content, ...extra }, 'idem-1', ctx);
  return { result, requests: graph.requests, body: graph.requests[0]?.json };
}

const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: '+16505551234', biz_opaque_callback_data: 'msg_1' };

describe('send: the exact JSON Meta expects per content type', () => {
  it('posts text to /{version}/{phone-number-id}/messages with the Bearer token', async () => {
    const { result, requests, body } = await sendAndCapture({ type: 'text', text: 'Hi https://obrol.dev', previewUrl: true });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.method).toBe('POST');
    expect(requests[0]!.url.toString()).toBe(`https://graph.test/v26.0/${PHONE_NUMBER_ID}/messages`);
    expect(requests[0]!.headers.get('authorization')).toBe('Bearer EAAtest-access-token');
    expect(body).toEqual({ ...base, type: 'text', text: { preview_url: true, body: 'Hi https://obrol.dev' } });
    expect(result).toEqual({ ok: true, value: { externalId: 'wamid.OUT1', recipientExternalId: '16505551234' } });
  });

  it("sends Obrol's message id as biz_opaque_callback_data, which Meta echoes in the message's status webhooks", async () => {
    const { body } = await sendAndCapture({ type: 'reaction', targetExternalId: 'wamid.IN1', emoji: '👍' }, { messageId: '0192f1c4-7a10-7000-8000-000000000002' });
    expect(body).toMatchObject({ type: 'reaction', biz_opaque_callback_data: '0192f1c4-7a10-7000-8000-000000000002' });
  });

  it('adds context.message_id for a reply', async () => {
    const { body } = await sendAndCapture({ type: 'text', text: 'Yes' }, { replyToExternalId: 'wamid.IN1' });
    expect(body).toEqual({ ...base, type: 'text', context: { message_id: 'wamid.IN1' }, text: { preview_url: false, body: 'Yes' } });
  });

  it.each([
    [{ type: 'image', media: { providerMediaId: '1479537139650973', caption: 'The best succulent ever?' } }, { type: 'image', image: { id: '1479537139650973', caption: 'The best succulent ever?' } }],
    [{ type: 'video', media: { url: 'https://cdn.example.com/v.mp4', caption: 'Demo' } }, { type: 'video', video: { link: 'https://cdn.example.com/v.mp4', caption: 'Demo' } }],
    [{ type: 'audio', media: { providerMediaId: 'A1', caption: 'ignored' }, voice: true }, { type: 'audio', audio: { id: 'A1' } }],
    [
      { type: 'document', media: { url: 'https://www.luckyshrub.com/invoices/FmOzfD9cKf/lucky-shrub-invoice.pdf', caption: 'Lucky Shrub Invoice' }, filename: 'lucky-shrub-invoice.pdf' },
      { type: 'document', document: { link: 'https://www.luckyshrub.com/invoices/FmOzfD9cKf/lucky-shrub-invoice.pdf', caption: 'Lucky Shrub Invoice', filename: 'lucky-shrub-invoice.pdf' } },
    ],
    [{ type: 'sticker', media: { providerMediaId: 'S1' } }, { type: 'sticker', sticker: { id: 'S1' } }],
    [
      { type: 'location', latitude: 37.44216251868683, longitude: -122.16153582049394, name: 'Philz Coffee', address: '101 Forest Ave, Palo Alto, CA 94301' },
      { type: 'location', location: { latitude: 37.44216251868683, longitude: -122.16153582049394, name: 'Philz Coffee', address: '101 Forest Ave, Palo Alto, CA 94301' } },
    ],
    [
      {
        type: 'contacts',
        contacts: [
          {
            name: { formattedName: 'Barbara J. Johnson', firstName: 'Barbara', lastName: 'Johnson' },
            phones: [{ phone: '+15555551234', type: 'WORK', waId: '15555551234' }],
            emails: [{ email: 'bjohnson@luckyshrub.com', type: 'WORK' }],
            organization: 'Lucky Shrub',
            urls: [],
          },
        ],
      },
      {
        type: 'contacts',
        contacts: [
          {
            name: { formatted_name: 'Barbara J. Johnson', first_name: 'Barbara', last_name: 'Johnson' },
            phones: [{ phone: '+15555551234', type: 'WORK', wa_id: '15555551234' }],
            emails: [{ email: 'bjohnson@luckyshrub.com', type: 'WORK' }],
            org: { company: 'Lucky Shrub' },
          },
        ],
      },
    ],
    [
      { type: 'reaction', targetExternalId: 'wamid.HBgLMTY0NjcwNDM1OTUVAgASGBQzQUYzNjc0RjVBRkY4MjQ3NTk3OAA=', emoji: '😀' },
      { type: 'reaction', reaction: { message_id: 'wamid.HBgLMTY0NjcwNDM1OTUVAgASGBQzQUYzNjc0RjVBRkY4MjQ3NTk3OAA=', emoji: '😀' } },
    ],
    [{ type: 'reaction', targetExternalId: 'wamid.T' }, { type: 'reaction', reaction: { message_id: 'wamid.T', emoji: '' } }],
  ] as [MessageContent, Record<string, unknown>][])('%o', async (content, expected) => {
    const { body, result } = await sendAndCapture(content);
    expect(body).toEqual({ ...base, ...expected });
    expect(result.ok).toBe(true);
  });

  it('interactive reply buttons', async () => {
    const { body } = await sendAndCapture({
      type: 'interactive',
      interactive: {
        kind: 'buttons',
        header: { type: 'text', text: 'Appointment' },
        body: 'Hi Pablo! Can you confirm your appointment?',
        footer: 'Lucky Shrub',
        buttons: [
          { id: 'change-button', title: 'Change' },
          { id: 'cancel-button', title: 'Cancel' },
        ],
      },
    });
    expect(body).toEqual({
      ...base,
      type: 'interactive',
      interactive: {
        type: 'button',
        header: { type: 'text', text: 'Appointment' },
        body: { text: 'Hi Pablo! Can you confirm your appointment?' },
        footer: { text: 'Lucky Shrub' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'change-button', title: 'Change' } },
            { type: 'reply', reply: { id: 'cancel-button', title: 'Cancel' } },
          ],
        },
      },
    });
  });

  it('interactive list', async () => {
    const { body } = await sendAndCapture({
      type: 'interactive',
      interactive: {
        kind: 'list',
        header: { type: 'text', text: 'Choose Shipping Option' },
        body: 'Which shipping option do you prefer?',
        footer: 'Lucky Shrub',
        buttonText: 'Shipping Options',
        sections: [{ title: 'I want it ASAP!', rows: [{ id: 'priority_express', title: 'Priority Mail Express', description: 'Next Day to 2 Days' }] }],
      },
    });
    expect(body).toEqual({
      ...base,
      type: 'interactive',
      interactive: {
        type: 'list',
        header: { type: 'text', text: 'Choose Shipping Option' },
        body: { text: 'Which shipping option do you prefer?' },
        footer: { text: 'Lucky Shrub' },
        action: {
          button: 'Shipping Options',
          sections: [{ title: 'I want it ASAP!', rows: [{ id: 'priority_express', title: 'Priority Mail Express', description: 'Next Day to 2 Days' }] }],
        },
      },
    });
  });

  it('interactive CTA URL with an image header', async () => {
    const { body } = await sendAndCapture({
      type: 'interactive',
      interactive: {
        kind: 'cta_url',
        header: { type: 'image', media: { url: 'https://cdn.example.com/banner.png' } },
        body: 'Tap the button below to see available dates.',
        footer: 'Dates subject to change.',
        displayText: 'See Dates',
        url: 'https://www.luckyshrub.com?clickID=kqDGWd24Q5TRwoEQTICY7W1JKoXvaZOXWAS7h1P76s0saIgNDUsvJ7shQxjJ3kgE',
      },
    });
    expect(body).toEqual({
      ...base,
      type: 'interactive',
      interactive: {
        type: 'cta_url',
        header: { type: 'image', image: { link: 'https://cdn.example.com/banner.png' } },
        body: { text: 'Tap the button below to see available dates.' },
        footer: { text: 'Dates subject to change.' },
        action: {
          name: 'cta_url',
          parameters: { display_text: 'See Dates', url: 'https://www.luckyshrub.com?clickID=kqDGWd24Q5TRwoEQTICY7W1JKoXvaZOXWAS7h1P76s0saIgNDUsvJ7shQxjJ3kgE' },
        },
      },
    });
  });

  it('template with media header, positional body and buttons', async () => {
    const { body } = await sendAndCapture({
      type: 'template',
      template: {
        name: 'order_confirmation',
        language: 'en_US',
        parameters: {
          header: [{ type: 'image', media: { url: 'https://cdn.example.com/hdr.jpg' } }],
          body: [
            { type: 'text', text: 'Jessica' },
            { type: 'text', text: 'SKBUP2-4CPIG9' },
            { type: 'currency', fallback: '$100.99', code: 'USD', amount1000: 100990 },
            { type: 'date_time', fallback: 'February 25, 1977' },
          ],
          buttons: [
            { index: 0, subType: 'quick_reply', value: 'UNSUB_PROMOS' },
            { index: 1, subType: 'url', value: 'SKBUP2-4CPIG9' },
            { index: 2, subType: 'copy_code', value: '25OFF' },
          ],
        },
      },
    });
    expect(body).toEqual({
      ...base,
      type: 'template',
      template: {
        name: 'order_confirmation',
        language: { code: 'en_US' },
        components: [
          { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example.com/hdr.jpg' } }] },
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Jessica' },
              { type: 'text', text: 'SKBUP2-4CPIG9' },
              { type: 'currency', currency: { fallback_value: '$100.99', code: 'USD', amount_1000: 100990 } },
              { type: 'date_time', date_time: { fallback_value: 'February 25, 1977' } },
            ],
          },
          { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'UNSUB_PROMOS' }] },
          { type: 'button', sub_type: 'url', index: '1', parameters: [{ type: 'text', text: 'SKBUP2-4CPIG9' }] },
          { type: 'button', sub_type: 'copy_code', index: '2', parameters: [{ type: 'coupon_code', coupon_code: '25OFF' }] },
        ],
      },
    });
  });

  it('template with named parameters, a document and a location header, and an OTP button', async () => {
    const named = await sendAndCapture({
      type: 'template',
      template: {
        name: 'welcome',
        language: 'en-US',
        parameters: { header: [{ type: 'document', media: { providerMediaId: 'D1' }, filename: 'terms.pdf' }], body: [{ type: 'text', text: 'Jessica', name: 'first_name' }] },
      },
    });
    expect(named.body).toMatchObject({
      template: {
        language: { code: 'en_US' },
        components: [
          { type: 'header', parameters: [{ type: 'document', document: { id: 'D1', filename: 'terms.pdf' } }] },
          { type: 'body', parameters: [{ type: 'text', parameter_name: 'first_name', text: 'Jessica' }] },
        ],
      },
    });
    const otp = await sendAndCapture({
      type: 'template',
      template: {
        name: 'login_code',
        language: 'en',
        parameters: {
          header: [{ type: 'location', latitude: 1.5, longitude: 2.5, name: 'Shop' }],
          body: [{ type: 'text', text: '123456' }],
          buttons: [{ index: 0, subType: 'otp', value: '123456' }],
        },
      },
    });
    expect((otp.body as { template: unknown }).template).toEqual({
      name: 'login_code',
      language: { code: 'en' },
      components: [
        { type: 'header', parameters: [{ type: 'location', location: { latitude: 1.5, longitude: 2.5, name: 'Shop' } }] },
        { type: 'body', parameters: [{ type: 'text', text: '123456' }] },
        { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: '123456' }] },
      ],
    });
  });

  it('a template without parameters has no components', async () => {
    const { body } = await sendAndCapture({ type: 'template', template: { name: 'hello_world', language: 'en_US', parameters: {} } });
    expect((body as { template: unknown }).template).toEqual({ name: 'hello_world', language: { code: 'en_US' } });
  });

  it('addresses the customer in E.164 with + (Meta prepends its own country code otherwise)', async () => {
    const graph = fakeGraphFetch(() => sendAccepted());
    const channel = createWhatsAppChannel({ fetch: graph.fetch });
    await channel.send({ messageId: 'm', to: { externalId: '6281234567890' }, content: { type: 'text', text: 'a' } }, 'k', ctx);
    await channel.send({ messageId: 'm', to: { externalId: 'US.13491208655302741918' }, content: { type: 'text', text: 'b' } }, 'k', ctx);
    expect(graph.requests.map((r) => [(r.json as { to?: string }).to, (r.json as { recipient?: string }).recipient])).toEqual([
      ['+6281234567890', undefined],
      [undefined, 'US.13491208655302741918'],
    ]);
  });

  it.each([
    { type: 'interactive_reply', reply: { kind: 'button', id: 'x', title: 'X' } },
    { type: 'system', text: 'changed number' },
    { type: 'order', items: [] },
    { type: 'unsupported', providerType: 'poll' },
  ] as MessageContent[])('refuses $type with CONTENT_NOT_SUPPORTED without calling Meta', async (content) => {
    const { result, requests } = await sendAndCapture(content);
    expect(requests).toEqual([]);
    expect(result).toMatchObject({ ok: false, error: { code: 'CONTENT_NOT_SUPPORTED', retryable: false } });
  });

  it('refuses media that has only an Obrol media id (must be uploaded first)', async () => {
    const { result, requests } = await sendAndCapture({ type: 'image', media: { mediaId: 'med_1' } });
    expect(requests).toEqual([]);
    expect(result).toMatchObject({ ok: false, error: { code: 'CONTENT_NOT_SUPPORTED' } });
  });
});

describe('send: errors are values', () => {
  it.each([
    [graphError(131047, 'Re-engagement message'), 'WINDOW_CLOSED', false],
    [graphError(130429, 'Rate limit hit'), 'THROUGHPUT_EXCEEDED', true],
    [graphError(131056, '(Business Account, Consumer Account) pair rate limit hit'), 'PAIR_RATE_LIMITED', true],
    [graphError(132000, 'Number of parameters does not match the expected number of params'), 'TEMPLATE_PARAMS_INVALID', false],
    [graphError(132001, 'Template name does not exist in the translation'), 'TEMPLATE_NOT_FOUND', false],
    [graphError(190, 'Error validating access token: Session has expired', 401), 'CHANNEL_AUTH_FAILED', false],
    [graphError(131000, 'Something went wrong', 500), 'CHANNEL_UNAVAILABLE', true],
    [{ status: 503, body: 'upstream down' }, 'CHANNEL_UNAVAILABLE', true],
  ] as [FakeReply, string, boolean][])('%#: → %s', async (reply, code, retryable) => {
    const { result } = await sendAndCapture({ type: 'text', text: 'x' }, {}, () => reply);
    expect(result).toMatchObject({ ok: false, error: { code, retryable } });
  });

  it('keeps the Retry-After header as retryAfterMs', async () => {
    const { result } = await sendAndCapture({ type: 'text', text: 'x' }, {}, () => ({ ...graphError(130429, 'Rate limit hit', 429), headers: { 'retry-after': '7' } }));
    expect(result).toMatchObject({ ok: false, error: { code: 'THROUGHPUT_EXCEEDED', retryAfterMs: 7_000 } });
  });

  it('a thrown fetch (network failure) is CHANNEL_UNAVAILABLE and retryable', async () => {
    const { result } = await sendAndCapture({ type: 'text', text: 'x' }, {}, () => new TypeError('fetch failed'));
    expect(result).toEqual({
      ok: false,
      error: { code: 'CHANNEL_UNAVAILABLE', message: 'WhatsApp could not be reached; the message will be retried.', retryable: true, providerMessage: 'fetch failed' },
    });
  });

  it('a 200 without a message id is an error that must not be retried blindly', async () => {
    const { result } = await sendAndCapture({ type: 'text', text: 'x' }, {}, () => ({ json: { messaging_product: 'whatsapp' } }));
    expect(result).toMatchObject({ ok: false, error: { code: 'CHANNEL_ERROR', retryable: false } });
  });
});

describe('send over real HTTP (node:http on port 0)', () => {
  it('sends the JSON body and reads the answer; a closed port is a retryable failure', async () => {
    const received: { url?: string; auth?: string; body?: unknown } = {};
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        Object.assign(received, { url: req.url, auth: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(sendAccepted('wamid.HTTP').json));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const httpCtx = testContext({ graphApiBaseUrl: `http://127.0.0.1:${port}`, graphApiVersion: 'v25.0' });
    const channel = createWhatsAppChannel();
    try {
      const result = await channel.send({ messageId: 'msg_1', to, content: { type: 'text', text: 'over the wire' } }, 'k', httpCtx);
      expect(result).toEqual({ ok: true, value: { externalId: 'wamid.HTTP', recipientExternalId: '16505551234' } });
      expect(received).toEqual({
        url: `/v25.0/${PHONE_NUMBER_ID}/messages`,
        auth: 'Bearer EAAtest-access-token',
        body: { ...base, type: 'text', text: { preview_url: false, body: 'over the wire' } },
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const refused = await channel.send({ messageId: 'm', to, content: { type: 'text', text: 'x' } }, 'k', httpCtx);
    expect(refused).toMatchObject({ ok: false, error: { code: 'CHANNEL_UNAVAILABLE', retryable: true } });
  });
});

describe('checkAccount, verifyWebhook, markRead', () => {
  it('checkAccount reads the phone number fields, with the health facts the admin sees', async () => {
    const graph = fakeGraphFetch(() => ({
      json: { display_phone_number: '+1 555-078-3881', verified_name: 'Lucky Shrub', quality_rating: 'GREEN', throughput: { level: 'STANDARD' }, whatsapp_business_manager_messaging_limit: 'TIER_250', id: PHONE_NUMBER_ID },
    }));
    const result = await createWhatsAppChannel({ fetch: graph.fetch }).checkAccount!(ctx);
    expect(graph.requests[0]!.url.toString()).toBe(
      `https://graph.test/v26.0/${PHONE_NUMBER_ID}?fields=display_phone_number%2Cverified_name%2Cquality_rating%2Cthroughput%2Cwhatsapp_business_manager_messaging_limit`,
    );
    expect(graph.requests[0]!.headers.get('authorization')).toBe('Bearer EAAtest-access-token');
    expect(result).toEqual({
      ok: true,
      value: { externalId: PHONE_NUMBER_ID, displayName: 'Lucky Shrub', displayPhoneNumber: '+1 555-078-3881', details: { phoneNumberId: PHONE_NUMBER_ID, qualityRating: 'GREEN', messagingLimit: 'TIER_250', throughput: 'STANDARD' } },
    });
  });

  it.each([
    [graphError(190, 'Error validating access token: Session has expired', 401), 'The access token is invalid or has expired'],
    [graphError(100, 'Unsupported get request. Object with ID does not exist'), 'Meta does not know this phone number ID'],
    [graphError(200, 'Permissions error', 403), 'lacks the whatsapp_business_messaging'],
  ] as [FakeReply, string][])('checkAccount explains %#: in an admin sentence', async (reply, sentence) => {
    const result = await createWhatsAppChannel({ fetch: fakeGraphFetch(() => reply).fetch }).checkAccount!(ctx);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('CHANNEL_AUTH_FAILED');
      expect(result.error.message).toContain(sentence);
    }
  });

  it('never echoes what a non-Graph origin answered into the error', async () => {
    const page = '<html>internal admin: root password hunter2</html>';
    const result = await createWhatsAppChannel({ fetch: fakeGraphFetch(() => ({ status: 200, body: page })).fetch }).checkAccount!(ctx);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });

  it('checkAccount keeps an outage retryable', async () => {
    const result = await createWhatsAppChannel({ fetch: fakeGraphFetch(() => new TypeError('fetch failed')).fetch }).checkAccount!(ctx);
    expect(result).toMatchObject({ ok: false, error: { code: 'CHANNEL_UNAVAILABLE', retryable: true } });
  });

  const verify = (query: Record<string, string>) => createWhatsAppChannel().verifyWebhook!({ method: 'GET', headers: {}, query, rawBody: Buffer.alloc(0) }, ctx);

  it('verifyWebhook answers the challenge as text/plain', () => {
    expect(verify({ 'hub.mode': 'subscribe', 'hub.challenge': '1158201444', 'hub.verify_token': 'vibecoding' })).toEqual({
      ok: true,
      value: { status: 200, body: '1158201444', contentType: 'text/plain' },
    });
  });

  it.each([
    [{ 'hub.mode': 'subscribe', 'hub.challenge': '1', 'hub.verify_token': 'wrong' }],
    [{ 'hub.mode': 'subscribe', 'hub.challenge': '1', 'hub.verify_token': 'vibecodin' }],
    [{ 'hub.mode': 'unsubscribe', 'hub.challenge': '1', 'hub.verify_token': 'vibecoding' }],
    [{ 'hub.mode': 'subscribe', 'hub.verify_token': 'vibecoding' }],
    [{}],
  ])('verifyWebhook refuses %o', (query) => {
    expect(verify(query)).toMatchObject({ ok: false, error: { code: 'WEBHOOK_VERIFY_FAILED', retryable: false } });
  });

  it('markRead posts the read status', async () => {
    const graph = fakeGraphFetch(() => ({ json: { success: true } }));
    const result = await createWhatsAppChannel({ fetch: graph.fetch }).markRead!('wamid.IN1', ctx);
    expect(result).toEqual({ ok: true, value: undefined });
    expect(graph.requests[0]!.url.pathname).toBe(`/v26.0/${PHONE_NUMBER_ID}/messages`);
    expect(graph.requests[0]!.json).toEqual({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN1' });
  });

  it('sendTypingIndicator posts the read status with a text typing indicator', async () => {
    const graph = fakeGraphFetch(() => ({ json: { success: true } }));
    const result = await createWhatsAppChannel({ fetch: graph.fetch }).sendTypingIndicator!('wamid.IN1', ctx);
    expect(result).toEqual({ ok: true, value: undefined });
    expect(graph.requests[0]!.url.pathname).toBe(`/v26.0/${PHONE_NUMBER_ID}/messages`);
    expect(graph.requests[0]!.json).toEqual({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.IN1', typing_indicator: { type: 'text' } });
  });

  it("sendTypingIndicator returns Meta's refusal as a value", async () => {
    const graph = fakeGraphFetch(() => ({ status: 400, json: { error: { message: '(#100) Invalid parameter', type: 'OAuthException', code: 100, error_data: { details: 'Invalid message_id' }, fbtrace_id: 'x' } } }));
    const result = await createWhatsAppChannel({ fetch: graph.fetch }).sendTypingIndicator!('wamid.GONE', ctx);
    expect(result).toMatchObject({ ok: false, error: { providerCode: 100, retryable: false } });
  });
});

describe('media', () => {
  it('download resolves the media URL, then fetches it with the token', async () => {
    const graph = fakeGraphFetch((req) =>
      req.url.hostname === 'lookaside.test'
        ? { body: new Uint8Array([1, 2, 3]), headers: { 'content-type': 'image/jpeg' } }
        : { json: { messaging_product: 'whatsapp', url: 'https://lookaside.test/attachments/?mid=1&hash=x', mime_type: 'image/jpeg', sha256: 'h', file_size: '3', id: '1003383421387256' } },
    );
    const result = await createWhatsAppChannel({ fetch: graph.fetch }).media!.download('1003383421387256', ctx);
    expect(graph.requests.map((r) => r.url.toString())).toEqual([
      `https://graph.test/v26.0/1003383421387256?phone_number_id=${PHONE_NUMBER_ID}`,
      'https://lookaside.test/attachments/?mid=1&hash=x',
    ]);
    expect(graph.requests.every((r) => r.headers.get('authorization') === 'Bearer EAAtest-access-token')).toBe(true);
    expect(result).toEqual({ ok: true, value: { bytes: Buffer.from([1, 2, 3]), mimeType: 'image/jpeg' } });
  });

  it('download asks for a fresh URL once when the old one answers 404', async () => {
    let downloads = 0;
    const graph = fakeGraphFetch((req) => {
      if (req.url.hostname !== 'lookaside.test') return { json: { url: 'https://lookaside.test/f', mime_type: 'audio/ogg' } };
      downloads++;
      return downloads === 1 ? { status: 404, body: '' } : { body: new Uint8Array([9]) };
    });
    const result = await createWhatsAppChannel({ fetch: graph.fetch }).media!.download('M1', ctx);
    expect(graph.requests).toHaveLength(4);
    expect(result).toEqual({ ok: true, value: { bytes: Buffer.from([9]), mimeType: 'audio/ogg' } });
  });

  it('download maps a media error', async () => {
    const result = await createWhatsAppChannel({ fetch: fakeGraphFetch(() => graphError(131052, 'Media download error')).fetch }).media!.download('M1', ctx);
    expect(result).toMatchObject({ ok: false, error: { code: 'MEDIA_FAILED' } });
  });

  it('upload posts multipart messaging_product, type and file', async () => {
    const graph = fakeGraphFetch(() => ({ json: { id: '4490709327384033' } }));
    const result = await createWhatsAppChannel({ fetch: graph.fetch }).media!.upload!({ bytes: Buffer.from('%PDF-1.4'), mimeType: 'application/pdf', filename: 'a.pdf' }, ctx);
    expect(result).toEqual({ ok: true, value: { providerMediaId: '4490709327384033' } });
    const req = graph.requests[0]!;
    expect(req.url.toString()).toBe(`https://graph.test/v26.0/${PHONE_NUMBER_ID}/media`);
    expect(req.form?.get('messaging_product')).toBe('whatsapp');
    expect(req.form?.get('type')).toBe('application/pdf');
    const file = req.form?.get('file') as File;
    expect(file.name).toBe('a.pdf');
    expect(Buffer.from(await file.arrayBuffer()).toString()).toBe('%PDF-1.4');
  });

  it('upload refuses a type or size WhatsApp does not accept, without calling Meta', async () => {
    const graph = fakeGraphFetch();
    const media = createWhatsAppChannel({ fetch: graph.fetch }).media!;
    expect(await media.upload!({ bytes: Buffer.from('x'), mimeType: 'image/gif' }, ctx)).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    expect(await media.upload!({ bytes: Buffer.alloc(5 * 1024 * 1024 + 1), mimeType: 'image/png' }, ctx)).toMatchObject({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(graph.requests).toEqual([]);
  });

  it('publishes the limits of WHATSAPP.md §2.5', () => {
    const media = createWhatsAppChannel().media!;
    expect(media.maxBytes).toEqual({ image: 5 * 1024 * 1024, video: 16 * 1024 * 1024, audio: 16 * 1024 * 1024, document: 100 * 1024 * 1024, sticker: 500 * 1024 });
    expect(media.mimeTypes.image).toEqual(['image/jpeg', 'image/png']);
    expect(media.mimeTypes.video).toEqual(['video/mp4', 'video/3gpp']);
    expect(media.mimeTypes.sticker).toEqual(['image/webp']);
  });
});

describe('templates: list, create, remove', () => {
  const metaTemplate = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    language: 'en_US',
    status: 'APPROVED',
    category: 'UTILITY',
    parameter_format: 'POSITIONAL',
    id: `id_${name}`,
    components: [{ type: 'BODY', text: `Hello {{1}}, this is ${name}.`, example: { body_text: [['Pablo']] } }],
    ...extra,
  });

  it('follows paging.next across 3 pages', async () => {
    const pages: Record<string, unknown> = {
      first: { data: [metaTemplate('a'), metaTemplate('b')], paging: { cursors: { before: 'B0', after: 'A1' }, next: 'https://graph.test/v26.0/page2?after=A1' } },
      page2: { data: [metaTemplate('c')], paging: { cursors: { before: 'B1', after: 'A2' }, next: 'https://graph.test/v26.0/page3?after=A2' } },
      page3: { data: [metaTemplate('d')], paging: { cursors: { before: 'B2', after: 'A3' } } },
    };
    const graph = fakeGraphFetch((req) => ({ json: req.url.pathname.endsWith('/page2') ? pages['page2'] : req.url.pathname.endsWith('/page3') ? pages['page3'] : pages['first'] }));
    const result = await createWhatsAppChannel({ fetch: graph.fetch }).templates!.list(ctx);
    const first = graph.requests[0]!.url;
    expect(first.pathname).toBe(`/v26.0/${WABA_ID}/message_templates`);
    expect(first.searchParams.get('limit')).toBe('100');
    expect(first.searchParams.get('fields')).toContain('components');
    expect(graph.requests.map((r) => r.url.pathname)).toEqual([`/v26.0/${WABA_ID}/message_templates`, '/v26.0/page2', '/v26.0/page3']);
    expect(result.ok && result.value.map((t) => t.name)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('maps Meta components, status, rejection, quality and format', async () => {
    const raw = {
      name: 'order_update',
      language: 'pt_BR',
      status: 'REJECTED',
      category: 'MARKETING',
      parameter_format: 'NAMED',
      rejected_reason: 'INVALID_FORMAT',
      quality_score: { score: 'YELLOW', date: 1750000000 },
      id: '572279198452421',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Order {{order_id}}', example: { header_text_named_params: [{ param_name: 'order_id', example: '123' }] } },
        { type: 'BODY', text: 'Hi {{first_name}}, your order ships today.', example: { body_text_named_params: [{ param_name: 'first_name', example: 'Pablo' }] } },
        { type: 'FOOTER', text: 'Lucky Shrub' },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'FLOW', text: 'Book', flow_id: '1' },
            { type: 'URL', text: 'Track', url: 'https://shop.example/t/{{1}}', example: ['https://shop.example/t/abc'] },
            { type: 'PHONE_NUMBER', text: 'Call us', phone_number: '+15550783881' },
            { type: 'COPY_CODE', example: 'SAVE10' },
            { type: 'QUICK_REPLY', text: 'Stop' },
          ],
        },
      ],
    };
    const result = await createWhatsAppChannel({ fetch: fakeGraphFetch(() => ({ json: { data: [raw], paging: {} } })).fetch }).templates!.list(ctx);
    expect(result).toEqual({
      ok: true,
      value: [
        {
          name: 'order_update',
          language: 'pt_BR',
          category: 'MARKETING',
          parameterFormat: 'named',
          externalId: '572279198452421',
          status: 'REJECTED',
          rejectionReason: 'INVALID_FORMAT',
          quality: 'YELLOW',
          components: {
            header: { format: 'TEXT', text: 'Order {{order_id}}', examples: { order_id: '123' } },
            body: { text: 'Hi {{first_name}}, your order ships today.', examples: { first_name: 'Pablo' } },
            footer: { text: 'Lucky Shrub' },
            buttons: [
              { type: 'QUICK_REPLY', text: 'Book' },
              { type: 'URL', text: 'Track', url: 'https://shop.example/t/{{1}}', example: 'https://shop.example/t/abc' },
              { type: 'PHONE_NUMBER', text: 'Call us', phoneNumber: '+15550783881' },
              { type: 'COPY_CODE', example: 'SAVE10' },
              { type: 'QUICK_REPLY', text: 'Stop' },
            ],
          },
        },
      ],
    });
  });

  it('list stops on an error page and returns it', async () => {
    const graph = fakeGraphFetch((req) =>
      req.url.pathname.endsWith('/page2') ? graphError(80007, 'Rate limit issues') : { json: { data: [metaTemplate('a')], paging: { next: 'https://graph.test/v26.0/page2' } } },
    );
    expect(await createWhatsAppChannel({ fetch: graph.fetch }).templates!.list(ctx)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', retryable: true } });
  });

  it('create posts components with example blocks', async () => {
    const graph = fakeGraphFetch(() => ({ json: { id: '572279198452421', status: 'PENDING', category: 'MARKETING' } }));
    const result = await createWhatsAppChannel({ fetch: graph.fetch }).templates!.create(
      {
        name: 'order_shipped',
        language: 'en_US',
        category: 'UTILITY',
        parameterFormat: 'positional',
        components: {
          header: { format: 'TEXT', text: 'Order {{1}} shipped', examples: ['#123'] },
          body: { text: 'Hi {{1}}, your order {{2}} is on its way and will arrive soon.', examples: ['Pablo', '#123'] },
          footer: { text: 'Lucky Shrub' },
          buttons: [
            { type: 'URL', text: 'Track', url: 'https://shop.example/t/{{1}}', example: 'abc' },
            { type: 'QUICK_REPLY', text: 'Thanks' },
          ],
        },
      },
      ctx,
    );
    expect(graph.requests[0]!.method).toBe('POST');
    expect(graph.requests[0]!.url.toString()).toBe(`https://graph.test/v26.0/${WABA_ID}/message_templates`);
    expect(graph.requests[0]!.json).toEqual({
      name: 'order_shipped',
      language: 'en_US',
      category: 'UTILITY',
      parameter_format: 'positional',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Order {{1}} shipped', example: { header_text: ['#123'] } },
        { type: 'BODY', text: 'Hi {{1}}, your order {{2}} is on its way and will arrive soon.', example: { body_text: [['Pablo', '#123']] } },
        { type: 'FOOTER', text: 'Lucky Shrub' },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'URL', text: 'Track', url: 'https://shop.example/t/{{1}}', example: ['abc'] },
            { type: 'QUICK_REPLY', text: 'Thanks' },
          ],
        },
      ],
    });
    expect(result).toMatchObject({ ok: true, value: { externalId: '572279198452421', status: 'PENDING', category: 'MARKETING' } });
  });

  it('create sends named examples as *_named_params', async () => {
    const graph = fakeGraphFetch(() => ({ json: { id: '1', status: 'PENDING', category: 'UTILITY' } }));
    await createWhatsAppChannel({ fetch: graph.fetch }).templates!.create(
      {
        name: 'welcome',
        language: 'en',
        category: 'UTILITY',
        parameterFormat: 'named',
        components: { body: { text: 'Hello {{first_name}}, welcome to your account.', examples: { first_name: 'Pablo' } } },
      },
      ctx,
    );
    expect((graph.requests[0]!.json as { components: unknown }).components).toEqual([
      { type: 'BODY', text: 'Hello {{first_name}}, welcome to your account.', example: { body_text_named_params: [{ param_name: 'first_name', example: 'Pablo' }] } },
    ]);
  });

  it('create refuses a draft the linter rejects, without calling Meta', async () => {
    const graph = fakeGraphFetch();
    const result = await createWhatsAppChannel({ fetch: graph.fetch }).templates!.create(
      { name: 'Bad Name', language: 'en_US', category: 'UTILITY', parameterFormat: 'positional', components: { body: { text: 'Hello there.' } } },
      ctx,
    );
    expect(graph.requests).toEqual([]);
    expect(result).toMatchObject({ ok: false, error: { code: 'TEMPLATE_LINT_FAILED', details: { problems: [expect.objectContaining({ rule: 'name.format' })] } } });
  });

  it('update edits a template in place by its id (category and components) and reports it back in review', async () => {
    const graph = fakeGraphFetch(() => ({ json: { success: true } }));
    const result = await createWhatsAppChannel({ fetch: graph.fetch }).templates!.update!(
      '572279198452421',
      { name: 'order_late', language: 'en', category: 'UTILITY', parameterFormat: 'positional', components: { body: { text: 'Sorry, order {{1}} is late.', examples: ['#123'] } } },
      ctx,
    );
    expect(`${graph.requests[0]!.method} ${graph.requests[0]!.url.pathname}`).toBe('POST /v26.0/572279198452421');
    expect(graph.requests[0]!.json).toEqual({ category: 'UTILITY', components: [{ type: 'BODY', text: 'Sorry, order {{1}} is late.', example: { body_text: [['#123']] } }] });
    expect(result).toMatchObject({ ok: true, value: { externalId: '572279198452421', status: 'PENDING', rejectionReason: null } });
    const refused = await createWhatsAppChannel({ fetch: fakeGraphFetch().fetch }).templates!.update!('1', { name: 'x', language: 'en', category: 'UTILITY', parameterFormat: 'positional', components: { body: { text: '{{1}} late' } } }, ctx);
    expect(refused).toMatchObject({ ok: false, error: { code: 'TEMPLATE_LINT_FAILED' } });
  });

  it('remove deletes by name, or by name and hsm_id', async () => {
    const graph = fakeGraphFetch(() => ({ json: { success: true } }));
    const templates = createWhatsAppChannel({ fetch: graph.fetch }).templates!;
    expect(await templates.remove('order_confirmation', undefined, ctx)).toEqual({ ok: true, value: undefined });
    expect(await templates.remove('order_confirmation', '1407680676729941', ctx)).toEqual({ ok: true, value: undefined });
    expect(graph.requests.map((r) => `${r.method} ${r.url.pathname}${r.url.search}`)).toEqual([
      `DELETE /v26.0/${WABA_ID}/message_templates?name=order_confirmation`,
      `DELETE /v26.0/${WABA_ID}/message_templates?name=order_confirmation&hsm_id=1407680676729941`,
    ]);
  });
});

describe('channel shape', () => {
  it('is the whatsapp channel with secrets declared and the 24h policy', () => {
    const channel = createWhatsAppChannel();
    expect(channel.id).toBe('whatsapp');
    expect(channel.secretFields).toEqual(['accessToken', 'appSecret', 'verifyToken']);
    expect(channel.capabilities.sessionWindow).toBe(true);
    const now = new Date('2026-01-02T00:00:00Z');
    expect(channel.policy.canSendFreeform({ lastInboundAt: new Date('2026-01-01T00:00:01Z') }, now).open).toBe(true);
    expect(channel.policy.canSendFreeform({ lastInboundAt: new Date('2026-01-01T00:00:00Z') }, now).open).toBe(false);
  });
});
