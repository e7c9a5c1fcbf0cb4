/**
 * Tags (labels) on conversations and contacts, as the inbox and the API spell them: lower
 * case, words joined by `-`, letters and digits of any script plus `-` and `_` — the shape
 * Chatwoot's labels and Intercom's tags settle on, so "VIP Customer " and "vip-customer" are
 * one tag. The server and the inbox normalise with the same function.
 */
export const TAG_MAX_LENGTH = 32;
/** Tags one conversation or contact may carry. */
export const TAGS_MAX = 20;

const TAG_SHAPE = /^[\p{L}\p{N}][\p{L}\p{N}_-]*$/u;

/** Why a tag was refused, for the message of a `TAG_INVALID` error. */
export type TagProblem = 'empty' | 'too-long' | 'characters';

/** The tag as stored (`"  VIP  Customer"` → `"vip-customer"`), or why it cannot be one. */
export function normalizeTag(raw: string): { ok: true; tag: string } | { ok: false; problem: TagProblem } {
  const tag = raw.trim().toLowerCase().replace(/\s+/g, '-');
  if (!tag) return { ok: false, problem: 'empty' };
  if ([...tag].length > TAG_MAX_LENGTH) return { ok: false, problem: 'too-long' };
  if (!TAG_SHAPE.test(tag)) return { ok: false, problem: 'characters' };
  return { ok: true, tag };
}
