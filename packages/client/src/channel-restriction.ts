import type { ChannelAccountView, ChannelRestrictionView } from './views.js';

/**
 * What the provider restricts the number from sending while it lasts: null when nothing, or
 * once its `until` has passed by the app's clock (the server counts it lifted then too).
 */
export function restrictionInForce(channel: Pick<ChannelAccountView, 'restriction'> | null | undefined, now: Date = new Date()): ChannelRestrictionView | null {
  const restriction = channel?.restriction ?? null;
  if (!restriction || (restriction.until && Date.parse(restriction.until) <= now.getTime())) return null;
  return restriction;
}
