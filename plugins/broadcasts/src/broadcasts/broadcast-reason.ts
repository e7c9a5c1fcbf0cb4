import type { Broadcast } from './broadcast.entity.js';

/**
 * Why a broadcast is paused, cancelled or waiting, as a stable code with its values — what the
 * apps word in the reader's language — and in English (`text`, kept as `reason` for the API,
 * outbound webhooks and logs).
 */
export type BroadcastReasonCode =
  | 'PAUSED_BY'
  | 'CANCELLED_BY'
  | 'PAUSED_ON_ERROR'
  | 'PAUSED_FAILURE_RATE'
  | 'TEMPLATE_STATUS'
  | 'TEMPLATE_NOT_APPROVED'
  | 'HEADER_UPLOAD_FAILED'
  | 'DAILY_LIMIT'
  | 'PAUSED_RESTRICTED'
  | 'RESUMED_AFTER_RESTRICTION';

export interface BroadcastReason {
  code: BroadcastReasonCode;
  params: Record<string, string | number>;
  text: string;
}

/** Who acted: a person in the apps, or a back-end system through an API key. */
export type Actor = 'agent' | 'api';
const byWhom = (actor: Actor) => (actor === 'agent' ? 'an agent' : 'the API');

/** The reasons the engine and the API give, each with its code, values and English sentence. */
export const broadcastReasons = {
  pausedBy: (actor: Actor): BroadcastReason => ({ code: 'PAUSED_BY', params: { actor }, text: `Paused by ${byWhom(actor)}.` }),
  cancelledBy: (actor: Actor): BroadcastReason => ({ code: 'CANCELLED_BY', params: { actor }, text: `Cancelled by ${byWhom(actor)}.` }),
  /** A send failed in a way every later send would repeat (template, credentials, restriction): `error` is Obrol's code. */
  pausedOnError: (error: string, message: string): BroadcastReason => ({ code: 'PAUSED_ON_ERROR', params: { error }, text: `Paused automatically: ${message}` }),
  pausedOnFailureRate: (failed: number, window: number, lastError: string | null, lastMessage: string | null): BroadcastReason => ({
    code: 'PAUSED_FAILURE_RATE',
    params: { failed, window, ...(lastError ? { error: lastError } : {}) },
    text: `Paused automatically: ${failed} of the last ${window} sends failed (last: ${lastMessage ?? 'none'}).`,
  }),
  /** Meta paused or disabled the template (a template status webhook). */
  templateStatus: (template: string, status: 'PAUSED' | 'DISABLED', why: string | null): BroadcastReason => ({
    code: 'TEMPLATE_STATUS',
    params: { template, status },
    text: `Paused automatically: WhatsApp ${status === 'PAUSED' ? 'paused' : 'disabled'} the template "${template}"${why ? ` (${why})` : ''}.`,
  }),
  templateNotApproved: (template: string, language: string, status: string): BroadcastReason => ({
    code: 'TEMPLATE_NOT_APPROVED',
    params: { template, language, status },
    text: `The template "${template}" (${language}) is ${status}, not APPROVED.`,
  }),
  /** The header file could not be uploaded at start: `problem` says why in a word the apps know. */
  headerUploadFailed: (problem: 'unsupported' | 'missing' | 'refused', text: string): BroadcastReason => ({ code: 'HEADER_UPLOAD_FAILED', params: { problem }, text }),
  /**
   * The provider announced that the number may not start conversations (until `until`, if it
   * said): the one pause the engine takes back by itself once that ends (`BroadcastEngine.resumeAfterRestriction`).
   */
  pausedRestricted: (until: string | null): BroadcastReason => ({
    code: 'PAUSED_RESTRICTED',
    params: until ? { until } : {},
    text: `Paused automatically: WhatsApp restricted this number from starting conversations${until ? ` until ${until}` : ''}. It resumes by itself when the restriction ends.`,
  }),
  /** Running again on its own: the provider lifted the restriction, or its end passed. */
  resumedAfterRestriction: (end: 'lifted' | 'expired'): BroadcastReason => ({
    code: 'RESUMED_AFTER_RESTRICTION',
    params: { end },
    text: `Resumed automatically: ${end === 'lifted' ? 'WhatsApp lifted the restriction on starting conversations' : 'the restriction on starting conversations ended'}.`,
  }),
  dailyLimit: (limit: number): BroadcastReason => ({
    code: 'DAILY_LIMIT',
    params: { limit },
    text: `Waiting for the daily limit: this number may send ${limit.toLocaleString('en-US')} business-initiated messages in 24 hours; sending goes on as that window frees up.`,
  }),
};

/** Sets (or clears) the broadcast's reason in all three forms. */
export function setReason(b: Broadcast, reason: BroadcastReason | null): void {
  b.reason = reason?.text ?? null;
  b.reasonCode = reason?.code ?? null;
  b.reasonParams = reason?.params ?? null;
}

/** The three columns of a reason, for a native update. */
export const reasonColumns = (reason: BroadcastReason | null) => ({ reason: reason?.text ?? null, reasonCode: reason?.code ?? null, reasonParams: reason?.params ?? null });
