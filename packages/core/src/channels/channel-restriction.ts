import type { AccountRestriction, ChannelRestrictionView } from '@obrol/contracts';

/**
 * What the provider last said a channel account may not send (`account_update`), as stored on
 * the account. Kept after a lift (both flags false), so that an older announcement delivered
 * late cannot restrict the number again.
 */
export interface ChannelRestrictionRecord {
  businessInitiated: boolean;
  customerInitiated: boolean;
  /** ISO time the restriction ends, if the provider said. */
  until: string | null;
  /** ISO time the provider announced it (its webhook's time). */
  since: string;
  /** What the provider said, in English. */
  description: string;
}

export function restrictionRecord(restriction: AccountRestriction, announcedAt: Date, description: string): ChannelRestrictionRecord {
  return {
    businessInitiated: restriction.businessInitiated,
    customerInitiated: restriction.customerInitiated,
    until: restriction.until?.toISOString() ?? null,
    since: announcedAt.toISOString(),
    description,
  };
}

/** Whether `next` is news against the record kept: announced no earlier (webhooks arrive late and out of order). */
export function isNewer(next: Date, kept: ChannelRestrictionRecord | null): boolean {
  return !kept || next.getTime() >= Date.parse(kept.since);
}

/**
 * Why a send is refused while `restriction` is in force, in English, or null when it may go: a
 * session message needs customer-initiated messaging, a template to a customer whose window is
 * closed needs business-initiated messaging.
 */
export function restrictionRefusal(restriction: ChannelRestrictionView | null, send: { template: boolean; windowOpen: boolean }): string | null {
  if (!restriction) return null;
  const until = restriction.until ? ` until ${restriction.until}` : '';
  if (!send.template && restriction.customerInitiated) {
    return `WhatsApp restricted this number from answering customers${until}, so no reply can be sent. An admin must check WhatsApp Manager.`;
  }
  if (send.template && !send.windowOpen && restriction.businessInitiated) {
    return `WhatsApp restricted this number from starting conversations${until}, so no template can go to a customer whose reply window is closed. An admin must check WhatsApp Manager.`;
  }
  return null;
}
