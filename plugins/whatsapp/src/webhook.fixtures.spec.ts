import type { ChannelEvent, ParsedWebhook } from '@obrol/contracts';
import { describe, expect, it } from 'vitest';
import { createWhatsAppChannel } from './whatsapp.channel.js';
import { metaFixture, metaFixtureNames, NOW, PHONE_NUMBER_ID, signedWebhook, testContext } from './test-support/whatsapp-test.context.js';

/**
 * Every real Meta sample in test-fixtures/meta (copied from shared/fixtures/whatsapp, see the
 * .source.md beside each) goes through a correctly signed parseWebhook, and the normalised
 * events are checked field by field.
 */
const channel = createWhatsAppChannel({ fetch: () => Promise.reject(new Error('no network in this test')) });
const sheena = { externalId: '16505551234', phone: '+16505551234', name: 'Sheena Nelson' };
const seconds = (s: number) => new Date(s * 1000);

const expected: Record<string, ChannelEvent[]> = {
  'inbound_text.json': [
    {
      kind: 'inbound_message',
      externalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
      from: sheena,
      timestamp: seconds(1749416383),
      content: { type: 'text', text: 'Does it come in another color?' },
      opensWindow: true,
    },
  ],
  'inbound_image.json': [
    {
      kind: 'inbound_message',
      externalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
      from: sheena,
      timestamp: seconds(1744344496),
      content: {
        type: 'image',
        media: { providerMediaId: '1003383421387256', mimeType: 'image/jpeg', sha256: 'SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=', caption: 'Taj Mahal' },
      },
      opensWindow: true,
    },
  ],
  'inbound_interactive_button_reply.json': [
    {
      kind: 'inbound_message',
      externalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTZBQzg0MzQ4QjRCM0NGNkVGOAA=',
      from: sheena,
      timestamp: seconds(1750025136),
      content: { type: 'interactive_reply', reply: { kind: 'button', id: 'cancel-button', title: 'Cancel' } },
      replyToExternalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MEM2RUJFNkI0RENGQTVDRjUA',
      opensWindow: true,
    },
  ],
  'inbound_location.json': [
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
  'inbound_reaction.json': [
    {
      kind: 'inbound_message',
      externalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=',
      from: sheena,
      timestamp: seconds(1749419544),
      content: { type: 'reaction', targetExternalId: 'wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=', emoji: '👍' },
      opensWindow: true,
    },
  ],
  'inbound_unsupported.json': [
    {
      kind: 'inbound_message',
      externalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=',
      from: sheena,
      timestamp: seconds(1750090702),
      content: {
        type: 'unsupported',
        providerType: 'edit',
        description: 'Message type is currently not supported.',
        raw: expect.objectContaining({ type: 'unsupported', unsupported: { type: 'edit' } }),
      },
      opensWindow: true,
    },
  ],
  'status_sent_marketing.json': [
    {
      kind: 'status',
      externalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=',
      status: 'sent',
      timestamp: seconds(1750030073),
      recipientExternalId: '16505551234',
      pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' },
    },
  ],
  'status_delivered.json': [
    {
      kind: 'status',
      externalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA',
      status: 'delivered',
      timestamp: seconds(1750263773),
      recipientExternalId: '16505551234',
      pricing: { billable: true, pricing_model: 'CBP', category: 'service' },
    },
  ],
  'status_failed_131049.json': [
    {
      kind: 'status',
      externalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0QUQ2MjA4NEYyRkExNjMyREUA',
      status: 'failed',
      timestamp: seconds(1751142888),
      recipientExternalId: '16505551234',
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
  'template_status_approved.json': [
    {
      kind: 'template_status',
      externalId: '1689556908129832',
      name: 'order_confirmation',
      language: 'en_US',
      status: 'APPROVED',
      timestamp: seconds(1751247548),
    },
  ],
};

function parseFixture(name: string): ParsedWebhook {
  const result = channel.parseWebhook(signedWebhook(metaFixture(name)), testContext());
  if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
  return result.value;
}

describe('parseWebhook on Meta samples', () => {
  it('has an expectation for every fixture file (and a fixture for every expectation)', () => {
    expect(metaFixtureNames().sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(metaFixtureNames())('%s', (name) => {
    const parsed = parseFixture(name);
    expect(parsed.events).toEqual(expected[name]);
    const isMessagesField = !name.startsWith('template_');
    expect(parsed.accountExternalId).toBe(isMessagesField ? PHONE_NUMBER_ID : undefined);
  });

  it('never uses the clock for fixtures that carry their own timestamps', () => {
    for (const name of metaFixtureNames()) {
      for (const event of parseFixture(name).events) expect(event.timestamp).not.toEqual(NOW);
    }
  });
});
