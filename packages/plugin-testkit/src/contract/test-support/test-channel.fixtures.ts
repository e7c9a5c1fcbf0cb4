import type { WebhookRequest } from '@obrol/contracts';
import { type TestChannelConfig, createTestChannel, testChannelConfigSchema } from '../../test-channel/test.channel.js';
import { TestProvider } from '../../test-channel/test-provider.js';
import { TEST_SIGNATURE_HEADER, signTestWebhook, testEvents } from '../../test-channel/test-webhook.js';
import { TestClock } from '../../test-clock.js';
import type { ChannelContractFixtures } from '../channel-contract.fixtures.js';

const HOURS_24 = 24 * 60 * 60 * 1000;
const SENT_AT = new Date('2026-03-02T09:15:00.000Z');
const customer = { id: 'cust-1', phone: '+6281234567890', name: 'Maria' };

/** The test channel's contract fixtures; also the broken-plugin specs' starting point. */
export function testChannelFixtures(): ChannelContractFixtures<TestChannelConfig> {
  const template = {
    name: 'order_update',
    language: 'en',
    category: 'UTILITY' as const,
    parameterFormat: 'positional' as const,
    components: { body: { text: 'Hi {{1}}, your order {{2}} has shipped.' } },
  };
  return {
    config: { webhookSecret: 'contract-secret' },
    invalidConfigs: [
      { config: {}, field: 'webhookSecret' },
      { config: { webhookSecret: 'short' }, field: 'webhookSecret' },
      { config: { webhookSecret: 'contract-secret', rejectCredentials: 'yes' }, field: 'rejectCredentials' },
    ],
    signedRequest: (body, config): WebhookRequest => ({
      method: 'POST',
      headers: { 'content-type': 'application/json', [TEST_SIGNATURE_HEADER]: signTestWebhook(body, config.webhookSecret) },
      query: {},
      rawBody: Buffer.from(body),
    }),
    webhooks: [
      {
        name: 'text message',
        body: { account: 'test-account', events: [testEvents.text('in-1', customer, 'Hello, is my order on its way?', SENT_AT)] },
        events: [
          {
            kind: 'inbound_message',
            externalId: 'in-1',
            from: { externalId: 'cust-1', phone: '+6281234567890', name: 'Maria' },
            timestamp: SENT_AT,
            content: { type: 'text', text: 'Hello, is my order on its way?' },
            opensWindow: true,
          },
        ],
      },
      {
        name: 'location reply and system notice',
        body: {
          events: [
            { ...testEvents.content('in-2', { id: 'cust-1' }, { type: 'location', latitude: -6.2, longitude: 106.8, name: 'Kantor' }, SENT_AT), replyTo: 'out-9' },
            { ...testEvents.text('in-3', { id: 'cust-1' }, 'The customer changed their number.', SENT_AT), system: true },
          ],
        },
        events: [
          {
            kind: 'inbound_message',
            externalId: 'in-2',
            from: { externalId: 'cust-1' },
            timestamp: SENT_AT,
            content: { type: 'location', latitude: -6.2, longitude: 106.8, name: 'Kantor' },
            replyToExternalId: 'out-9',
            opensWindow: true,
          },
          {
            kind: 'inbound_message',
            externalId: 'in-3',
            from: { externalId: 'cust-1' },
            timestamp: SENT_AT,
            content: { type: 'text', text: 'The customer changed their number.' },
            opensWindow: false,
          },
        ],
      },
      {
        name: 'delivered and failed statuses',
        body: {
          events: [
            testEvents.status('out-1', 'delivered', SENT_AT),
            testEvents.status('out-2', 'failed', SENT_AT, { code: 'RECIPIENT_UNDELIVERABLE', message: 'The number is not on the channel.' }),
          ],
        },
        events: [
          { kind: 'status', externalId: 'out-1', status: 'delivered', timestamp: SENT_AT },
          {
            kind: 'status',
            externalId: 'out-2',
            status: 'failed',
            timestamp: SENT_AT,
            error: { code: 'RECIPIENT_UNDELIVERABLE', message: 'The number is not on the channel.', retryable: false },
          },
        ],
      },
      {
        name: 'template rejected',
        body: { events: [{ type: 'template', name: 'promo', language: 'en', status: 'REJECTED', reason: 'INVALID_FORMAT', timestamp: SENT_AT.toISOString() }] },
        events: [{ kind: 'template_status', name: 'promo', language: 'en', status: 'REJECTED', reason: 'INVALID_FORMAT', timestamp: SENT_AT }],
      },
    ],
    // The test channel's "unknown" message: neither text nor content.
    unsupportedContent: { name: 'message without content', body: { events: [{ type: 'message', id: 'in-4', from: { id: 'cust-1' }, timestamp: SENT_AT.toISOString() }] } },
    handshake: {
      request: (config) => ({ method: 'GET', headers: {}, query: { token: config.webhookSecret, challenge: 'challenge-4711' }, rawBody: Buffer.alloc(0) }),
      challenge: 'challenge-4711',
      wrongToken: () => ({ method: 'GET', headers: {}, query: { token: 'not-the-secret', challenge: 'challenge-4711' }, rawBody: Buffer.alloc(0) }),
    },
    windowMs: HOURS_24,
    sendTarget: async () => ({ config: testChannelConfigSchema.parse({ webhookSecret: 'contract-secret' }), to: { externalId: 'cust-1' } }),
    templates: {
      validDraft: template,
      invalidDraft: { ...template, name: 'Order Update!' },
      template: { ...template, status: 'APPROVED' },
      parameters: { body: [{ type: 'text', text: 'Maria' }, { type: 'text', text: '#A-1042' }] },
    },
    clock: new TestClock(new Date('2026-03-02T10:00:00.000Z')),
  };
}

/** A fresh test channel with its provider, for specs that break one. */
export function testChannelUnderContract() {
  const provider = new TestProvider();
  return { provider, plugin: createTestChannel(provider), fixtures: testChannelFixtures() };
}
