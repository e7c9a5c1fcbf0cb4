import { systemClock, type Clock } from '@obrol/contracts';
import Queue from 'yocto-queue';
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
import { compileSubjectPattern } from './subject-pattern.js';

export interface InProcessBusOptions {
  logger?: BusLogger;
  /** Time for the duplicate window. */
  clock?: Clock;
  /** Durable messages kept for consumers that have not handled them yet, oldest dropped first (default 10 000). */
  retainMessages?: number;
  /** A repeated `eventId` within this window is stored once (default 2 minutes, like JetStream's). */
  duplicateWindowMs?: number;
  /**
   * At most this many ids are remembered for the duplicate window (default 20 000). In one
   * process a duplicate is an outbox row published again by the relay's next pass, a second
   * or two later (a mark that failed, a poll that raced a commit); 20 000 ids cover 5 s of a
   * broadcast's 4,000 events/s. Each id costs about 120 bytes of heap; 100 000 held 14 MB.
   */
  maxDuplicateIds?: number;
}

interface StoredMessage {
  seq: number;
  subject: string;
  eventId: string;
  /** Each delivery parses its own copy, so handlers cannot change what others see. */
  json: string;
}

interface Delivery {
  message: StoredMessage;
  attempt: number;
}

/** One `consume()` call: a member of its durable group. */
interface Member {
  options: ResolvedConsumerOptions<unknown>;
  inFlight: Set<Promise<void>>;
  closed: boolean;
}

/** The state JetStream keeps per durable consumer: its filters, position and redeliveries. */
interface DurableGroup {
  name: string;
  matches: (subject: string) => boolean;
  policy: { maxDeliver: number; backoffMs: readonly number[] };
  /** Next stream sequence to look at. */
  cursor: number;
  /** Redeliveries whose delay has passed, oldest first. */
  due: Delivery[];
  members: Member[];
  nextMember: number;
  warnedBehind: boolean;
}

interface LiveSubscriber {
  matches: (subject: string) => boolean;
  handler: (subject: string, data: unknown) => void;
  closed: boolean;
}

/**
 * The event bus of the single-node shape: the same contract as NATS/JetStream, in memory.
 *
 * Durable messages are kept (up to `retainMessages`) and every durable group, old or new,
 * reads them from the start like a JetStream consumer with `DeliverPolicy.All`; each message
 * goes to one member of a group, is redelivered after a backoff when the handler retries or
 * throws, and is given up (with a log line) after `maxDeliver` deliveries. Nothing survives a
 * restart: the outbox is what makes single-node publishing durable.
 */
export class InProcessBus implements EventBus {
  private readonly logger: BusLogger;
  private readonly clock: Clock;
  private readonly retainMessages: number;
  private readonly duplicateWindowMs: number;
  private readonly maxDuplicateIds: number;

  private readonly stream = new Map<number, StoredMessage>();
  private firstSeq = 1;
  private lastSeq = 0;
  /** eventId → when it was stored (ms). */
  private readonly recentIds = new Map<string, number>();
  /**
   * The same ids oldest first. A Map alone makes a poor queue: V8 leaves a deleted entry's slot
   * in place until the table is rebuilt, and iterating from the start walks over every one of
   * them (about 24 µs a publish at 20,000 ids, against 1.4 µs).
   */
  private readonly recentOrder = new Queue<string>();
  private readonly groups = new Map<string, DurableGroup>();
  private readonly liveSubscribers = new Set<LiveSubscriber>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closing: Promise<void> | undefined;

  constructor(options: InProcessBusOptions = {}) {
    this.logger = options.logger ?? silentBusLogger;
    this.clock = options.clock ?? systemClock;
    this.retainMessages = options.retainMessages ?? 10_000;
    this.duplicateWindowMs = options.duplicateWindowMs ?? 120_000;
    this.maxDuplicateIds = options.maxDuplicateIds ?? 20_000;
  }

  async publish(subject: string, data: BusEnvelope): Promise<void> {
    assertDurableSubject(subject);
    assertEnvelope(subject, data);
    if (this.closing) throw new Error('the in-process bus is closed');
    if (this.isDuplicate(data.eventId)) return;

    const seq = ++this.lastSeq;
    this.stream.set(seq, { seq, subject, eventId: data.eventId, json: JSON.stringify(data) });
    this.trimStream();
    for (const group of this.groups.values()) this.pump(group);
  }

  publishLive(subject: string, data: unknown): void {
    assertLiveSubject(subject);
    if (this.closing) return;
    const json = JSON.stringify(data) ?? 'null';
    for (const subscriber of this.liveSubscribers) {
      if (!subscriber.matches(subject)) continue;
      queueMicrotask(() => {
        if (subscriber.closed) return;
        try {
          subscriber.handler(subject, JSON.parse(json));
        } catch (err) {
          this.logger.warn({ err, subject }, 'live subscriber threw');
        }
      });
    }
  }

  async consume<T>(options: DurableConsumerOptions<T>): Promise<Subscription> {
    const resolved = resolveConsumerOptions(options) as ResolvedConsumerOptions<unknown>;
    if (this.closing) throw new Error('the in-process bus is closed');

    const group = this.groupFor(resolved);
    const member: Member = { options: resolved, inFlight: new Set(), closed: false };
    group.members.push(member);
    this.pump(group);

    return {
      close: async () => {
        if (!member.closed) {
          member.closed = true;
          group.members = group.members.filter((m) => m !== member);
        }
        await Promise.allSettled([...member.inFlight]);
      },
    };
  }

  subscribeLive(pattern: string, handler: (subject: string, data: unknown) => void): Subscription {
    assertLivePattern(pattern);
    const subscriber: LiveSubscriber = { matches: compileSubjectPattern(pattern), handler, closed: false };
    if (!this.closing) this.liveSubscribers.add(subscriber);
    return {
      close: async () => {
        subscriber.closed = true;
        this.liveSubscribers.delete(subscriber);
      },
    };
  }

  async ping(): Promise<boolean> {
    return !this.closing;
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const subscriber of this.liveSubscribers) subscriber.closed = true;
    this.liveSubscribers.clear();
    for (const group of this.groups.values()) {
      for (const member of group.members) member.closed = true;
      group.members = [];
    }
    // Handlers that finish now cannot schedule redeliveries: `closing` is set.
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** JetStream's duplicate window: remember ids for a while, bounded in count. */
  private isDuplicate(eventId: string): boolean {
    const now = this.clock.now().getTime();
    let oldest: string | undefined;
    while ((oldest = this.recentOrder.peek()) !== undefined && this.recentIds.get(oldest)! <= now - this.duplicateWindowMs) this.forgetOldestId();
    if (this.recentIds.has(eventId)) return true;
    this.recentIds.set(eventId, now);
    this.recentOrder.enqueue(eventId);
    // Past the bound, the oldest goes.
    if (this.recentIds.size > this.maxDuplicateIds) this.forgetOldestId();
    return false;
  }

  private forgetOldestId(): void {
    this.recentIds.delete(this.recentOrder.dequeue()!);
  }

  private trimStream(): void {
    while (this.stream.size > this.retainMessages) {
      const dropped = this.firstSeq++;
      const message = this.stream.get(dropped);
      this.stream.delete(dropped);
      if (!message) continue;
      for (const group of this.groups.values()) {
        if (group.cursor > dropped || group.warnedBehind || !group.matches(message.subject)) continue;
        group.warnedBehind = true;
        this.logger.warn(
          { durableName: group.name, retainMessages: this.retainMessages },
          'durable consumer fell behind the in-process retention; its oldest messages are lost',
        );
      }
    }
  }

  private groupFor(options: ResolvedConsumerOptions<unknown>): DurableGroup {
    const matchers = options.subjects.map(compileSubjectPattern);
    const matches = (subject: string) => matchers.some((m) => m(subject));
    const policy = { maxDeliver: options.maxDeliver, backoffMs: options.backoffMs };
    const existing = this.groups.get(options.durableName);
    if (existing) {
      // Like adding a JetStream consumer again: the latest configuration wins.
      existing.matches = matches;
      existing.policy = policy;
      return existing;
    }
    const group: DurableGroup = {
      name: options.durableName,
      matches,
      policy,
      cursor: this.firstSeq,
      due: [],
      members: [],
      nextMember: 0,
      warnedBehind: false,
    };
    this.groups.set(group.name, group);
    return group;
  }

  /** Hand out work while some member of the group has a free slot and there is work. */
  private pump(group: DurableGroup): void {
    while (!this.closing) {
      const member = this.freeMember(group);
      if (!member) return;
      const delivery = this.nextDelivery(group);
      if (!delivery) return;
      this.deliver(group, member, delivery);
    }
  }

  /** Round-robin over the members with a free slot. */
  private freeMember(group: DurableGroup): Member | undefined {
    const { members } = group;
    for (let i = 0; i < members.length; i++) {
      const index = (group.nextMember + i) % members.length;
      const member = members[index];
      if (!member.closed && member.inFlight.size < member.options.concurrency) {
        group.nextMember = (index + 1) % members.length;
        return member;
      }
    }
    return undefined;
  }

  private nextDelivery(group: DurableGroup): Delivery | undefined {
    const redelivery = group.due.shift();
    if (redelivery) return redelivery;
    group.cursor = Math.max(group.cursor, this.firstSeq);
    while (group.cursor <= this.lastSeq) {
      const message = this.stream.get(group.cursor++);
      if (message && group.matches(message.subject)) return { message, attempt: 1 };
    }
    group.warnedBehind = false;
    return undefined;
  }

  private deliver(group: DurableGroup, member: Member, { message, attempt }: Delivery): void {
    const run = async () => {
      // Never run a handler inside the publisher's call stack.
      await Promise.resolve();
      const data: unknown = JSON.parse(message.json);
      const result = await runHandler(member.options.handler, { subject: message.subject, data, attempt });
      const decision = decideDelivery(result, attempt, group.policy);
      const context = { durableName: group.name, subject: message.subject, eventId: message.eventId, attempt };
      switch (decision.kind) {
        case 'ack':
          return;
        case 'drop':
          this.logger.warn({ ...context, reason: decision.reason }, 'durable handler dropped a message');
          return;
        case 'give-up':
          this.logger.error({ ...context, reason: decision.reason }, 'giving up on a message after its last delivery');
          return;
        case 'redeliver':
          if ('thrown' in result) {
            const error = describeError(result.thrown);
            this.logger.warn({ ...context, err: result.thrown, error }, 'durable handler threw; will redeliver');
          }
          this.redeliverLater(group, { message, attempt: attempt + 1 }, decision.delayMs);
      }
    };
    const task: Promise<void> = run()
      .catch((err: unknown) => this.logger.error({ err, durableName: group.name }, 'in-process delivery failed'))
      .finally(() => {
        member.inFlight.delete(task);
        this.inFlight.delete(task);
        this.pump(group);
      });
    member.inFlight.add(task);
    this.inFlight.add(task);
  }

  private redeliverLater(group: DurableGroup, delivery: Delivery, delayMs: number): void {
    if (this.closing) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      group.due.push(delivery);
      this.pump(group);
    }, delayMs);
    this.timers.add(timer);
  }
}
