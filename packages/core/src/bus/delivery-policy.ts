import type { DeliveredMessage, DurableConsumerOptions, DurableHandler, HandlerOutcome } from './event-bus.js';
import {
  DURABLE_KINDS,
  isValidPattern,
  isValidSubject,
  narrowPatternToKind,
  subjectKind,
  type DurableKind,
} from './subject-pattern.js';

/**
 * What both buses share about durable consumers: option defaults and validation, and the
 * single mapping from a handler's outcome to ack / redeliver later / give up.
 */

export const DEFAULT_MAX_DELIVER = 10;
export const DEFAULT_BACKOFF_MS: readonly number[] = [1_000, 2_000, 5_000, 10_000, 30_000, 60_000];

/** A durable name is one subject token, so it can name a JetStream consumer. */
const DURABLE_NAME = /^[A-Za-z0-9_-]{1,128}$/;

export interface ResolvedConsumerOptions<T> {
  durableName: string;
  subjects: string[];
  handler: DurableHandler<T>;
  maxDeliver: number;
  backoffMs: readonly number[];
  concurrency: number;
  prefetch: number;
}

/** Fill in defaults; throw on options that are a programming error. */
export function resolveConsumerOptions<T>(options: DurableConsumerOptions<T>): ResolvedConsumerOptions<T> {
  const { durableName, subjects, handler } = options;
  if (!DURABLE_NAME.test(durableName)) {
    throw new Error(`invalid durableName ${JSON.stringify(durableName)}: use letters, digits, "-" and "_"`);
  }
  if (!Array.isArray(subjects) || subjects.length === 0) {
    throw new Error(`durable consumer ${durableName} needs at least one subject`);
  }
  for (const pattern of subjects) {
    if (!isValidPattern(pattern) || DURABLE_KINDS.every((kind) => !narrowPatternToKind(pattern, kind))) {
      throw new Error(
        `durable consumer ${durableName}: ${JSON.stringify(pattern)} is not a pattern over durable subjects (chat.> or cmd.>)`,
      );
    }
  }
  const maxDeliver = options.maxDeliver ?? DEFAULT_MAX_DELIVER;
  const concurrency = options.concurrency ?? 1;
  const prefetch = options.prefetch ?? 0;
  const backoffMs = options.backoffMs && options.backoffMs.length > 0 ? options.backoffMs : DEFAULT_BACKOFF_MS;
  if (!Number.isInteger(maxDeliver) || maxDeliver < 1) throw new Error(`maxDeliver must be a positive integer, got ${maxDeliver}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
  if (!Number.isInteger(prefetch) || prefetch < 0) throw new Error(`prefetch must be a non-negative integer, got ${prefetch}`);
  if (backoffMs.some((ms) => !Number.isFinite(ms) || ms < 0)) throw new Error('backoffMs must hold non-negative numbers');
  return { durableName, subjects: [...subjects], handler, maxDeliver, backoffMs, concurrency, prefetch };
}

/** Throw unless `subject` is a concrete durable subject; returns its kind. */
export function assertDurableSubject(subject: string): DurableKind {
  const kind = subjectKind(subject);
  if (!isValidSubject(subject) || (kind !== 'chat' && kind !== 'cmd')) {
    throw new Error(`publish needs a durable subject (chat.… or cmd.…), got ${JSON.stringify(subject)}`);
  }
  return kind;
}

/** Throw unless `subject` is a concrete live subject. */
export function assertLiveSubject(subject: string): void {
  if (!isValidSubject(subject) || subjectKind(subject) !== 'live') {
    throw new Error(`publishLive needs a live subject (live.…), got ${JSON.stringify(subject)}`);
  }
}

/** Throw unless `pattern` only matches live subjects. */
export function assertLivePattern(pattern: string): void {
  if (!isValidPattern(pattern) || subjectKind(pattern) !== 'live') {
    throw new Error(`subscribeLive needs a pattern under live. (e.g. live.acme.>), got ${JSON.stringify(pattern)}`);
  }
}

/** Throw unless the payload carries an `eventId` to dedupe by. */
export function assertEnvelope(subject: string, data: unknown): asserts data is { eventId: string } {
  const eventId = (data as { eventId?: unknown } | null)?.eventId;
  if (typeof eventId !== 'string' || eventId.length === 0) {
    throw new Error(`publish to ${subject}: the payload needs a non-empty string eventId`);
  }
}

/** What the bus does with a delivered message once the handler is done with it. */
export type DeliveryDecision =
  | { kind: 'ack' }
  | { kind: 'redeliver'; delayMs: number }
  | { kind: 'drop'; reason: string }
  | { kind: 'give-up'; reason: string };

/** The handler's result: its outcome, or what it threw. */
export type HandlerResult = { outcome: HandlerOutcome | void } | { thrown: unknown };

/** Run a handler; a throw (or a rejected promise) becomes a value. */
export async function runHandler<T>(handler: DurableHandler<T>, message: DeliveredMessage<T>): Promise<HandlerResult> {
  try {
    return { outcome: await handler(message) };
  } catch (thrown) {
    return { thrown };
  }
}

export function decideDelivery(
  result: HandlerResult,
  attempt: number,
  policy: { maxDeliver: number; backoffMs: readonly number[] },
): DeliveryDecision {
  const outcome: HandlerOutcome =
    'thrown' in result ? { action: 'retry' } : (result.outcome ?? { action: 'ack' });
  if (outcome.action === 'ack') return { kind: 'ack' };
  if (outcome.action === 'drop') return { kind: 'drop', reason: outcome.reason };
  if (attempt >= policy.maxDeliver) {
    const why = 'thrown' in result ? `handler threw: ${describeError(result.thrown)}` : 'handler asked to retry';
    return { kind: 'give-up', reason: `${why} on delivery ${attempt} of ${policy.maxDeliver}` };
  }
  const backoff = policy.backoffMs[Math.min(attempt - 1, policy.backoffMs.length - 1)] ?? 0;
  return { kind: 'redeliver', delayMs: Math.max(0, outcome.delayMs ?? backoff) };
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
