/** What a status carrying our message id says about the message it names. */
export type SendEvidence =
  /** The provider has this message under the status's external id: record it and apply the status. */
  | 'settles'
  /** Already recorded under that external id: an ordinary status. */
  | 'known'
  /** Recorded under another external id: the status is about a second copy that reached the provider. */
  | 'another-copy'
  /** Not one of our outbound messages. */
  | 'unrelated';

/** The facts of a stored message the decision needs. */
export interface SentMessageFacts {
  direction: 'inbound' | 'outbound';
  externalId: string | null;
}

/**
 * Decides what a provider status that echoes our message id proves. A send whose answer was lost
 * (the worker died mid-call) has no external id yet; the status is the provider's word that it
 * arrived, so it settles the send instead of leaving it in doubt.
 */
export function evidenceOf(message: SentMessageFacts | null, statusExternalId: string): SendEvidence {
  if (!message || message.direction !== 'outbound') return 'unrelated';
  if (message.externalId === null) return 'settles';
  return message.externalId === statusExternalId ? 'known' : 'another-copy';
}

/** What to do with a send attempt that is still open. */
export type InDoubtDecision = 'wait' | 'resend' | 'give-up';

/**
 * An open attempt is in doubt: the provider may or may not have the message, and it has no
 * idempotency key. Wait for evidence (a status echoing our id) for `graceMs` after the attempt
 * started; then presume it never arrived and send again, unless the attempts are used up.
 */
export function decideInDoubt(attempt: { startedAt: Date; attempts: number }, now: Date, graceMs: number, maxAttempts: number): InDoubtDecision {
  if (now.getTime() - attempt.startedAt.getTime() < graceMs) return 'wait';
  return attempt.attempts >= maxAttempts ? 'give-up' : 'resend';
}
