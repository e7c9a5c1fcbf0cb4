import type { ChannelEvent, InboundMessageEvent, ParsedWebhook } from '@obrol/contracts';
import { describe, expect, it } from 'vitest';
import { parseWhatsAppWebhook } from './webhook.parser.js';
import { createWhatsAppChannel } from './whatsapp.channel.js';
import { NOW, PHONE_NUMBER_ID, signedWebhook, testContext, WABA_ID } from './test-support/whatsapp-test.context.js';

/*
 * BUILT FROM THE FIELD DESCRIPTIONS in WHATSAPP.md §1.5–1.9, not real samples: every shape
 * below is hand-made after Meta's per-type webhook references because no fixture covers it.
 */

const ctx = { phoneNumberId: PHONE_NUMBER_ID, wabaId: WABA_ID, now: NOW };
const customer = { profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' };
const sheena = { externalId: '16505551234', phone: '+16505551234', name: 'Sheena Nelson' };

function messagesPayload(value: Record<string, unknown>, phoneNumberId = PHONE_NUMBER_ID) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: WABA_ID,
        changes: [
          {
            value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId }, ...value },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

function inbound(message: Record<string, unknown>, contacts: unknown[] = [customer]) {
  return messagesPayload({ contacts, messages: [{ from: '16505551234', id: 'wamid.IN1', timestamp: '1750000000', ...message }] });
}

function parse(payload: unknown): ParsedWebhook {
  const parsed = parseWhatsAppWebhook(payload, ctx);
  if (!parsed) throw new Error('not a webhook');
  return parsed;
}

function onlyMessage(payload: unknown): InboundMessageEvent {
  const [event, ...rest] = parse(payload).events;
  expect(rest).toEqual([]);
  expect(event?.kind).toBe('inbound_message');
  return event as InboundMessageEvent;
}

const T = new Date(1750000000 * 1000);

describe('parseWhatsAppWebhook: inbound message types (hand-built from field descriptions)', () => {
  it('video with caption', () => {
    const event = onlyMessage(inbound({ type: 'video', video: { caption: 'Unboxing', mime_type: 'video/mp4', sha256: 'h1', id: '111' } }));
    expect(event).toEqual({
      kind: 'inbound_message',
      externalId: 'wamid.IN1',
      from: sheena,
      timestamp: T,
      content: { type: 'video', media: { providerMediaId: '111', mimeType: 'video/mp4', sha256: 'h1', caption: 'Unboxing' } },
      opensWindow: true,
    });
  });

  it('audio voice note', () => {
    const event = onlyMessage(inbound({ type: 'audio', audio: { mime_type: 'audio/ogg; codecs=opus', sha256: 'h2', id: '222', voice: true } }));
    expect(event.content).toEqual({ type: 'audio', media: { providerMediaId: '222', mimeType: 'audio/ogg; codecs=opus', sha256: 'h2' }, voice: true });
  });

  it('document with filename and caption', () => {
    const event = onlyMessage(
      inbound({ type: 'document', document: { caption: 'Invoice', filename: 'invoice.pdf', mime_type: 'application/pdf', sha256: 'h3', id: '333' } }),
    );
    expect(event.content).toEqual({
      type: 'document',
      media: { providerMediaId: '333', mimeType: 'application/pdf', sha256: 'h3', caption: 'Invoice' },
      filename: 'invoice.pdf',
    });
  });

  it('animated sticker', () => {
    const event = onlyMessage(inbound({ type: 'sticker', sticker: { mime_type: 'image/webp', sha256: 'h4', id: '444', animated: true } }));
    expect(event.content).toEqual({ type: 'sticker', media: { providerMediaId: '444', mimeType: 'image/webp', sha256: 'h4' }, animated: true });
  });

  it('shared contacts (vCards; value.contacts is the sender)', () => {
    const event = onlyMessage(
      inbound({
        type: 'contacts',
        contacts: [
          {
            addresses: [{ city: 'Menlo Park', type: 'WORK' }],
            birthday: '2000-01-01',
            emails: [{ email: 'bjohnson@luckyshrub.com', type: 'WORK' }],
            name: { formatted_name: 'Barbara J. Johnson', first_name: 'Barbara', last_name: 'Johnson' },
            org: { company: 'Lucky Shrub', title: 'Manager' },
            phones: [{ phone: '+1 (555) 555-1234', wa_id: '15555551234', type: 'WORK' }],
            urls: [{ url: 'https://www.luckyshrub.com', type: 'WORK' }],
          },
          { name: { first_name: 'Pablo' }, phones: [{ phone: '+62 812 0000' }] },
        ],
      }),
    );
    expect(event.from).toEqual(sheena);
    expect(event.content).toEqual({
      type: 'contacts',
      contacts: [
        {
          name: { formattedName: 'Barbara J. Johnson', firstName: 'Barbara', lastName: 'Johnson' },
          phones: [{ phone: '+1 (555) 555-1234', type: 'WORK', waId: '15555551234' }],
          emails: [{ email: 'bjohnson@luckyshrub.com', type: 'WORK' }],
          organization: 'Lucky Shrub',
          urls: [{ url: 'https://www.luckyshrub.com', type: 'WORK' }],
        },
        { name: { formattedName: 'Pablo', firstName: 'Pablo' }, phones: [{ phone: '+62 812 0000' }], emails: [], urls: [] },
      ],
    });
  });

  it('list_reply with description and the context of the list', () => {
    const event = onlyMessage(
      inbound({
        context: { from: '15550783881', id: 'wamid.LIST' },
        type: 'interactive',
        interactive: { type: 'list_reply', list_reply: { id: 'priority_express', title: 'Priority Mail Express', description: 'Next Day to 2 Days' } },
      }),
    );
    expect(event.content).toEqual({
      type: 'interactive_reply',
      reply: { kind: 'list', id: 'priority_express', title: 'Priority Mail Express', description: 'Next Day to 2 Days' },
    });
    expect(event.replyToExternalId).toBe('wamid.LIST');
  });

  it('nfm_reply (flow) keeps the response JSON and uses the flow token as id', () => {
    const responseJson = '{"flow_token":"FT-1","rating":"5"}';
    const event = onlyMessage(
      inbound({ context: { from: '15550783881', id: 'wamid.FLOW' }, type: 'interactive', interactive: { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent', response_json: responseJson } } }),
    );
    expect(event.content).toEqual({ type: 'interactive_reply', reply: { kind: 'flow', id: 'FT-1', title: 'Sent', description: responseJson } });
  });

  it('an interactive reply type the contracts do not model becomes unsupported', () => {
    const message = { type: 'interactive', interactive: { type: 'call_permission_reply', call_permission_reply: { response: 'accept' } } };
    const event = onlyMessage(inbound(message));
    expect(event.content).toMatchObject({ type: 'unsupported', providerType: 'interactive', raw: expect.objectContaining(message) });
  });

  it('template quick-reply button tap', () => {
    const event = onlyMessage(inbound({ context: { from: '15550783881', id: 'wamid.TPL' }, type: 'button', button: { payload: 'UNSUB_PROMOS', text: 'Stop promotions' } }));
    expect(event.content).toEqual({ type: 'interactive_reply', reply: { kind: 'template_button', id: 'UNSUB_PROMOS', title: 'Stop promotions' } });
    expect(event.replyToExternalId).toBe('wamid.TPL');
  });

  it.each([
    ['emoji omitted (Meta)', { message_id: 'wamid.TARGET' }],
    ['emoji "" (pywa)', { message_id: 'wamid.TARGET', emoji: '' }],
  ])('reaction removal with %s has no emoji', (_label, reaction) => {
    const event = onlyMessage(inbound({ type: 'reaction', reaction }));
    expect(event.content).toEqual({ type: 'reaction', targetExternalId: 'wamid.TARGET' });
  });

  it('order from a catalog', () => {
    const event = onlyMessage(
      inbound({
        type: 'order',
        order: {
          catalog_id: 'CAT1',
          text: 'Please hurry',
          product_items: [
            { product_retailer_id: 'SKU-1', quantity: '2', item_price: '12.5', currency: 'USD' },
            { product_retailer_id: 'SKU-2', quantity: 1, item_price: 3, currency: 'USD' },
          ],
        },
      }),
    );
    expect(event.content).toEqual({
      type: 'order',
      catalogId: 'CAT1',
      text: 'Please hurry',
      items: [
        { productId: 'SKU-1', quantity: 2, itemPrice: 12.5, currency: 'USD' },
        { productId: 'SKU-2', quantity: 1, itemPrice: 3, currency: 'USD' },
      ],
    });
  });

  it('system message (number changed): no contacts, does not open the window', () => {
    const payload = messagesPayload({
      messages: [
        {
          from: '16505551234',
          id: 'wamid.SYS',
          timestamp: '1750000000',
          type: 'system',
          system: { body: 'User A changed from +1 650-555-1234 to +1 650-555-9999', wa_id: '16505559999', type: 'user_changed_number' },
        },
      ],
    });
    expect(onlyMessage(payload)).toEqual({
      kind: 'inbound_message',
      externalId: 'wamid.SYS',
      from: { externalId: '16505551234', phone: '+16505551234' },
      timestamp: T,
      content: { type: 'system', text: 'User A changed from +1 650-555-1234 to +1 650-555-9999', event: 'user_changed_number' },
      opensWindow: false,
    });
  });

  it('older "unknown" type without an unsupported object is kept as unsupported', () => {
    const message = {
      type: 'unknown',
      errors: [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown', error_data: { details: 'Message type is currently not supported.' } }],
    };
    const event = onlyMessage(inbound(message));
    expect(event.content).toEqual({
      type: 'unsupported',
      providerType: 'unknown',
      description: 'Message type is currently not supported.',
      raw: expect.objectContaining({ id: 'wamid.IN1', ...message }),
    });
  });

  it.each([
    ['a future type', { type: 'poll', poll: { question: 'Lunch?' } }, 'poll'],
    ['edit (2026)', { type: 'edit', edit: { original_message_id: 'wamid.OLD', message: { type: 'text', text: { body: 'fixed' } } } }, 'edit'],
    ['revoke (2026)', { type: 'revoke', revoke: { original_message_id: 'wamid.OLD' } }, 'revoke'],
  ])('%s becomes unsupported with the raw payload, never dropped', (_label, message, providerType) => {
    const event = onlyMessage(inbound(message));
    expect(event.content).toEqual({
      type: 'unsupported',
      providerType,
      description: `WhatsApp sent a "${providerType}" message, which Obrol cannot show yet.`,
      raw: expect.objectContaining(message),
    });
    expect(event.opensWindow).toBe(true);
  });

  it('click-to-WhatsApp referral is kept on the event', () => {
    const referral = {
      source_url: 'https://fb.me/abc',
      source_id: 'ad-1',
      source_type: 'ad',
      body: 'Summer sale',
      headline: 'Shop now',
      media_type: 'image',
      image_url: 'https://example.com/ad.jpg',
      ctwa_clid: 'clid-1',
      welcome_message: { text: 'Hi!' },
    };
    const event = onlyMessage(inbound({ type: 'text', text: { body: 'Is this still on sale?' }, referral }));
    expect(event.content).toEqual({ type: 'text', text: 'Is this still on sale?' });
    expect(event.referral).toEqual(referral);
  });

  it('a product enquiry keeps context.referred_product', () => {
    const event = onlyMessage(
      inbound({
        type: 'text',
        text: { body: 'Is this in stock?' },
        context: { from: '15550783881', id: 'wamid.PRODUCT', referred_product: { catalog_id: 'CAT1', product_retailer_id: 'SKU-1' } },
      }),
    );
    expect(event.referral).toEqual({ referred_product: { catalog_id: 'CAT1', product_retailer_id: 'SKU-1' } });
    expect(event.replyToExternalId).toBe('wamid.PRODUCT');
  });

  it('a username-only (BSUID) customer without phone is identified by user_id', () => {
    const payload = messagesPayload({
      contacts: [{ profile: { name: 'Ana', username: 'ana.s' }, user_id: 'US.13491208655302741918' }],
      messages: [{ from_user_id: 'US.13491208655302741918', id: 'wamid.BSUID', timestamp: '1750000000', type: 'text', text: { body: 'hi' } }],
    });
    expect(onlyMessage(payload).from).toEqual({ externalId: 'US.13491208655302741918', name: 'Ana' });
  });

  it('a timestamp that is missing falls back to the clock', () => {
    const payload = messagesPayload({ contacts: [customer], messages: [{ from: '16505551234', id: 'wamid.NOTS', type: 'text', text: { body: 'x' } }] });
    expect(onlyMessage(payload).timestamp).toEqual(NOW);
  });
});

describe('parseWhatsAppWebhook: statuses (hand-built)', () => {
  const status = (s: Record<string, unknown>) =>
    parse(messagesPayload({ statuses: [{ id: 'wamid.OUT', timestamp: '1750000000', recipient_id: '16505551234', ...s }] })).events;

  it('failed 131047 maps to WINDOW_CLOSED with the agent sentence', () => {
    const [event] = status({
      status: 'failed',
      errors: [
        {
          code: 131047,
          title: 'Re-engagement message',
          message: 'Re-engagement message',
          error_data: { details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
          href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
        },
      ],
    });
    expect(event).toEqual({
      kind: 'status',
      externalId: 'wamid.OUT',
      status: 'failed',
      timestamp: T,
      recipientExternalId: '16505551234',
      error: {
        code: 'WINDOW_CLOSED',
        message: 'The 24-hour window has closed; send an approved template instead.',
        retryable: false,
        providerCode: 131047,
        providerMessage: 'Re-engagement message — Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
      },
    });
  });

  it('failed with two errors maps the first and keeps all in details', () => {
    const errors = [
      { code: 131026, title: 'Message undeliverable' },
      { code: 131000, title: 'Something went wrong' },
    ];
    const [event] = status({ status: 'failed', errors });
    expect(event).toMatchObject({ status: 'failed', error: { code: 'RECIPIENT_UNDELIVERABLE', retryable: false, details: { errors } } });
  });

  it('played (voice note) is reported as read', () => {
    expect(status({ status: 'played' })).toEqual([{ kind: 'status', externalId: 'wamid.OUT', status: 'read', timestamp: T, recipientExternalId: '16505551234' }]);
  });

  it('a BSUID recipient without recipient_id uses recipient_user_id', () => {
    const events = parse(messagesPayload({ statuses: [{ id: 'wamid.OUT', status: 'delivered', timestamp: '1750000000', recipient_user_id: 'US.1' }] })).events;
    expect(events).toEqual([{ kind: 'status', externalId: 'wamid.OUT', status: 'delivered', timestamp: T, recipientExternalId: 'US.1' }]);
  });

  it('returns the biz_opaque_callback_data echoed from the send as messageId (settles a send whose answer was lost)', () => {
    expect(status({ status: 'sent', biz_opaque_callback_data: '0192f1c4-7a10-7000-8000-000000000001' })).toEqual([
      { kind: 'status', externalId: 'wamid.OUT', status: 'sent', timestamp: T, recipientExternalId: '16505551234', messageId: '0192f1c4-7a10-7000-8000-000000000001' },
    ]);
  });

  it('an unknown status value becomes an account event with the raw status', () => {
    expect(status({ status: 'deleted' })).toEqual([
      {
        kind: 'account_event',
        event: 'status.deleted',
        description: 'WhatsApp reported an unknown message status "deleted".',
        raw: { id: 'wamid.OUT', timestamp: '1750000000', recipient_id: '16505551234', status: 'deleted' },
        timestamp: T,
      },
    ]);
  });
});

describe('parseWhatsAppWebhook: value.errors, templates and account fields (hand-built)', () => {
  it('value.errors[] 130429 → account event with THROUGHPUT_EXCEEDED', () => {
    const raw = { code: 130429, title: 'Rate limit hit', message: 'Rate limit hit', error_data: { details: 'Cloud API message throughput has been reached.' } };
    expect(parse(messagesPayload({ errors: [raw] })).events).toEqual([
      {
        kind: 'account_event',
        event: 'error',
        description: "This number reached WhatsApp's sending rate; the message will be retried shortly.",
        error: expect.objectContaining({ code: 'THROUGHPUT_EXCEEDED', retryable: true, providerCode: 130429 }),
        raw,
        timestamp: NOW,
      },
    ]);
  });

  const templateChange = (field: string, value: Record<string, unknown>, wabaId = WABA_ID) => ({
    object: 'whatsapp_business_account',
    entry: [{ id: wabaId, time: 1751247548, changes: [{ value, field }] }],
  });

  it('template REJECTED with INVALID_FORMAT and rejection_info', () => {
    const events = parse(
      templateChange('message_template_status_update', {
        event: 'REJECTED',
        message_template_id: 1689556908129832,
        message_template_name: 'order_confirmation',
        message_template_language: 'en-US',
        reason: 'INVALID_FORMAT',
        message_template_category: 'UTILITY',
        rejection_info: {
          reason: 'Your template has parameters placed next to each other (like {{1}}{{2}}) without text or punctuation between them.',
          recommendation: 'Add text between the parameters.',
        },
      }),
    ).events;
    expect(events).toEqual([
      {
        kind: 'template_status',
        externalId: '1689556908129832',
        name: 'order_confirmation',
        language: 'en_US',
        status: 'REJECTED',
        reason:
          'INVALID_FORMAT — Your template has parameters placed next to each other (like {{1}}{{2}}) without text or punctuation between them. — Recommendation: Add text between the parameters.',
        timestamp: new Date(1751247548 * 1000),
      },
    ]);
  });

  it('template PAUSED keeps other_info', () => {
    const [event] = parse(
      templateChange('message_template_status_update', {
        event: 'PAUSED',
        message_template_id: 7,
        message_template_name: 'promo',
        message_template_language: 'id',
        reason: 'NONE',
        other_info: { title: 'FIRST_PAUSE', description: 'Paused for 3 hours.' },
      }),
    ).events;
    expect(event).toMatchObject({ status: 'PAUSED', reason: 'FIRST_PAUSE: Paused for 3 hours.', language: 'id' });
  });

  it('template quality and category updates', () => {
    const quality = parse(
      templateChange('message_template_quality_update', {
        previous_quality_score: 'GREEN',
        new_quality_score: 'YELLOW',
        message_template_id: 8,
        message_template_name: 'promo',
        message_template_language: 'pt_BR',
      }),
    ).events;
    expect(quality).toEqual([
      { kind: 'template_status', change: 'quality', externalId: '8', name: 'promo', language: 'pt_BR', status: 'QUALITY_UPDATE', quality: 'YELLOW', reason: 'Quality changed from GREEN to YELLOW.', timestamp: new Date(1751247548 * 1000) },
    ]);
    const category = parse(
      templateChange('template_category_update', {
        message_template_id: 9,
        message_template_name: 'receipt',
        message_template_language: 'en_US',
        previous_category: 'UTILITY',
        new_category: 'MARKETING',
      }),
    ).events;
    expect(category).toMatchObject([{ change: 'category', category: 'MARKETING', status: 'CATEGORY_UPDATE', reason: 'Category changed from UTILITY to MARKETING.', externalId: '9' }]);
  });

  it('an account restriction on starting conversations says what it takes away and until when', () => {
    // The shape of Meta's account_update reference ("no longer allowed to send business-initiated messages").
    const value = {
      phone_number: '15550783881',
      event: 'ACCOUNT_RESTRICTION',
      restriction_info: [
        { restriction_type: 'RESTRICTED_BIZ_INITIATED_MESSAGING', expiration: 1604703058 },
        { restriction_type: 'RESTRICTED_ADD_PHONE_NUMBER_ACTION', expiration: 1604789458 },
      ],
    };
    const [event] = parse(templateChange('account_update', value)).events;
    expect(event).toMatchObject({
      kind: 'account_event',
      event: 'account_update.ACCOUNT_RESTRICTION',
      restriction: { businessInitiated: true, customerInitiated: false, until: new Date(1604703058 * 1000) },
    });
    expect((event as { description: string }).description).toBe(
      'WhatsApp sent a "account_update" update (ACCOUNT_RESTRICTION). The number may not start conversations until 2020-11-06T22:50:58.000Z.',
    );
    // A disabled account takes everything, for good; one only scheduled to be disabled nothing yet.
    expect(parse(templateChange('account_update', { event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: ['DISABLE'], waba_ban_date: '2026-11-30' } })).events[0]).toMatchObject({
      restriction: { businessInitiated: true, customerInitiated: true, until: null },
    });
    expect(parse(templateChange('account_update', { event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: ['SCHEDULE_FOR_DISABLE'] } })).events[0]).not.toHaveProperty('restriction');
    expect(parse(templateChange('account_update', { event: 'ACCOUNT_VIOLATION', violation_info: { violation_type: 'ADULT' } })).events[0]).not.toHaveProperty('restriction');
  });

  it('a restriction on answering customers, and its lifting: an ACCOUNT_RESTRICTION lists every restriction in force', () => {
    const [restricted] = parse(templateChange('account_update', { event: 'ACCOUNT_RESTRICTION', restriction_info: [{ restriction_type: 'RESTRICTED_CUSTOMER_INITIATED_MESSAGING', expiration: 1795600000 }] })).events;
    expect(restricted).toMatchObject({ restriction: { businessInitiated: false, customerInitiated: true, until: new Date(1795600000 * 1000) } });
    expect((restricted as { description: string }).description).toContain('The number may not answer customers until 2026-11-25T');
    const lifted = { businessInitiated: false, customerInitiated: false, until: null };
    // None left, or only one on adding numbers (which takes nothing away from sending): messaging is free again.
    for (const restriction_info of [[], [{ restriction_type: 'RESTRICTED_ADD_PHONE_NUMBER_ACTION', expiration: 1 }]]) {
      const [event] = parse(templateChange('account_update', { event: 'ACCOUNT_RESTRICTION', restriction_info })).events;
      expect(event).toMatchObject({ restriction: lifted, description: 'WhatsApp sent a "account_update" update (ACCOUNT_RESTRICTION). Nothing restricts what the number may send any more.' });
    }
    expect(parse(templateChange('account_update', { event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: 'REINSTATE', waba_ban_date: 'April 17, 2025' } })).events[0]).toMatchObject({ restriction: lifted });
  });

  it('template events of another WABA are ignored', () => {
    expect(parse(templateChange('message_template_status_update', { event: 'APPROVED', message_template_name: 'x' }, '999999999')).events).toEqual([]);
  });

  it('account and unknown fields become account events with the raw value', () => {
    const value = { display_phone_number: '15550783881', event: 'THROUGHPUT_UPGRADE', current_limit: 'TIER_UNLIMITED' };
    expect(parse(templateChange('phone_number_quality_update', value)).events).toEqual([
      {
        kind: 'account_event',
        event: 'phone_number_quality_update.THROUGHPUT_UPGRADE',
        description: 'WhatsApp sent a "phone_number_quality_update" update (THROUGHPUT_UPGRADE).',
        raw: value,
        timestamp: new Date(1751247548 * 1000),
      },
    ]);
    expect(parse(templateChange('some_future_field', { anything: [1, 2] })).events).toEqual([
      { kind: 'account_event', event: 'some_future_field', description: 'WhatsApp sent a "some_future_field" update.', raw: { anything: [1, 2] }, timestamp: new Date(1751247548 * 1000) },
    ]);
  });
});

describe('parseWhatsAppWebhook: batching and routing (hand-built)', () => {
  const msg = (id: string, body: string, from = '16505551234') => ({ from, id, timestamp: '1750000000', type: 'text', text: { body } });
  const change = (value: Record<string, unknown>) => ({
    field: 'messages',
    value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID }, ...value },
  });

  it('loops over 2 entries × 2 changes × several messages and statuses, in order', () => {
    const payload = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: WABA_ID,
          changes: [
            change({ contacts: [customer], messages: [msg('wamid.A1', 'one'), msg('wamid.A2', 'two')] }),
            change({ statuses: [{ id: 'wamid.S1', status: 'sent', timestamp: '1750000001', recipient_id: '16505551234' }] }),
          ],
        },
        {
          id: WABA_ID,
          changes: [
            change({
              contacts: [customer, { profile: { name: 'Budi' }, wa_id: '6281234567890' }],
              messages: [msg('wamid.B1', 'three', '6281234567890'), msg('wamid.B2', 'four'), msg('wamid.B3', 'five', '6281234567890')],
            }),
            change({ statuses: [{ id: 'wamid.S1', status: 'delivered', timestamp: '1750000002', recipient_id: '16505551234' }] }),
          ],
        },
      ],
    };
    const parsed = parse(payload);
    expect(parsed.events.map((e: ChannelEvent) => (e.kind === 'inbound_message' ? `${e.externalId}:${e.from.name}` : e.kind === 'status' ? `${e.externalId}:${e.status}` : e.kind))).toEqual([
      'wamid.A1:Sheena Nelson',
      'wamid.A2:Sheena Nelson',
      'wamid.S1:sent',
      'wamid.B1:Budi',
      'wamid.B2:Sheena Nelson',
      'wamid.B3:Budi',
      'wamid.S1:delivered',
    ]);
    expect(parsed.events[3]).toMatchObject({ from: { externalId: '6281234567890', phone: '+6281234567890', name: 'Budi' }, content: { type: 'text', text: 'three' } });
  });

  it("yields no events for another phone number's changes, without an error", () => {
    const parsed = parse(messagesPayload({ contacts: [customer], messages: [msg('wamid.X', 'not yours')] }, '999000111222'));
    expect(parsed).toEqual({ events: [] });
  });

  it('keeps own changes when a delivery mixes numbers', () => {
    const payload = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: WABA_ID,
          changes: [
            { field: 'messages', value: { metadata: { phone_number_id: '999000111222' }, contacts: [customer], messages: [msg('wamid.OTHER', 'x')] } },
            change({ contacts: [customer], messages: [msg('wamid.MINE', 'y')] }),
          ],
        },
      ],
    };
    const parsed = parse(payload);
    expect(parsed.events.map((e) => (e.kind === 'inbound_message' ? e.externalId : e.kind))).toEqual(['wamid.MINE']);
  });

  it('ignores junk items instead of throwing', () => {
    const payload = { object: 'whatsapp_business_account', entry: [null, 5, { changes: 'x' }, { changes: [null, { field: 'messages' }, change({ messages: [null, 'x'] })] }] };
    expect(parse(payload)).toEqual({ events: [] });
  });

  it('works end to end through a signed channel.parseWebhook', () => {
    const channel = createWhatsAppChannel({ fetch: () => Promise.reject(new Error('offline')) });
    const result = channel.parseWebhook(signedWebhook(inbound({ type: 'text', text: { body: 'héllo ✓' } })), testContext());
    expect(result).toEqual({
      ok: true,
      value: {
        events: [{ kind: 'inbound_message', externalId: 'wamid.IN1', from: sheena, timestamp: T, content: { type: 'text', text: 'héllo ✓' }, opensWindow: true }],
      },
    });
  });
});

describe('parseWhatsAppWebhook: user_preferences (marketing opt-out made in WhatsApp)', () => {
  const preferences = (items: unknown[], phoneNumberId = PHONE_NUMBER_ID) => ({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: WABA_ID,
        changes: [
          {
            value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId }, contacts: [customer], user_preferences: items },
            field: 'user_preferences',
          },
        ],
      },
    ],
  });

  it('a stop becomes a marketing preference with the contact, the detail and the time', () => {
    const parsed = parseWhatsAppWebhook(preferences([{ wa_id: '16505551234', detail: 'User requested to stop marketing messages', category: 'marketing_messages', value: 'stop', timestamp: 1739321024 }]), ctx);
    expect(parsed?.events).toEqual([
      { kind: 'marketing_preference', from: sheena, preference: 'stop', detail: 'User requested to stop marketing messages', timestamp: new Date(1739321024 * 1000) },
    ]);
  });

  it('another category or value is kept as an account event, and another number is not ours', () => {
    const parsed = parseWhatsAppWebhook(preferences([{ wa_id: '16505551234', category: 'utility_messages', value: 'stop', timestamp: 1739321024 }]), ctx);
    expect(parsed?.events).toMatchObject([{ kind: 'account_event', event: 'user_preferences.unrecognised' }]);
    expect(parseWhatsAppWebhook(preferences([{ wa_id: '16505551234', category: 'marketing_messages', value: 'stop' }], '999'), ctx)?.events).toEqual([]);
  });
});
