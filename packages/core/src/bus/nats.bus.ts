import { createHash } from 'node:crypto';
import {
  AckPolicy,
  ConsumerEvents,
  DeliverPolicy,
  DiscardPolicy,
  Events,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  connect,
  nanos,
  type ConnectionOptions,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
  type StreamConfig,
} from 'nats';
import { silentBusLogger, type BusLogger } from './bus-logger.js';
import {
  assertDurableSubject,
  assertEnvelope,
  assertLivePattern,
  assertLiveSubject,
  decideDelivery,
  describeError,
  resolveConsumerOptions,
  runHandler,
  type ResolvedConsumerOptions,
} from './delivery-policy.js';
import type { BusEnvelope, DurableConsumerOptions, EventBus, Subscription } from './event-bus.js';
import { DURABLE_KINDS, narrowPatternToKind, withoutCoveredPatterns, type DurableKind } from './subject-pattern.js';

export interface NatsBusOptions {
  /** One server or several of a cluster, e.g. `nats://127.0.0.1:4222`. */
  url: string | string[];
  /** Connection name shown by the server's monitoring (e.g. `obrol-worker`). */
  name?: string;
  /**
   * Prefix for every subject (`<namespace>.chat.…`) and stream name, so several deployments
   * (or test runs) share one NATS server without seeing each other. Handlers still see
   * unprefixed subjects. Lower-case letters, digits, `-` and `_`.
   */
  namespace?: string;
  logger?: BusLogger;
  /**
   * How long JetStream waits for an ack before giving the message to another member (default
   * 30 s). Only a crashed process hits it: a running handler keeps its message with progress acks.
   */
  ackWaitMs?: number;
  /** How long the streams keep events (defaults: 7 days for `chat.>`, 1 day for `cmd.>`). */
  maxAgeMs?: Partial<Record<DurableKind, number>>;
  /** Further nats.js connection options (credentials, TLS, reconnect tuning). */
  connection?: Omit<ConnectionOptions, 'servers' | 'name'>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_MAX_AGE_MS: Record<DurableKind, number> = { chat: 7 * DAY_MS, cmd: DAY_MS };
const DUPLICATE_WINDOW_MS = 2 * 60 * 1000;
const PING_TIMEOUT_MS = 2_000;
const NAMESPACE = /^[a-z0-9_-]{1,32}$/;
/** JetStream's "stream name already in use with a different configuration". */
const STREAM_NAME_IN_USE = 10058;

/** The JetStream stream holding one kind of durable subject: `OBROL_CHAT`, or `OBROL_<NS>_CHAT` with a namespace. */
export function natsStreamName(kind: DurableKind, namespace?: string): string {
  return ['OBROL', namespace?.toUpperCase(), kind.toUpperCase()].filter(Boolean).join('_');
}

/**
 * The event bus of the scaled shape: JetStream streams for `chat.>` and `cmd.>` (durable,
 * deduplicated by `eventId` through `msgID`), durable pull consumers shared by every process
 * using the same `durableName`, and core NATS for `live.>`. Reconnects and heartbeats are
 * left to nats.js.
 */
export class NatsBus implements EventBus {
  private readonly logger: BusLogger;
  private readonly js: JetStreamClient;
  private readonly prefix: string;
  private readonly ackWaitMs: number;
  private readonly pullLoops = new Set<PullLoop>();
  private readonly acks = new AckBatch();
  private readonly encoder = new TextEncoder();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly namespace: string | undefined,
    options: NatsBusOptions,
  ) {
    this.logger = options.logger ?? silentBusLogger;
    this.js = nc.jetstream();
    this.prefix = namespace ? `${namespace}.` : '';
    this.ackWaitMs = options.ackWaitMs ?? 30_000;
  }

  /** Connect, and create or update the streams (idempotent: every process may do it at boot). */
  static async connect(options: NatsBusOptions): Promise<NatsBus> {
    const { namespace } = options;
    if (namespace !== undefined && !NAMESPACE.test(namespace)) {
      throw new Error(`invalid NATS namespace ${JSON.stringify(namespace)}: use lower-case letters, digits, "-" and "_"`);
    }
    let nc: NatsConnection;
    try {
      // No async traces: otherwise every request (each JetStream publish) builds two errors with
      // stacks, one for a timeout that almost never comes and one when it is cancelled on answer
      // (about 3 % of a broadcast's CPU in a profile). Our errors are logged as messages anyway.
      nc = await connect({ maxReconnectAttempts: -1, noAsyncTraces: true, ...options.connection, servers: options.url, name: options.name });
    } catch (err) {
      throw new Error(`cannot connect to NATS at ${String(options.url)}: ${describeError(err)}`, { cause: err });
    }
    try {
      const jsm = await nc.jetstreamManager().catch((err: unknown) => {
        throw new Error(`NATS at ${String(options.url)} has no JetStream (start nats-server with -js): ${describeError(err)}`, {
          cause: err,
        });
      });
      const bus = new NatsBus(nc, jsm, namespace, options);
      await bus.ensureStreams(options.maxAgeMs ?? {});
      bus.watchConnection();
      return bus;
    } catch (err) {
      await nc.close().catch(() => undefined);
      throw err;
    }
  }

  async publish(subject: string, data: BusEnvelope): Promise<void> {
    assertDurableSubject(subject);
    assertEnvelope(subject, data);
    if (this.closing) throw new Error('the NATS bus is closed');
    await this.js.publish(this.toWire(subject), this.encode(data), { msgID: data.eventId });
  }

  publishLive(subject: string, data: unknown): void {
    assertLiveSubject(subject);
    if (this.closing || this.nc.isClosed()) return;
    try {
      this.nc.publish(this.toWire(subject), this.encode(data));
    } catch (err) {
      this.logger.warn({ err, subject }, 'live event not published');
    }
  }

  async consume<T>(options: DurableConsumerOptions<T>): Promise<Subscription> {
    const resolved = resolveConsumerOptions(options) as ResolvedConsumerOptions<unknown>;
    if (this.closing) throw new Error('the NATS bus is closed');

    const loops: PullLoop[] = [];
    // `concurrency` holds for the whole consume() call, even when it reads both streams.
    const slots = new WorkSlots(resolved.concurrency);
    for (const { stream, name, filters } of this.consumersFor(resolved)) {
      await this.jsm.consumers.add(stream, this.consumerConfig(name, filters, resolved)).catch((err: unknown) => {
        throw new Error(`cannot create durable consumer ${name} on ${stream}: ${describeError(err)}`, { cause: err });
      });
      loops.push(new PullLoop(this.js, stream, name, resolved, slots, this.ackWaitMs, this.acks, this.logger, (s) => this.fromWire(s)));
    }
    for (const loop of loops) {
      this.pullLoops.add(loop);
      loop.start();
    }
    return {
      close: async () => {
        await Promise.all(loops.map((loop) => loop.stop()));
        for (const loop of loops) this.pullLoops.delete(loop);
        this.acks.flush();
      },
    };
  }

  subscribeLive(pattern: string, handler: (subject: string, data: unknown) => void): Subscription {
    assertLivePattern(pattern);
    if (this.closing || this.nc.isClosed()) return { close: async () => undefined };
    const subscription = this.nc.subscribe(this.toWire(pattern), {
      callback: (err, msg) => {
        if (err) {
          this.logger.warn({ err, pattern }, 'live subscription error');
          return;
        }
        const subject = this.fromWire(msg.subject);
        try {
          handler(subject, msg.json());
        } catch (error) {
          this.logger.warn({ err: error, subject }, 'live subscriber threw');
        }
      },
    });
    return {
      close: async () => {
        if (subscription.isClosed() || this.nc.isClosed()) return;
        await subscription.drain().catch(() => subscription.unsubscribe());
      },
    };
  }

  async ping(): Promise<boolean> {
    if (this.closing || this.nc.isClosed()) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.nc.flush().then(() => true, () => false), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    await Promise.all([...this.pullLoops].map((loop) => loop.stop()));
    this.pullLoops.clear();
    this.acks.flush();
    if (this.nc.isClosed()) return;
    // Drain sends the acks still buffered and lets live callbacks finish, then disconnects.
    await this.nc.drain().catch((err: unknown) => this.logger.warn({ err }, 'NATS drain failed'));
  }

  private async ensureStreams(maxAgeMs: Partial<Record<DurableKind, number>>): Promise<void> {
    for (const kind of DURABLE_KINDS) {
      const name = natsStreamName(kind, this.namespace);
      const settings: Partial<StreamConfig> = {
        subjects: [this.toWire(`${kind}.>`)],
        max_age: nanos(maxAgeMs[kind] ?? DEFAULT_MAX_AGE_MS[kind]),
        duplicate_window: nanos(DUPLICATE_WINDOW_MS),
        discard: DiscardPolicy.Old,
      };
      try {
        await this.jsm.streams.add({ name, storage: StorageType.File, retention: RetentionPolicy.Limits, ...settings });
      } catch (err) {
        if ((err as { api_error?: { err_code?: number } }).api_error?.err_code !== STREAM_NAME_IN_USE) {
          throw new Error(`cannot create JetStream stream ${name}: ${describeError(err)}`, { cause: err });
        }
        await this.jsm.streams.update(name, settings).catch((error: unknown) => {
          throw new Error(`cannot update JetStream stream ${name}: ${describeError(error)}`, { cause: error });
        });
      }
    }
  }

  /**
   * One JetStream consumer per stream the filters touch. Servers before 2.10 take a single
   * filter per consumer, so there each filter gets its own consumer (`<durable>_<hash>`).
   */
  private consumersFor(options: ResolvedConsumerOptions<unknown>): Array<{ stream: string; name: string; filters: string[] }> {
    const specs: Array<{ stream: string; name: string; filters: string[] }> = [];
    for (const kind of DURABLE_KINDS) {
      const narrowed = options.subjects.map((p) => narrowPatternToKind(p, kind)).filter((p): p is string => p !== undefined);
      const filters = withoutCoveredPatterns(narrowed).map((p) => this.toWire(p));
      if (filters.length === 0) continue;
      const stream = natsStreamName(kind, this.namespace);
      if (filters.length === 1 || this.serverTakesSeveralFilters()) {
        specs.push({ stream, name: options.durableName, filters });
      } else {
        for (const filter of filters) {
          const hash = createHash('sha256').update(filter).digest('hex').slice(0, 10);
          specs.push({ stream, name: `${options.durableName}_${hash}`, filters: [filter] });
        }
      }
    }
    return specs;
  }

  private consumerConfig(name: string, filters: string[], options: ResolvedConsumerOptions<unknown>): ConsumerConfig {
    return {
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      replay_policy: ReplayPolicy.Instant,
      ack_wait: nanos(this.ackWaitMs),
      max_deliver: options.maxDeliver,
      // No consumer `backoff`: the server would then replace ack_wait with its first step, and
      // redeliver a message whose handler simply runs longer. Retries use nak(delay) instead.
      ...(filters.length === 1 ? { filter_subject: filters[0] } : { filter_subjects: filters }),
    };
  }

  private serverTakesSeveralFilters(): boolean {
    const [major = 0, minor = 0] = (this.nc.info?.version ?? '0.0.0').split('.').map(Number);
    return major > 2 || (major === 2 && minor >= 10);
  }

  private watchConnection(): void {
    void (async () => {
      for await (const status of this.nc.status()) {
        const context = { event: status.type, data: status.data };
        if (status.type === Events.Disconnect) this.logger.warn(context, 'NATS disconnected; reconnecting');
        else if (status.type === Events.Reconnect) this.logger.info?.(context, 'NATS reconnected');
        else if (status.type === Events.Error) this.logger.error(context, 'NATS connection error');
      }
    })().catch((err: unknown) => this.logger.warn({ err }, 'NATS status watch ended'));
  }

  private encode(data: unknown): Uint8Array {
    return this.encoder.encode(JSON.stringify(data) ?? 'null');
  }

  private toWire(subject: string): string {
    return this.prefix + subject;
  }

  private fromWire(subject: string): string {
    return subject.startsWith(this.prefix) ? subject.slice(this.prefix.length) : subject;
  }
}

/**
 * Acks of handled messages, sent together once per turn of the event loop. nats.js writes to
 * its socket once per microtask checkpoint, so handlers that finish in separate callbacks each
 * cost a socket write for their ack (a fifth of an api process's CPU on PostgreSQL + NATS,
 * ADR 0037); sent from one callback, a turn's acks leave in one write. An ack is late by at
 * most one turn, far inside `ackWait`; a crash before it is sent redelivers, as before.
 */
class AckBatch {
  private pending: JsMsg[] = [];

  add(message: JsMsg): void {
    this.pending.push(message);
    if (this.pending.length === 1) setImmediate(() => this.flush());
  }

  flush(): void {
    const messages = this.pending;
    this.pending = [];
    for (const message of messages) message.ack();
  }
}

/** Handler slots shared by the pull loops of one consume() call. */
class WorkSlots {
  private used = 0;
  private waiters: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  get full(): boolean {
    return this.used >= this.limit;
  }

  /** Resolves when a slot may be free (or when `wakeAll` is called); callers check again. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  take(): void {
    this.used++;
  }

  release(): void {
    this.used--;
    this.wakeAll();
  }

  wakeAll(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Pulls from one durable JetStream consumer and runs the handler in the shared slots. */
class PullLoop {
  private stopped = false;
  private messages: ConsumerMessages | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private wakePause: (() => void) | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly js: JetStreamClient,
    private readonly stream: string,
    private readonly consumerName: string,
    private readonly options: ResolvedConsumerOptions<unknown>,
    private readonly slots: WorkSlots,
    private readonly ackWaitMs: number,
    private readonly acks: AckBatch,
    private readonly logger: BusLogger,
    private readonly fromWire: (subject: string) => string,
  ) {}

  start(): void {
    this.running = this.run();
  }

  /** Stop pulling, hand back what was pulled but not started, wait for running handlers. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.messages?.stop();
    this.slots.wakeAll();
    this.wakePause?.();
    await this.running;
    await Promise.allSettled([...this.inFlight]);
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        const consumer = await this.js.consumers.get(this.stream, this.consumerName);
        // Pull no more than we can work on, and the prefetch: the rest stays on the server for
        // other members. The library asks for more once a quarter of that has arrived, so the
        // prefetch is what turns one pull request per message into one per batch.
        const messages = await consumer.consume({ max_messages: this.options.concurrency + this.options.prefetch });
        this.messages = messages;
        if (this.stopped) messages.stop();
        this.watch(messages);
        // The library sends its next pull request only when the loop asks for the next message,
        // so waiting here for a free slot keeps unstarted messages, past the prefetch, on the server.
        for await (const message of messages) {
          while (this.slots.full && !this.stopped) await this.slots.changed();
          if (this.stopped) {
            message.nak();
            continue;
          }
          failures = 0;
          this.slots.take();
          this.track(this.handle(message));
          while (this.slots.full && !this.stopped) await this.slots.changed();
        }
      } catch (err) {
        if (this.stopped) return;
        this.logger.error({ err, stream: this.stream, consumer: this.consumerName }, 'durable consumer loop failed; restarting');
      }
      if (!this.stopped) await this.pause(Math.min(30_000, 500 * 2 ** failures++));
    }
  }

  private async handle(message: JsMsg): Promise<void> {
    const attempt = message.info.deliveryCount;
    const subject = this.fromWire(message.subject);
    const context = { durableName: this.options.durableName, subject, attempt, streamSequence: message.seq };
    let data: unknown;
    try {
      data = message.json();
    } catch (err) {
      this.logger.error({ ...context, err }, 'dropping a durable message that is not JSON');
      message.term();
      return;
    }
    // Progress acks keep a long-running handler's message from going to another member.
    const keepAlive = setInterval(() => message.working(), Math.max(1_000, this.ackWaitMs / 3));
    let result;
    try {
      result = await runHandler(this.options.handler, { subject, data, attempt });
    } finally {
      clearInterval(keepAlive);
    }
    const decision = decideDelivery(result, attempt, this.options);
    const eventId = (data as { eventId?: unknown } | null)?.eventId;
    switch (decision.kind) {
      case 'ack':
        this.acks.add(message);
        return;
      case 'redeliver':
        if ('thrown' in result) {
          const error = describeError(result.thrown);
          this.logger.warn({ ...context, eventId, err: result.thrown, error }, 'durable handler threw; will redeliver');
        }
        message.nak(decision.delayMs);
        return;
      case 'drop':
        this.logger.warn({ ...context, eventId, reason: decision.reason }, 'durable handler dropped a message');
        message.term();
        return;
      case 'give-up':
        this.logger.error({ ...context, eventId, reason: decision.reason }, 'giving up on a message after its last delivery');
        message.term();
    }
  }

  private track(task: Promise<void>): void {
    const tracked: Promise<void> = task
      .catch((err: unknown) => this.logger.error({ err, consumer: this.consumerName }, 'durable delivery failed'))
      .finally(() => {
        this.inFlight.delete(tracked);
        this.slots.release();
      });
    this.inFlight.add(tracked);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wakePause?.(), ms);
      this.wakePause = () => {
        clearTimeout(timer);
        this.wakePause = undefined;
        resolve();
      };
    });
  }

  /** Log what the library reports about a consumer that went missing or stopped answering. */
  private watch(messages: ConsumerMessages): void {
    void (async () => {
      for await (const status of await messages.status()) {
        if (
          status.type === ConsumerEvents.HeartbeatsMissed ||
          status.type === ConsumerEvents.ConsumerNotFound ||
          status.type === ConsumerEvents.ConsumerDeleted ||
          status.type === ConsumerEvents.StreamNotFound
        ) {
          this.logger.warn({ event: status.type, data: status.data, consumer: this.consumerName }, 'durable consumer status');
        }
      }
    })().catch(() => undefined);
  }
}
