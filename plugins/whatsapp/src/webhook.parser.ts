import type {
  AccountEvent,
  AccountRestriction,
  ChannelEvent,
  ChannelIdentity,
  ContactCard,
  InboundMessageEvent,
  MediaRef,
  MessageContent,
  ParsedWebhook,
  StatusEvent,
  TemplateStatusEvent,
} from '@obrol/contracts';
import { mapMetaError, readMetaError } from './graph-errors.js';
import { asArray, asBoolean, asNumber, asRecord, asString, fromUnixSeconds } from './json-payload.reader.js';

/** What the parser needs to know about the account the webhook was delivered for. */
export interface WebhookParseContext {
  /** Only `messages` changes for this phone number id produce message and status events. */
  phoneNumberId: string;
  /** Template and account changes of another WABA (entry[].id) are ignored. */
  wabaId: string;
  /** Used when Meta gives no timestamp. */
  now: Date;
}

type Json = Record<string, unknown>;

const TEMPLATE_FIELDS = new Set(['message_template_status_update', 'message_template_quality_update', 'template_category_update']);
const STATUS_VALUES = new Set(['sent', 'delivered', 'read', 'failed']);

/**
 * Normalises a parsed (and already signature-checked) WhatsApp webhook body into channel
 * events. Loops over every entry, change, message, status and error; never drops an item it
 * does not understand (it becomes `unsupported` content or an account event) and never throws.
 * Returns undefined when the body is not a WhatsApp webhook at all.
 */
export function parseWhatsAppWebhook(payload: unknown, ctx: WebhookParseContext): ParsedWebhook | undefined {
  const body = asRecord(payload);
  if (!body || !Array.isArray(body['entry'])) return undefined;
  const events: ChannelEvent[] = [];
  for (const rawEntry of asArray(body['entry'])) {
    const entry = asRecord(rawEntry);
    if (!entry) continue;
    const entryId = asString(entry['id']);
    const entryTime = fromUnixSeconds(entry['time']) ?? ctx.now;
    for (const rawChange of asArray(entry['changes'])) {
      const change = asRecord(rawChange);
      const value = asRecord(change?.['value']);
      if (!change || !value) continue;
      const field = asString(change['field']) ?? 'unknown';
      if (field === 'messages') {
        const phoneNumberId = asString(asRecord(value['metadata'])?.['phone_number_id']);
        // A shared callback may receive another number's traffic: not ours to record.
        if (phoneNumberId !== undefined && phoneNumberId !== ctx.phoneNumberId) continue;
        events.push(...messagesChangeEvents(value, ctx.now));
        continue;
      }
      if (field === 'user_preferences') {
        const phoneNumberId = asString(asRecord(value['metadata'])?.['phone_number_id']);
        if (phoneNumberId !== undefined && phoneNumberId !== ctx.phoneNumberId) continue;
        events.push(...userPreferenceEvents(value, ctx.now));
        continue;
      }
      if (entryId !== undefined && entryId !== ctx.wabaId) continue;
      if (TEMPLATE_FIELDS.has(field)) events.push(templateEvent(field, value, entryTime));
      else events.push(accountFieldEvent(field, value, entryTime));
    }
  }
  return { events };
}

function messagesChangeEvents(value: Json, now: Date): ChannelEvent[] {
  const events: ChannelEvent[] = [];
  const contacts = asArray(value['contacts']).map(asRecord).filter((c): c is Json => !!c);
  for (const raw of asArray(value['messages'])) {
    const message = asRecord(raw);
    if (message) events.push(inboundEvent(message, contacts, now));
  }
  for (const raw of asArray(value['statuses'])) {
    const status = asRecord(raw);
    if (status) events.push(statusEvent(status, now));
  }
  for (const raw of asArray(value['errors'])) {
    const error = readMetaError(raw);
    if (!error) continue;
    const mapped = mapMetaError(error);
    events.push({
      kind: 'account_event',
      event: 'error',
      description: mapped.message,
      error: mapped,
      raw,
      timestamp: now,
    });
  }
  return events;
}

// ---------------------------------------------------------------- inbound messages

function inboundEvent(message: Json, contacts: Json[], now: Date): ChannelEvent {
  const externalId = asString(message['id']);
  const type = asString(message['type']) ?? 'unknown';
  const timestamp = fromUnixSeconds(message['timestamp']) ?? now;
  if (!externalId) {
    return { kind: 'account_event', event: 'message_without_id', description: `WhatsApp sent a ${type} message without an id.`, raw: message, timestamp };
  }
  const context = asRecord(message['context']);
  const replyTo = asString(context?.['id']);
  const referral = referralOf(message, context);
  const event: InboundMessageEvent = {
    kind: 'inbound_message',
    externalId,
    from: senderOf(message, contacts),
    timestamp,
    content: contentOf(type, message),
    ...(replyTo ? { replyToExternalId: replyTo } : {}),
    ...(referral ? { referral } : {}),
    opensWindow: opensWindow(type),
  };
  return event;
}

/** System notices and the "user opened the chat" event are not the customer writing. */
function opensWindow(type: string): boolean {
  return type !== 'system' && type !== 'request_welcome';
}

/**
 * `user_preferences`: a customer stopped or resumed marketing messages in WhatsApp itself. Only
 * the marketing category feeds the opt-out register; anything else is kept as an account event.
 */
function userPreferenceEvents(value: Json, now: Date): ChannelEvent[] {
  const contacts = asArray(value['contacts']).map(asRecord).filter((c): c is Json => !!c);
  return asArray(value['user_preferences']).flatMap((raw): ChannelEvent[] => {
    const item = asRecord(raw);
    if (!item) return [];
    const preference = asString(item['value']);
    const timestamp = fromUnixSeconds(item['timestamp']) ?? now;
    if (asString(item['category']) !== 'marketing_messages' || (preference !== 'stop' && preference !== 'resume') || (!asString(item['wa_id']) && !asString(item['user_id']))) {
      return [{ kind: 'account_event', event: 'user_preferences.unrecognised', description: 'WhatsApp sent a user preference Obrol does not know.', raw: item, timestamp }];
    }
    const from = senderOf({ from: item['wa_id'], from_user_id: item['user_id'] } as Json, contacts);
    return [{ kind: 'marketing_preference', from, preference, detail: asString(item['detail']) ?? null, timestamp }];
  });
}

function senderOf(message: Json, contacts: Json[]): ChannelIdentity {
  const from = asString(message['from']);
  const fromUserId = asString(message['from_user_id']);
  const contact =
    contacts.find((c) => (from && asString(c['wa_id']) === from) || (fromUserId && asString(c['user_id']) === fromUserId)) ??
    (contacts.length === 1 ? contacts[0] : undefined);
  const waId = from ?? asString(contact?.['wa_id']);
  const userId = fromUserId ?? asString(contact?.['user_id']);
  const name = asString(asRecord(contact?.['profile'])?.['name']);
  return {
    externalId: waId ?? userId ?? 'unknown',
    ...(waId ? { phone: `+${waId}` } : {}),
    ...(name ? { name } : {}),
  };
}

function referralOf(message: Json, context: Json | undefined): Record<string, unknown> | undefined {
  const referral = asRecord(message['referral']);
  const product = asRecord(context?.['referred_product']);
  if (!referral && !product) return undefined;
  return { ...(referral ?? {}), ...(product ? { referred_product: product } : {}) };
}

function contentOf(type: string, message: Json): MessageContent {
  const body = asRecord(message[type]);
  switch (type) {
    case 'text': {
      const text = asString(body?.['body']);
      return text !== undefined ? { type: 'text', text } : unsupported(type, message);
    }
    case 'image':
    case 'video':
      return body ? { type, media: mediaOf(body, true) } : unsupported(type, message);
    case 'audio': {
      if (!body) return unsupported(type, message);
      const voice = asBoolean(body['voice']);
      return { type: 'audio', media: mediaOf(body, false), ...(voice !== undefined ? { voice } : {}) };
    }
    case 'document': {
      if (!body) return unsupported(type, message);
      const filename = asString(body['filename']);
      return { type: 'document', media: mediaOf(body, true), ...(filename ? { filename } : {}) };
    }
    case 'sticker': {
      if (!body) return unsupported(type, message);
      const animated = asBoolean(body['animated']);
      return { type: 'sticker', media: mediaOf(body, false), ...(animated !== undefined ? { animated } : {}) };
    }
    case 'location':
      return locationOf(body) ?? unsupported(type, message);
    case 'contacts': {
      const cards = asArray(message['contacts']).map(asRecord).filter((c): c is Json => !!c).map(contactCardOf);
      return cards.length > 0 ? { type: 'contacts', contacts: cards } : unsupported(type, message);
    }
    case 'interactive':
      return interactiveReplyOf(body) ?? unsupported(type, message);
    case 'button': {
      const payload = asString(body?.['payload']);
      const text = asString(body?.['text']);
      if (payload === undefined && text === undefined) return unsupported(type, message);
      return { type: 'interactive_reply', reply: { kind: 'template_button', id: payload ?? text ?? '', title: text ?? payload ?? '' } };
    }
    case 'reaction': {
      const target = asString(body?.['message_id']);
      if (!target) return unsupported(type, message);
      const emoji = asString(body?.['emoji']);
      return { type: 'reaction', targetExternalId: target, ...(emoji ? { emoji } : {}) };
    }
    case 'order':
      return body ? orderOf(body) : unsupported(type, message);
    case 'system': {
      const text = asString(body?.['body']) ?? '';
      const event = asString(body?.['type']);
      return { type: 'system', text, ...(event ? { event } : {}) };
    }
    default:
      return unsupported(type, message);
  }
}

function mediaOf(body: Json, withCaption: boolean): MediaRef {
  const id = asString(body['id']);
  const mimeType = asString(body['mime_type']);
  const sha256 = asString(body['sha256']);
  const caption = withCaption ? asString(body['caption']) : undefined;
  // No mediaId and no url: the lookaside url needs the token, the core downloads by provider id.
  return {
    ...(id ? { providerMediaId: id } : {}),
    ...(mimeType ? { mimeType } : {}),
    ...(sha256 ? { sha256 } : {}),
    ...(caption ? { caption } : {}),
  };
}

function locationOf(body: Json | undefined): MessageContent | undefined {
  const latitude = asNumber(body?.['latitude']);
  const longitude = asNumber(body?.['longitude']);
  if (!body || latitude === undefined || longitude === undefined) return undefined;
  const name = asString(body['name']);
  const address = asString(body['address']);
  const url = asString(body['url']);
  return { type: 'location', latitude, longitude, ...(name ? { name } : {}), ...(address ? { address } : {}), ...(url ? { url } : {}) };
}

function contactCardOf(card: Json): ContactCard {
  const name = asRecord(card['name']);
  const firstName = asString(name?.['first_name']);
  const lastName = asString(name?.['last_name']);
  const formattedName =
    asString(name?.['formatted_name']) || [firstName, lastName].filter(Boolean).join(' ') || 'Unnamed contact';
  const company = asString(asRecord(card['org'])?.['company']);
  return {
    name: { formattedName, ...(firstName ? { firstName } : {}), ...(lastName ? { lastName } : {}) },
    phones: asArray(card['phones']).map(asRecord).flatMap((p) => {
      const phone = asString(p?.['phone']);
      if (!p || !phone) return [];
      const type = asString(p['type']);
      const waId = asString(p['wa_id']);
      return [{ phone, ...(type ? { type } : {}), ...(waId ? { waId } : {}) }];
    }),
    emails: asArray(card['emails']).map(asRecord).flatMap((e) => {
      const email = asString(e?.['email']);
      if (!e || !email) return [];
      const type = asString(e['type']);
      return [{ email, ...(type ? { type } : {}) }];
    }),
    ...(company ? { organization: company } : {}),
    urls: asArray(card['urls']).map(asRecord).flatMap((u) => {
      const url = asString(u?.['url']);
      if (!u || !url) return [];
      const type = asString(u['type']);
      return [{ url, ...(type ? { type } : {}) }];
    }),
  };
}

function interactiveReplyOf(body: Json | undefined): MessageContent | undefined {
  const kind = asString(body?.['type']);
  if (!body || !kind) return undefined;
  const reply = asRecord(body[kind]);
  if (!reply) return undefined;
  if (kind === 'button_reply' || kind === 'list_reply') {
    const id = asString(reply['id']) ?? '';
    const title = asString(reply['title']) ?? '';
    const description = asString(reply['description']);
    return {
      type: 'interactive_reply',
      reply: { kind: kind === 'button_reply' ? 'button' : 'list', id, title, ...(description ? { description } : {}) },
    };
  }
  if (kind === 'nfm_reply') {
    const responseJson = asString(reply['response_json']);
    // The flow's answers travel as a JSON string; keep it whole in the description.
    return {
      type: 'interactive_reply',
      reply: {
        kind: 'flow',
        id: flowTokenOf(responseJson) ?? asString(reply['name']) ?? 'flow',
        title: asString(reply['body']) ?? 'Sent',
        ...(responseJson ? { description: responseJson } : {}),
      },
    };
  }
  return undefined;
}

function flowTokenOf(responseJson: string | undefined): string | undefined {
  if (!responseJson) return undefined;
  try {
    return asString(asRecord(JSON.parse(responseJson))?.['flow_token']);
  } catch {
    return undefined;
  }
}

function orderOf(body: Json): MessageContent {
  const catalogId = asString(body['catalog_id']);
  const text = asString(body['text']);
  return {
    type: 'order',
    ...(catalogId ? { catalogId } : {}),
    ...(text ? { text } : {}),
    items: asArray(body['product_items']).map(asRecord).flatMap((item) => {
      if (!item) return [];
      const itemPrice = asNumber(item['item_price']);
      const currency = asString(item['currency']);
      return [
        {
          productId: asString(item['product_retailer_id']) ?? '',
          quantity: asNumber(item['quantity']) ?? 1,
          ...(itemPrice !== undefined ? { itemPrice } : {}),
          ...(currency ? { currency } : {}),
        },
      ];
    }),
  };
}

function unsupported(type: string, message: Json): MessageContent {
  const providerType = asString(asRecord(message['unsupported'])?.['type']) ?? type;
  const error = readMetaError(asArray(message['errors'])[0]);
  const description =
    error?.error_data?.details ?? error?.title ?? error?.message ?? `WhatsApp sent a "${providerType}" message, which Obrol cannot show yet.`;
  return { type: 'unsupported', providerType, description, raw: message };
}

// ---------------------------------------------------------------- statuses

function statusEvent(status: Json, now: Date): ChannelEvent {
  const value = asString(status['status']) ?? 'unknown';
  const externalId = asString(status['id']);
  const timestamp = fromUnixSeconds(status['timestamp']) ?? now;
  // `played` (first play of a voice note) implies the message was seen: it is a read receipt.
  const normalised = value === 'played' ? 'read' : value;
  if (!externalId || !STATUS_VALUES.has(normalised)) {
    return {
      kind: 'account_event',
      event: `status.${value}`,
      description: `WhatsApp reported an unknown message status "${value}".`,
      raw: status,
      timestamp,
    };
  }
  const recipient = asString(status['recipient_id']) ?? asString(status['recipient_user_id']);
  const errors = asArray(status['errors']);
  const firstError = readMetaError(errors[0]);
  const mappedError = firstError ? mapMetaError(firstError) : undefined;
  const pricing = asRecord(status['pricing']);
  const messageId = asString(status['biz_opaque_callback_data']);
  const event: StatusEvent = {
    kind: 'status',
    externalId,
    status: normalised as StatusEvent['status'],
    timestamp,
    ...(recipient ? { recipientExternalId: recipient } : {}),
    ...(mappedError ? { error: errors.length > 1 ? { ...mappedError, details: { ...asRecord(mappedError.details), errors } } : mappedError } : {}),
    ...(pricing ? { pricing } : {}),
    ...(messageId ? { messageId } : {}),
  };
  return event;
}

// ---------------------------------------------------------------- templates and account

/** Meta's webhooks write `en-US`; the API and templates use `en_US`. */
export function normaliseLanguage(language: string): string {
  return language.replace(/-/g, '_');
}

function templateEvent(field: string, value: Json, timestamp: Date): TemplateStatusEvent {
  const externalId = asString(value['message_template_id']);
  const name = asString(value['message_template_name']) ?? '';
  const language = normaliseLanguage(asString(value['message_template_language']) ?? '');
  const base = { kind: 'template_status' as const, ...(externalId ? { externalId } : {}), name, language, timestamp };
  if (field === 'message_template_quality_update') {
    const previous = asString(value['previous_quality_score']) ?? 'UNKNOWN';
    const next = asString(value['new_quality_score']) ?? 'UNKNOWN';
    return { ...base, change: 'quality', status: 'QUALITY_UPDATE', quality: next, reason: `Quality changed from ${previous} to ${next}.` };
  }
  if (field === 'template_category_update') {
    const previous = asString(value['previous_category']);
    const next = asString(value['new_category']);
    const correct = asString(value['correct_category']);
    const reason =
      correct && correct !== next
        ? `Meta will change the category from ${previous ?? next} to ${correct}.`
        : `Category changed from ${previous ?? 'unknown'} to ${next ?? correct ?? 'unknown'}.`;
    const category = [correct, next].find((c): c is 'MARKETING' | 'UTILITY' | 'AUTHENTICATION' => c === 'MARKETING' || c === 'UTILITY' || c === 'AUTHENTICATION');
    return { ...base, change: 'category', status: 'CATEGORY_UPDATE', ...(category ? { category } : {}), reason };
  }
  const reason = templateReason(value);
  return { ...base, status: asString(value['event']) ?? 'UNKNOWN', ...(reason ? { reason } : {}) };
}

function templateReason(value: Json): string | undefined {
  const parts: string[] = [];
  const reason = asString(value['reason']);
  if (reason && reason !== 'NONE') parts.push(reason);
  const rejection = asRecord(value['rejection_info']);
  const rejectionReason = asString(rejection?.['reason']);
  const recommendation = asString(rejection?.['recommendation']);
  if (rejectionReason) parts.push(rejectionReason);
  if (recommendation) parts.push(`Recommendation: ${recommendation}`);
  const other = asRecord(value['other_info']);
  const otherText = [asString(other?.['title']), asString(other?.['description'])].filter(Boolean).join(': ');
  if (otherText) parts.push(otherText);
  return parts.length > 0 ? parts.join(' — ') : undefined;
}

function accountFieldEvent(field: string, value: Json, timestamp: Date): AccountEvent {
  const event = asString(value['event']);
  const restriction = field === 'account_update' ? accountRestriction(event, value) : undefined;
  const description = [
    `WhatsApp sent a "${field}" update`,
    event ? ` (${event})` : '',
    '.',
    restriction ? ` ${restrictionText(restriction)}` : '',
  ].join('');
  return { kind: 'account_event', event: event ? `${field}.${event}` : field, description, ...(restriction ? { restriction } : {}), raw: value, timestamp };
}

const LIFTED: Readonly<AccountRestriction> = { businessInitiated: false, customerInitiated: false, until: null };

/**
 * What an `account_update` says about sending: an `ACCOUNT_RESTRICTION` lists the account's
 * restrictions (`restriction_info`, each with an `expiration` in Unix seconds), so one without
 * business- or customer-initiated messaging says neither is restricted any more; a disabled
 * account (`DISABLED_UPDATE` with `ban_info.waba_ban_state` DISABLE) may send nothing, a
 * reinstated one (REINSTATE) everything again. Other restrictions (adding numbers, calling) and
 * other events say nothing about sending.
 */
function accountRestriction(event: string | undefined, value: Json): AccountRestriction | undefined {
  if (event === 'DISABLED_UPDATE') {
    const state = asRecord(value['ban_info'])?.['waba_ban_state'];
    const states = Array.isArray(state) ? state.map(asString) : [asString(state)];
    if (states.includes('DISABLE')) return { businessInitiated: true, customerInitiated: true, until: null };
    return states.includes('REINSTATE') ? { ...LIFTED } : undefined;
  }
  if (event !== 'ACCOUNT_RESTRICTION') return undefined;
  const restrictions = asArray(value['restriction_info']).map(asRecord).filter((r): r is Json => !!r);
  const applying = (type: string) => restrictions.filter((r) => asString(r['restriction_type']) === type);
  const business = applying('RESTRICTED_BIZ_INITIATED_MESSAGING');
  const customer = applying('RESTRICTED_CUSTOMER_INITIATED_MESSAGING');
  if (business.length === 0 && customer.length === 0) return { ...LIFTED };
  const ends = [...business, ...customer].map((r) => fromUnixSeconds(r['expiration'])?.getTime());
  const until = ends.every((t): t is number => t !== undefined && Number.isFinite(t)) ? new Date(Math.max(...ends)) : null;
  return { businessInitiated: business.length > 0, customerInitiated: customer.length > 0, until };
}

function restrictionText(r: AccountRestriction): string {
  if (!r.businessInitiated && !r.customerInitiated) return 'Nothing restricts what the number may send any more.';
  const what = [r.businessInitiated ? 'start conversations' : '', r.customerInitiated ? 'answer customers' : ''].filter(Boolean).join(' or ');
  return `The number may not ${what}${r.until ? ` until ${r.until.toISOString()}` : ''}.`;
}
