/** What a customer's message asks of the opt-out register, if anything. */
export type OptOutRequest = 'stop' | 'start' | null;

export const DEFAULT_STOP_KEYWORDS = ['STOP', 'UNSUBSCRIBE', 'BERHENTI', 'STOP PROMO'];
export const DEFAULT_START_KEYWORDS = ['START'];

const normalise = (text: string) => text.normalize('NFKC').trim().replace(/\s+/g, ' ').replace(/[.!]+$/, '').toUpperCase();

/**
 * Reads a customer's text (or quick-reply title) as a stop or start request: the whole message
 * must be a keyword, whatever its case and spacing, so "stop sending me the wrong size" is not one.
 */
export function optOutRequestOf(text: string | undefined, keywords: { stop: string[]; start: string[] }): OptOutRequest {
  if (!text) return null;
  const said = normalise(text);
  if (keywords.stop.some((k) => normalise(k) === said)) return 'stop';
  if (keywords.start.some((k) => normalise(k) === said)) return 'start';
  return null;
}

/** What a customer is told once when they opt out or back in (configurable; empty sends nothing). */
export const DEFAULT_OPT_OUT_REPLY = "You won't receive promotional messages from us any more. Reply START to subscribe again.";
export const DEFAULT_OPT_IN_REPLY = "You're subscribed again. Reply STOP at any time to stop promotional messages.";
