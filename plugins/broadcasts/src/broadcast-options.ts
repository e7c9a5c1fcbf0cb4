/** Prices per message by destination region (ISO alpha-2, or `*` for the rest) and template category. */
export type PriceTable = Record<string, Partial<Record<'MARKETING' | 'UTILITY' | 'AUTHENTICATION', number>>>;

/** The broadcast engine's settings, parsed by the server from `OBROL_BROADCAST_*`. */
export interface BroadcastOptions {
  /** The highest pace a broadcast may ask for, messages per second per number (Meta: 80 by default, up to 1,000). */
  maxMessagesPerSecond: number;
  /** Pace of a broadcast that does not set one. */
  defaultMessagesPerSecond: number;
  /** Sends to one customer refused by Meta's marketing limit (131049) are tried again this many times… */
  marketingLimitRetries: number;
  /** …each no sooner than this (Meta: 24 h). */
  marketingLimitDelayMs: number;
  /** Regions where marketing templates are not delivered (Meta stopped US delivery in April 2025). */
  marketingBlockedCountries: string[];
  /** Auto-pause when at least this share of the last `failureWindow` sends of a broadcast failed. */
  failureRateThreshold: number;
  failureWindow: number;
  prices: PriceTable;
  currency: string;
  /** Daily business-initiated limit of every number (250, 2,000, 10,000, 100,000; Infinity = unlimited), or null: each number's reported tier. */
  dailyLimit: number | null;
  /** How often each worker hands out the next batch of recipients. */
  dispatchIntervalMs: number;
  /**
   * A start of more recipients than this answers at once: the broadcast is due now (`scheduled`,
   * no local time) and a worker plans its audience and starts it (ADR 0033). Smaller audiences
   * are planned while the start waits, and it answers `running`.
   */
  startInBackgroundAbove: number;
}

export const BROADCAST_OPTIONS = Symbol.for('obrol.BroadcastOptions');

export const DEFAULT_BROADCAST_OPTIONS: BroadcastOptions = {
  maxMessagesPerSecond: 80,
  defaultMessagesPerSecond: 80,
  marketingLimitRetries: 2,
  marketingLimitDelayMs: 24 * 60 * 60 * 1000,
  marketingBlockedCountries: ['US'],
  failureRateThreshold: 0.5,
  failureWindow: 100,
  prices: {},
  currency: 'USD',
  dailyLimit: null,
  dispatchIntervalMs: 200,
  startInBackgroundAbove: 10_000,
};
