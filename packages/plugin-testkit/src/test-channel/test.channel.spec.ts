import type { ChannelContext, TemplateDefinition, WebhookRequest } from '@obrol/contracts';
import { describe, expect, it } from 'vitest';
import { TestClock } from '../test-clock.js';
import { type TestChannelConfig, createTestChannel, testChannelConfigSchema } from './test.channel.js';
import { TestProvider } from './test-provider.js';
import { TEST_SIGNATURE_HEADER, type TestWebhook, signTestWebhook, testEvents } from './test-webhook.js';

const SECRET = 'test-secret-123';
const AT = new Date('2026-03-02T09:15:00.000Z');
const ctx: ChannelContext<TestChannelConfig> = {
  channelAccountId: 'acc-1',
  tenantId: 'tenant-1',
  config: testChannelConfigSchema.parse({ webhookSecret: SECRET }),
  clock: new TestClock(AT),
};

function post(payload: TestWebhook | string, signature?: string): WebhookRequest {
  const raw = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return { method: 'POST', headers: { [TEST_SIGNATURE_HEADER]: signature ?? signTestWebhook(raw, SECRET) }, query: {}, rawBody: Buffer.from(raw) };
}

function parse(payload: TestWebhook | string, signature?: string) {
  return createTestChannel().parseWebhook(post(payload, signature), ctx);
}

describe('test channel config', () => {
  it('fills in defaults', () => {
    expect(testChannelConfigSchema.parse({ webhookSecret: SECRET })).toEqual({ webhookSecret: SECRET, accountId: 'test-account', rejectCredentials: false });
  });

  it('refuses a short webhook secret, naming it', () => {
    const result = testChannelConfigSchema.safeParse({ webhookSecret: 'short' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['webhookSecret'], message: 'must be at least 8 characters' });
  });

  it('marks the webhook secret as the secret field', () => {
    expect(createTestChannel().secretFields).toEqual(['webhookSecret']);
  });
});

describe('test channel webhook signature', () => {
  const payload: TestWebhook = { events: [testEvents.text('in-1', { id: 'cust-1' }, 'Hi', AT)] };

  it('accepts the HMAC-SHA256 hex of the raw body', () => {
    expect(parse(payload).ok).toBe(true);
  });

  it.each([
    ['missing', ''],
    ['signed with another secret', signTestWebhook(JSON.stringify(payload), 'another-secret')],
    ['of another body', signTestWebhook('{}', SECRET)],
    ['upper-cased', signTestWebhook(JSON.stringify(payload), SECRET).toUpperCase()],
  ])('refuses a signature that is %s', (_case, signature) => {
    expect(parse(payload, signature)).toMatchObject({ ok: false, error: { code: 'WEBHOOK_SIGNATURE_INVALID', retryable: false } });
  });

  it('checks the signature before reading the body', () => {
    expect(parse('not json', 'bad')).toMatchObject({ ok: false, error: { code: 'WEBHOOK_SIGNATURE_INVALID' } });
  });

  it('refuses a signed body that is not JSON, or not its format, as WEBHOOK_PAYLOAD_INVALID', () => {
    expect(parse('{"events": [')).toMatchObject({ ok: false, error: { code: 'WEBHOOK_PAYLOAD_INVALID' } });
    expect(parse('{"events": [{"type": "poll"}]}')).toMatchObject({ ok: false, error: { code: 'WEBHOOK_PAYLOAD_INVALID' } });
  });
});

describe('test channel webhook events', () => {
  it('turns a text message into an inbound message that opens the window', () => {
    const result = parse({ account: 'test-account', events: [testEvents.text('in-1', { id: 'cust-1', phone: '+6281234567890', name: 'Maria' }, 'Halo', AT)] });
    expect(result).toEqual({
      ok: true,
      value: {
        events: [
          {
            kind: 'inbound_message',
            externalId: 'in-1',
            from: { externalId: 'cust-1', phone: '+6281234567890', name: 'Maria' },
            timestamp: AT,
            content: { type: 'text', text: 'Halo' },
            opensWindow: true,
          },
        ],
      },
    });
  });

  it('keeps given content and the replied-to id', () => {
    const image = { type: 'image' as const, media: { providerMediaId: 'media-1', mimeType: 'image/jpeg', caption: 'receipt' } };
    const result = parse({ events: [{ ...testEvents.content('in-2', { id: 'cust-1' }, image, AT), replyTo: 'out-1' }] });
    expect(result.ok && result.value.events[0]).toMatchObject({ kind: 'inbound_message', content: image, replyToExternalId: 'out-1' });
  });

  it('marks a system message as not opening the window', () => {
    const result = parse({ events: [{ ...testEvents.text('in-3', { id: 'cust-1' }, 'Number changed', AT), system: true }] });
    expect(result.ok && result.value.events[0]).toMatchObject({ kind: 'inbound_message', opensWindow: false });
  });

  it('keeps content outside the content model as unsupported, with the raw payload, instead of refusing the delivery', () => {
    const poll = { type: 'poll', question: 'Jam buka?' };
    const result = parse({ events: [{ type: 'message', id: 'in-5', from: { id: 'cust-1' }, timestamp: AT.toISOString(), content: poll }] });
    expect(result.ok && result.value.events[0]).toMatchObject({ kind: 'inbound_message', content: { type: 'unsupported', providerType: 'poll', raw: poll } });
  });

  it('keeps a message without text or content as unsupported', () => {
    const result = parse({ events: [{ type: 'message', id: 'in-4', from: { id: 'cust-1' }, timestamp: AT.toISOString() }] });
    expect(result.ok && result.value.events[0]).toMatchObject({ kind: 'inbound_message', content: { type: 'unsupported', providerType: 'empty' } });
  });

  it('turns statuses into status events, with a typed error for a failure', () => {
    const result = parse({
      events: [testEvents.status('out-1', 'read', AT), testEvents.status('out-2', 'failed', AT, { code: 'RECIPIENT_UNDELIVERABLE', message: 'Not on the channel.' })],
    });
    expect(result.ok && result.value.events).toEqual([
      { kind: 'status', externalId: 'out-1', status: 'read', timestamp: AT, error: undefined },
      { kind: 'status', externalId: 'out-2', status: 'failed', timestamp: AT, error: { code: 'RECIPIENT_UNDELIVERABLE', message: 'Not on the channel.', retryable: false } },
    ]);
  });

  it('turns a template event into a template status', () => {
    const result = parse({ events: [{ type: 'template', name: 'promo', language: 'id', status: 'APPROVED', timestamp: AT.toISOString() }] });
    expect(result.ok && result.value.events).toEqual([{ kind: 'template_status', name: 'promo', language: 'id', status: 'APPROVED', reason: undefined, timestamp: AT }]);
  });
});

describe('test channel handshake and account check', () => {
  const verify = (query: Record<string, string>) => createTestChannel().verifyWebhook!({ method: 'GET', headers: {}, query, rawBody: Buffer.alloc(0) }, ctx);

  it('answers the challenge for the webhook secret as token', () => {
    expect(verify({ token: SECRET, challenge: 'c-1' })).toEqual({ ok: true, value: { status: 200, body: 'c-1', contentType: 'text/plain' } });
  });

  it.each([[{ token: 'wrong', challenge: 'c-1' }], [{ token: SECRET }]])('refuses %o', (query) => {
    expect(verify(query)).toMatchObject({ ok: false, error: { code: 'WEBHOOK_VERIFY_FAILED' } });
  });

  it('checks credentials, refusing on request', async () => {
    const channel = createTestChannel();
    expect(await channel.checkAccount!(ctx)).toEqual({ ok: true, value: { externalId: 'test-account', displayName: 'Test account' } });
    expect(await channel.checkAccount!({ ...ctx, config: { ...ctx.config, rejectCredentials: true } })).toMatchObject({ ok: false, error: { code: 'CHANNEL_AUTH_FAILED' } });
  });
});

describe('test channel policy', () => {
  const { policy } = createTestChannel();
  const HOUR = 60 * 60 * 1000;

  it('is closed before the customer writes', () => {
    expect(policy.canSendFreeform({ lastInboundAt: null }, AT)).toEqual({ open: false, expiresAt: null });
  });

  it('is open at 23:59:59 and closed at 24:00:01 after the last inbound message', () => {
    expect(policy.canSendFreeform({ lastInboundAt: AT }, new Date(AT.getTime() + 24 * HOUR - 1000))).toEqual({ open: true, expiresAt: new Date(AT.getTime() + 24 * HOUR) });
    expect(policy.canSendFreeform({ lastInboundAt: AT }, new Date(AT.getTime() + 24 * HOUR + 1000)).open).toBe(false);
  });
});

describe('test channel send', () => {
  const message = { messageId: 'm-1', to: { externalId: 'cust-1' }, content: { type: 'text' as const, text: 'Hello' } };

  it('hands the message to the provider and returns its id', async () => {
    const provider = new TestProvider();
    const result = await createTestChannel(provider).send(message, 'key-1', ctx);
    expect(result).toEqual({ ok: true, value: { externalId: 'test-out-1', recipientExternalId: 'cust-1' } });
    expect(provider.sent).toEqual([{ channelAccountId: 'acc-1', message, idempotencyKey: 'key-1', externalId: 'test-out-1' }]);
  });

  it('sends a retried idempotency key once, answering with the same id', async () => {
    const provider = new TestProvider();
    const channel = createTestChannel(provider);
    const first = await channel.send(message, 'key-1', ctx);
    const retry = await channel.send(message, 'key-1', ctx);
    const other = await channel.send({ ...message, messageId: 'm-2' }, 'key-2', ctx);
    expect(retry).toEqual(first);
    expect(other).toMatchObject({ ok: true, value: { externalId: 'test-out-2' } });
    expect(provider.sent.map((s) => s.idempotencyKey)).toEqual(['key-1', 'key-2']);
    expect(provider.calls).toHaveLength(3);
  });

  it('refuses content that can only be received, as a value', async () => {
    const provider = new TestProvider();
    const result = await createTestChannel(provider).send({ ...message, content: { type: 'unsupported', providerType: 'poll' } }, 'key-9', ctx);
    expect(result).toMatchObject({ ok: false, error: { code: 'CONTENT_NOT_SUPPORTED', retryable: false } });
    expect(provider.calls).toEqual([]);
  });

  it('returns the failures it was told to, in order, then sends', async () => {
    const provider = new TestProvider();
    const channel = createTestChannel(provider);
    const throttled = { code: 'THROUGHPUT_EXCEEDED' as const, message: 'Slow down.', retryable: true, retryAfterMs: 2000 };
    const refused = { code: 'RECIPIENT_INVALID' as const, message: 'No such customer.', retryable: false };
    provider.failNext(throttled, refused);
    expect(await channel.send(message, 'key-1', ctx)).toEqual({ ok: false, error: throttled });
    expect(await channel.send(message, 'key-1', ctx)).toEqual({ ok: false, error: refused });
    expect(await channel.send(message, 'key-1', ctx)).toMatchObject({ ok: true, value: { externalId: 'test-out-1' } });
    expect(provider.sent).toHaveLength(1);
    expect(provider.calls).toHaveLength(3);
  });

  it('records read marks', async () => {
    const provider = new TestProvider();
    expect(await createTestChannel(provider).markRead!('in-1', ctx)).toEqual({ ok: true, value: undefined });
    expect(provider.readMarks).toEqual(['in-1']);
  });

  it('downloads media the provider holds, and fails as a value otherwise', async () => {
    const provider = new TestProvider();
    provider.media.set('media-1', { bytes: Buffer.from('jpeg'), mimeType: 'image/jpeg' });
    const { media } = createTestChannel(provider);
    expect(await media!.download('media-1', ctx)).toEqual({ ok: true, value: { bytes: Buffer.from('jpeg'), mimeType: 'image/jpeg' } });
    expect(await media!.download('media-2', ctx)).toMatchObject({ ok: false, error: { code: 'MEDIA_FAILED', retryable: false } });
  });
});

describe('test channel templates', () => {
  const draft = {
    name: 'order_update',
    language: 'en',
    category: 'UTILITY' as const,
    parameterFormat: 'positional' as const,
    components: { body: { text: 'Hi {{1}}, order {{2}} shipped. Thanks, {{1}}!' } },
  };
  const template: TemplateDefinition = { ...draft, status: 'APPROVED' };
  const { templates } = createTestChannel();

  it('lints a good name clean and names the rule a bad one breaks', () => {
    expect(templates!.lint(draft)).toEqual([]);
    expect(templates!.lint({ ...draft, name: 'Order Update' })).toEqual([
      { path: 'name', rule: 'name.format', message: 'The name may only contain lower-case letters, digits and underscores.' },
    ]);
  });

  it('wants one value per distinct body variable', () => {
    const two = { body: [{ type: 'text' as const, text: 'Maria' }, { type: 'text' as const, text: '#A-1' }] };
    expect(templates!.validateParameters(template, two)).toEqual([]);
    expect(templates!.validateParameters(template, { body: [two.body[0]!] })).toEqual([
      { path: 'parameters.body', rule: 'parameters.count', message: 'The body needs 2 parameter(s), got 1.' },
    ]);
    expect(templates!.validateParameters(template, {})).toHaveLength(1);
  });

  it('renders values into every place their variable appears, fallbacks for non-text values', () => {
    expect(templates!.render(template, { body: [{ type: 'text', text: 'Maria' }, { type: 'date_time', fallback: '2 March' }] })).toBe(
      'Hi Maria, order 2 March shipped. Thanks, Maria!',
    );
  });

  it('leaves a variable without a value visible', () => {
    expect(templates!.render(template, { body: [{ type: 'text', text: 'Maria' }] })).toBe('Hi Maria, order {{2}} shipped. Thanks, Maria!');
  });

  it('creates, lists and removes templates at the provider', async () => {
    const provider = new TestProvider();
    const channel = createTestChannel(provider);
    expect(await channel.templates!.create(draft, ctx)).toEqual({ ok: true, value: { ...draft, externalId: 'tpl-1', status: 'PENDING' } });
    expect(await channel.templates!.list(ctx)).toMatchObject({ ok: true, value: [{ name: 'order_update', status: 'PENDING' }] });
    expect(await channel.templates!.remove('order_update', undefined, ctx)).toEqual({ ok: true, value: undefined });
    expect(await channel.templates!.remove('order_update', undefined, ctx)).toMatchObject({ ok: false, error: { code: 'TEMPLATE_NOT_FOUND' } });
  });
});
