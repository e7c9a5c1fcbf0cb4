import type { TemplateStatusEvent } from './template-store.js';

/** The business number as webhook metadata names it. */
export interface BusinessIdentity {
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
}

/** One `value.statuses[]` entry. */
export interface StatusObject {
  id: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  timestamp: string;
  recipient_id: string;
  biz_opaque_callback_data?: string;
  pricing?: { billable: boolean; pricing_model: 'PMP'; type: string; category: string };
  errors?: unknown[];
}

/** The `messages`-field envelope carrying one inbound message from a customer. */
export function inboundMessagePayload(business: BusinessIdentity, contact: { waId: string; name: string }, message: Record<string, unknown>) {
  return messagesEnvelope(business, { contacts: [{ profile: { name: contact.name }, wa_id: contact.waId }], messages: [message] });
}

/** The `messages`-field envelope carrying statuses of business messages (no `contacts`). */
export function statusPayload(business: BusinessIdentity, statuses: StatusObject[]) {
  return messagesEnvelope(business, { statuses });
}

function messagesEnvelope(business: BusinessIdentity, content: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: business.wabaId,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: business.displayPhoneNumber, phone_number_id: business.phoneNumberId },
              ...content,
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

/** Template-family shape: integer `entry[].time`, flat `value` without metadata. */
export function templateStatusPayload(business: BusinessIdentity, event: TemplateStatusEvent, now: Date) {
  return {
    entry: [{ id: business.wabaId, time: Math.floor(now.getTime() / 1_000), changes: [{ value: event, field: 'message_template_status_update' }] }],
    object: 'whatsapp_business_account',
  };
}

/** Daily limit of business-initiated conversations per messaging tier, as `business_capability_update` states it. */
const TIER_LIMITS: Record<string, number> = { TIER_250: 250, TIER_2K: 2_000, TIER_10K: 10_000, TIER_100K: 100_000 };

/**
 * The portfolio's messaging limit changed (`business_capability_update`, v24+ shape). Meta states
 * the new limit as `max_daily_conversations_per_business`; an unlimited tier is sent as -1 here
 * (the value for unlimited is not documented: receivers should read the tier from the API).
 */
export function businessCapabilityPayload(business: BusinessIdentity, tier: string, now: Date) {
  return {
    entry: [
      {
        id: business.wabaId,
        time: Math.floor(now.getTime() / 1_000),
        changes: [{ value: { max_daily_conversations_per_business: TIER_LIMITS[tier] ?? -1 }, field: 'business_capability_update' }],
      },
    ],
    object: 'whatsapp_business_account',
  };
}

/** Unix seconds as a string, as messages and statuses carry them. */
export function unixSeconds(date: Date): string {
  return String(Math.floor(date.getTime() / 1_000));
}

/**
 * JSON with every non-ASCII character escaped as `\uXXXX`, as Meta sends it: the signature
 * covers these bytes, so a receiver that re-serialises the parsed body fails verification.
 */
export function serialiseLikeMeta(payload: unknown): Buffer {
  const json = JSON.stringify(payload).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return Buffer.from(json, 'utf8');
}

/**
 * Meta restricted the business account (`account_update`, `ACCOUNT_RESTRICTION`): each
 * restriction type (`RESTRICTED_BIZ_INITIATED_MESSAGING`, `RESTRICTED_CUSTOMER_INITIATED_MESSAGING`,
 * `RESTRICTED_ADD_PHONE_NUMBER_ACTION`, …) with its expiration in Unix seconds.
 */
export function accountRestrictionPayload(business: BusinessIdentity, types: readonly string[], expiresAt: Date, now: Date) {
  const expiration = Math.floor(expiresAt.getTime() / 1_000);
  return {
    entry: [
      {
        id: business.wabaId,
        time: Math.floor(now.getTime() / 1_000),
        changes: [
          {
            value: { phone_number: business.displayPhoneNumber, event: 'ACCOUNT_RESTRICTION', restriction_info: types.map((restriction_type) => ({ restriction_type, expiration })) },
            field: 'account_update',
          },
        ],
      },
    ],
    object: 'whatsapp_business_account',
  };
}
