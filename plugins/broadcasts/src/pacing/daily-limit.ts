/**
 * A number's daily limit of business-initiated messages: the limit set by hand
 * (`OBROL_BROADCAST_DAILY_LIMIT`) when there is one, else the tier its channel plugin reported in
 * the account check (`messagingLimit`: `TIER_250`, `TIER_2K`, `TIER_10K`, `TIER_100K`,
 * `TIER_UNLIMITED`, or a number). Null means unlimited (set by hand as `Infinity`), or unknown.
 */
export function dailyLimitOf(configured: number | null, reported: unknown): number | null {
  if (configured !== null) return Number.isFinite(configured) ? configured : null;
  if (typeof reported === 'number' && Number.isFinite(reported) && reported > 0) return reported;
  if (typeof reported !== 'string') return null;
  const tier = /^TIER_(\d+)(K?)$/i.exec(reported.trim());
  if (!tier) return null;
  return Number(tier[1]) * (tier[2] ? 1000 : 1);
}
