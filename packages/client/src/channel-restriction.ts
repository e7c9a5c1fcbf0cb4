import { restrictionInForce } from '@obrol/contracts';
import type { ChannelAccountView, ChannelRestrictionView } from './views.js';

/**
 * What the provider restricts the channel's number from sending while it lasts, by the app's
 * clock: contracts' `restrictionInForce`, which the server refuses sends by.
 */
export function channelRestriction(channel: Pick<ChannelAccountView, 'restriction'> | null | undefined, now: Date = new Date()): ChannelRestrictionView | null {
  return restrictionInForce(channel?.restriction, now);
}
