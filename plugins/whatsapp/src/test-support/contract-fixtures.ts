import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChannelEvent, Clock, TemplateDefinition, TemplateDraft, WebhookRequest } from '@obrol/contracts';
import type { ChannelContractFixtures, SendTarget, WebhookFixture } from '@obrol/plugin-testkit';
import { CUSTOMER_SERVICE_WINDOW_MS } from '../session-window.policy.js';
import { startWhatsAppSimulator, type WhatsAppSimulator } from '@obrol/whatsapp-cloud-simulator';
import { signWhatsAppPayload } from '../webhook-signature.js';
import { whatsAppConfigSchema, type WhatsAppConfig } from '../whatsapp-config.schema.js';

/**
 * The WhatsApp channel's contract fixtures: Meta's own sample payloads (test-fixtures/meta, see
 * the .source.md beside each) with the events each must become, worked out field by field
 * from WHATSAPP.md §1.4–1.7, and the Cloud API simulator as the send target.
 */

/** The ids in Meta's samples: `metadata.phone_number_id` and `entry[].id` (the WABA). */
const PHONE_NUMBER_ID = '106540352242922';
const WABA_ID = '102290129340398';
const APP_SECRET = 'contract-app-secret-0123456789ab';
const ACCESS_TOKEN = 'EAAcontract-access-token';
const VERIFY_TOKEN = 'vibecoding';

/** The clock of the contract context and of the simulator; Meta's samples all carry their own timestamps. */
export const CONTRACT_NOW = new Date('2026-09-01T12:00:00.000Z');
const clock: Clock = { now: () => new Date(CONTRACT_NOW) };

const META_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-fixtures', 'meta');

/** The names of Meta's sample payloads. */
export function metaSampleNames(): string[] {
  return readdirSync(META_FIXTURES).filter((name) => name.endsWith('.json'));
}

/** A sample's exact bytes, as Meta POSTs them (the signature covers these, not re-serialised JSON). */
function sample(name: string): Buffer {
  return readFileSync(join(META_FIXTURES, name));
}

/** Webhook timestamps are Unix seconds (strings in messages and statuses, an integer in `entry[].time`). */
const seconds = (s: number) => new Date(s * 1000);

/**
 * The sender of every inbound sample: `messages[].from` is the WhatsApp id (digits, no `+`); the
 * name comes from `value.contacts[].profile.name` of the contact with that `wa_id`.
 */
const sheena = { externalId: '16505551234', phone: '+16505551234', name: 'Sheena Nelson' };

/** The `value.messages[0]` object of a sample, kept whole as `raw` of unsupported content. */
function firstMessageOf(name: string): Record<string, unknown> {
  const payload = JSON.parse(sample(name).toString('utf8')) as { entry: { changes: { value: { messages: Record<string, unknown>[] } }[] }[] };
  return payload.entry[0]!.changes[0]!.value.messages[0]!;
}

/** Each sample with the exact normalised events it must produce. */
const expectedEvents: Record<string, { name: string; events: ChannelEvent[] }> = {
  'inbound_text.json': {
    name: 'text message (Meta sample)',
    events: [
      {
        kind: 'inbound_message',
        externalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
        from: sheena,
        timestamp: seconds(1749416383),
        content: { type: 'text', text: 'Does it come in another color?' },
        opensWindow: true,
      },
    ],
  },
  'inbound_image.json': {
    name: 'image message with caption (Meta sample)',
    events: [
      {
        kind: 'inbound_message',
        externalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
        from: sheena,
        timestamp: seconds(1744344496),
        // The lookaside `url` needs the token: the core downloads by the provider's media id.
        content: {
          type: 'image',
          media: { providerMediaId: '1003383421387256', mimeType: 'image/jpeg', sha256: 'SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=', caption: 'Taj Mahal' },
        },
        opensWindow: true,
      },
    ],
  },
  'inbound_interactive_button_reply.json': {
    name: 'reply button tapped (Meta sample)',
    events: [
      {
        kind: 'inbound_message',
        externalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTZBQzg0MzQ4QjRCM0NGNkVGOAA=',
        from: sheena,
        timestamp: seconds(1750025136),
        content: { type: 'interactive_reply', reply: { kind: 'button', id: 'cancel-button', title: 'Cancel' } },
        // `context.id`: the interactive message the button belongs to.
        replyToExternalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MEM2RUJFNkI0RENGQTVDRjUA',
        opensWindow: true,
      },
    ],
  },
  'inbound_location.json': {
    name: 'named location (Meta sample)',
    events: [
      {
        kind: 'inbound_message',
        externalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=',
        from: sheena,
        timestamp: seconds(1744344496),
        content: {
          type: 'location',
          latitude: 37.44221496582,
          longitude: -122.16165924072,
          name: 'Philz Coffee',
          address: '101 Forest Ave, Palo Alto, CA 94301',
          url: 'https://philzcoffee.com/',
        },
        opensWindow: true,
      },
    ],
  },
  'inbound_reaction.json': {
    name: 'reaction to a business message (Meta sample)',
    events: [
      {
        kind: 'inbound_message',
        externalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=',
        from: sheena,
        timestamp: seconds(1749419544),
        content: { type: 'reaction', targetExternalId: 'wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=', emoji: '👍' },
        opensWindow: true,
      },
    ],
  },
  'inbound_unsupported.json': {
    name: 'unsupported message type "edit" (Meta sample)',
    events: [
      {
        kind: 'inbound_message',
        externalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=',
        from: sheena,
        timestamp: seconds(1750090702),
        // `unsupported.type` names what it was; `errors[0].error_data.details` says why (131051).
        content: {
          type: 'unsupported',
          providerType: 'edit',
          description: 'Message type is currently not supported.',
          raw: firstMessageOf('inbound_unsupported.json'),
        },
        opensWindow: true,
      },
    ],
  },
  'status_sent_marketing.json': {
    name: 'sent status of a marketing template, per-message pricing (Meta sample)',
    events: [
      {
        kind: 'status',
        externalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=',
        status: 'sent',
        timestamp: seconds(1750030073),
        recipientExternalId: '16505551234',
        // `pricing` is kept as it came; `conversation` (gone in v24+) is not.
        pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' },
      },
    ],
  },
  'status_delivered.json': {
    name: 'delivered status, conversation-based pricing (Meta sample)',
    events: [
      {
        kind: 'status',
        externalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA',
        status: 'delivered',
        timestamp: seconds(1750263773),
        recipientExternalId: '16505551234',
        pricing: { billable: true, pricing_model: 'CBP', category: 'service' },
      },
    ],
  },
  'status_failed_131049.json': {
    name: 'failed status 131049, ecosystem engagement limit (Meta sample)',
    events: [
      {
        kind: 'status',
        externalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0QUQ2MjA4NEYyRkExNjMyREUA',
        status: 'failed',
        timestamp: seconds(1751142888),
        recipientExternalId: '16505551234',
        // 131049 is async and final for this message: "wait at least 24 hours before resending".
        error: {
          code: 'MARKETING_LIMIT_REACHED',
          message:
            'WhatsApp did not deliver this marketing message to keep the customer from receiving too many; wait at least 24 hours before trying again.',
          retryable: false,
          providerCode: 131049,
          providerMessage:
            'This message was not delivered to maintain healthy ecosystem engagement. — In order to maintain a healthy ecosystem engagement, the message failed to be delivered.',
        },
      },
    ],
  },
  'user_preferences_resume.json': {
    name: 'marketing messages resumed (Meta sample)',
    events: [
      {
        kind: 'marketing_preference',
        from: { externalId: '16505551234', phone: '+16505551234' },
        preference: 'resume',
        detail: 'User requested to resume marketing messages',
        timestamp: seconds(1731705721),
      },
    ],
  },
  'template_status_approved.json': {
    // No `metadata.phone_number_id` in template webhooks: the payload names no channel account.
    name: 'template approved (Meta sample)',
    events: [
      {
        kind: 'template_status',
        // An integer in the webhook; ids are strings in Obrol. `en-US` becomes the API's `en_US`.
        externalId: '1689556908129832',
        name: 'order_confirmation',
        language: 'en_US',
        status: 'APPROVED',
        // `reason: "NONE"` is no reason; the timestamp is `entry[].time`.
        timestamp: seconds(1751247548),
      },
    ],
  },
};

/** The webhook fixtures, one per Meta sample, in file-name order. */
export function metaWebhookFixtures(): WebhookFixture[] {
  return metaSampleNames().map((file) => {
    const expected = expectedEvents[file];
    if (!expected) throw new Error(`test-fixtures/meta/${file} has no expected events in contract-fixtures.ts`);
    return { name: expected.name, body: sample(file), events: expected.events };
  });
}

/** The Meta samples the fixtures give expectations for. */
export const expectedSampleNames = (): string[] => Object.keys(expectedEvents);

/** A valid account configuration as an admin would POST it (graphApiBaseUrl and version defaulted). */
const validConfig = {
  phoneNumberId: PHONE_NUMBER_ID,
  wabaId: WABA_ID,
  accessToken: ACCESS_TOKEN,
  appSecret: APP_SECRET,
  verifyToken: VERIFY_TOKEN,
};

const without = (key: keyof typeof validConfig) => {
  const { [key]: _dropped, ...rest } = validConfig;
  return rest;
};

/** Modelled on the simulator's default `order_update` template (MD/templates §4.3–4.4). */
const orderUpdate: TemplateDefinition = {
  name: 'order_update',
  language: 'en_US',
  category: 'UTILITY',
  parameterFormat: 'positional',
  externalId: '1259544702043867',
  status: 'APPROVED',
  components: {
    body: { text: 'Hi {{1}}, your order {{2}} is now {{3}}.', examples: ['Maria', '#1234', 'on its way'] },
    buttons: [
      { type: 'QUICK_REPLY', text: 'Track order' },
      { type: 'QUICK_REPLY', text: 'Talk to us' },
    ],
  },
};

const validDraft: TemplateDraft = {
  name: 'order_shipped',
  language: 'en_US',
  category: 'UTILITY',
  parameterFormat: 'positional',
  components: {
    header: { format: 'TEXT', text: 'Your order is on its way' },
    body: { text: 'Hi {{1}}, your order {{2}} has shipped and should arrive within three days.', examples: ['Maria', '#A-1042'] },
    footer: { text: 'Reply STOP to stop these updates' },
    buttons: [
      { type: 'URL', text: 'Track order', url: 'https://shop.example/track/{{1}}', example: 'A-1042' },
      { type: 'QUICK_REPLY', text: 'Talk to us' },
    ],
  },
};

/** The simulated customer the send checks write to. */
export const CUSTOMER_WA_ID = '16505551234';

/**
 * The Cloud API simulator with the fixture credentials, and a send target pointing at it. By
 * default the customer writes first, which opens the 24-hour window so a session text is
 * delivered (without it the simulator fails the message asynchronously with 131047).
 */
export async function startSimulatedSendTarget(
  options: { customerWritesFirst?: boolean } = {},
): Promise<{ simulator: WhatsAppSimulator; target: SendTarget<WhatsAppConfig> }> {
  const simulator = await startWhatsAppSimulator({
    phoneNumberId: PHONE_NUMBER_ID,
    wabaId: WABA_ID,
    accessToken: ACCESS_TOKEN,
    appSecret: APP_SECRET,
    clock,
    statusDelaysMs: { sent: 5, delivered: 5 },
    pairRateLimit: false,
  });
  if (options.customerWritesFirst ?? true) {
    simulator.customers.send(CUSTOMER_WA_ID, 'Hi, does it come in another color?', { name: 'Sheena Nelson' });
  }
  return {
    simulator,
    target: {
      config: whatsAppConfigSchema.parse({ ...validConfig, graphApiBaseUrl: simulator.url }),
      to: { ...sheena },
      close: () => simulator.close(),
    },
  };
}

/** The WhatsApp channel's contract fixtures. */
export function whatsAppContractFixtures(): ChannelContractFixtures<WhatsAppConfig> {
  return {
    config: validConfig,
    invalidConfigs: [
      { config: without('phoneNumberId'), field: 'phoneNumberId' },
      // The phone number itself instead of Meta's "Phone number ID".
      { config: { ...validConfig, phoneNumberId: '+1 555-078-3881' }, field: 'phoneNumberId' },
      { config: without('wabaId'), field: 'wabaId' },
      { config: without('accessToken'), field: 'accessToken' },
      { config: { ...validConfig, accessToken: `Bearer ${ACCESS_TOKEN}` }, field: 'accessToken' },
      { config: without('appSecret'), field: 'appSecret' },
      { config: without('verifyToken'), field: 'verifyToken' },
      { config: { ...validConfig, verifyToken: '' }, field: 'verifyToken' },
      { config: { ...validConfig, graphApiBaseUrl: 'graph.facebook.com' }, field: 'graphApiBaseUrl' },
      { config: { ...validConfig, graphApiBaseUrl: 'ftp://graph.facebook.com' }, field: 'graphApiBaseUrl' },
      { config: { ...validConfig, graphApiVersion: '26.0' }, field: 'graphApiVersion' },
    ],
    // MD/webhooks §1.2: `X-Hub-Signature-256: sha256=<lower-case hex HMAC-SHA256 of the raw body, keyed with the app secret>`.
    signedRequest: (body, config): WebhookRequest => ({
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': signWhatsAppPayload(body, config.appSecret) },
      query: {},
      rawBody: Buffer.from(body),
    }),
    signature: { in: 'headers', name: 'x-hub-signature-256' },
    webhooks: metaWebhookFixtures(),
    unsupportedContent: { name: 'unsupported message type "edit" (Meta sample)', body: sample('inbound_unsupported.json') },
    // MD/webhooks §1.1: GET ?hub.mode=subscribe&hub.challenge=…&hub.verify_token=…, answered 200 with the raw challenge.
    handshake: {
      request: (config) => ({
        method: 'GET',
        headers: {},
        query: { 'hub.mode': 'subscribe', 'hub.challenge': '1158201444', 'hub.verify_token': config.verifyToken },
        rawBody: Buffer.alloc(0),
      }),
      challenge: '1158201444',
      wrongToken: (config) => ({
        method: 'GET',
        headers: {},
        query: { 'hub.mode': 'subscribe', 'hub.challenge': '1158201444', 'hub.verify_token': `${config.verifyToken}-wrong` },
        rawBody: Buffer.alloc(0),
      }),
    },
    windowMs: CUSTOMER_SERVICE_WINDOW_MS,
    sendTarget: async () => (await startSimulatedSendTarget()).target,
    templates: {
      validDraft,
      // Two variables side by side: Meta rejects it (INVALID_FORMAT, rejection_info §1.7/§4.5).
      invalidDraft: {
        ...validDraft,
        name: 'order_shipped_adjacent',
        components: { body: { text: 'Your order {{1}}{{2}} has shipped and should arrive within three days.', examples: ['#A-', '1042'] } },
      },
      template: orderUpdate,
      parameters: { body: [{ type: 'text', text: 'Sheena' }, { type: 'text', text: '#A-1042' }, { type: 'text', text: 'out for delivery' }] },
    },
    clock,
  };
}
