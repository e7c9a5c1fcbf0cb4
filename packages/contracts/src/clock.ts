/** The source of "now". Injected everywhere time matters so the 24-hour window can be tested
 * at 23:59:59 and 24:00:01 without waiting a day. */
export interface Clock {
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };
