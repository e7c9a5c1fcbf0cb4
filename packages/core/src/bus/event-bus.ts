/**
 * The event bus. Two implementations honour one contract (see `../testing/event-bus.contract.ts`):
 * NATS with JetStream for the scaled shape, and an in-process bus for the single node.
 *
 * - Durable subjects (`chat.*` facts, `cmd.*` commands) are stored by the bus and handed to
 *   durable consumers at least once; publishing the same `eventId` twice stores it once.
 * - Live subjects (`live.*`) are fan-out to whoever listens now, and may be lost.
 *
 * Payloads travel as JSON (a `Date` arrives as an ISO string). Using a subject of the wrong
 * kind (a `live.…` subject in `publish`, a `chat.…` one in `publishLive`) is a programming
 * error and throws.
 */
export interface BusEnvelope {
  eventId: string;
}

export interface DeliveredMessage<T> {
  subject: string;
  data: T;
  /** 1 on the first delivery, then 2, 3… on redeliveries. */
  attempt: number;
}

/** What a durable handler decides about a message. Throwing counts as `retry`. */
export type HandlerOutcome =
  | { action: 'ack' }
  | { action: 'retry'; delayMs?: number }
  | { action: 'drop'; reason: string };

export type DurableHandler<T> = (message: DeliveredMessage<T>) => Promise<HandlerOutcome | void>;

export interface DurableConsumerOptions<T> {
  /** Consumers sharing a name share the work: each message goes to one of them. */
  durableName: string;
  /** Subject filters, NATS wildcards allowed (`chat.*.message.>`). All must be durable subjects. */
  subjects: string[];
  handler: DurableHandler<T>;
  /** Give up after this many deliveries (default 10); the message is then dropped and logged. */
  maxDeliver?: number;
  /** Redelivery delay when the handler retries without a delay (default grows from 1 s). */
  backoffMs?: number[];
  /** How many messages this consumer handles at once (default 1). */
  concurrency?: number;
  /**
   * How many messages a process may hold beyond `concurrency`, waiting for a free slot
   * (default 0). On NATS a consumer asks the server for messages as its slots free up: with
   * few slots, that is one pull request per message, a round trip for the process and work for
   * the server. A consumer whose handlers take milliseconds and which sees every fact (outbound
   * webhooks) pulls them in batches with a prefetch; a held message's `ackWait` runs while it
   * waits, so slow handlers keep the default. The in-process bus holds nothing ahead and ignores it.
   */
  prefetch?: number;
}

export interface Subscription {
  /** Stop receiving; in-flight handlers finish first. */
  close(): Promise<void>;
}

export interface EventBus {
  /** Store a durable event (`chat.…` or `cmd.…`); resolves once the bus has it. Deduplicated by `eventId`. */
  publish(subject: string, data: BusEnvelope): Promise<void>;
  /** Fan a losable event (`live.…`) out to current live subscribers. Never runs them in the caller's stack. */
  publishLive(subject: string, data: unknown): void;
  /**
   * Start a durable consumer; resolves once it exists. A new `durableName` starts from the
   * oldest event the bus still keeps; an existing one continues where it left off.
   */
  consume<T>(options: DurableConsumerOptions<T>): Promise<Subscription>;
  /**
   * Receive live events matching a pattern under `live.` (`live.acme.>`), from every process.
   * Events from other processes flow once the server has the subscription (`ping()` waits for that).
   */
  subscribeLive(pattern: string, handler: (subject: string, data: unknown) => void): Subscription;
  /** Whether the bus is reachable now (readiness). */
  ping(): Promise<boolean>;
  /** Stop taking work, let in-flight handlers finish, then disconnect. */
  close(): Promise<void>;
}

/** Nest injection token for the bus. */
export const EVENT_BUS = Symbol.for('obrol.EventBus');
