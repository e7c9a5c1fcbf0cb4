import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { type EntityManager, LockMode, MikroORM } from '@mikro-orm/core';
import { type ChannelEvent, type Clock, ObrolError, type StatusEvent } from '@obrol/contracts';
import { ChannelsService } from '../channels/channels.service.js';
import { CLOCK } from '../clock/clock.token.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { newId } from '../database/base.entity.js';
import { databaseKindOf } from '../database/orm-config.js';
import { BackgroundLoop } from '../work/background-loop.js';
import { Every } from '../work/declared-work.js';
import { InboundWebhook } from './inbound-webhook.entity.js';
import { InboundOrchestrator, type PreparedDelivery, type UnmatchedStatuses } from './inbound.orchestrator.js';

/** At most this many stored deliveries are processed in one transaction. */
const MAX_BATCH = 256;
/** A delivery that keeps failing is set aside after this many attempts. */
const MAX_ATTEMPTS = 10;
const RETRY_DELAYS_MS = [1_000, 2_000, 5_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000];
/** A status for a message we do not know yet is probably racing our own send: wait this long for it. */
export const UNKNOWN_STATUS_GRACE_MS = 2 * 60 * 1000;
const DAY = 24 * 60 * 60 * 1000;

/** Stored events carry ISO timestamps; turn them back into Dates. */
function reviveEvents(events: ChannelEvent[]): ChannelEvent[] {
  return events.map((e) => ({ ...e, timestamp: new Date(e.timestamp) }) as ChannelEvent);
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 2000);
const delayAfter = (attempts: number) => RETRY_DELAYS_MS[Math.min(attempts - 1, RETRY_DELAYS_MS.length - 1)]!;

/**
 * The retry store (`inbound_webhooks`): deliveries, or the statuses of a delivery, that could
 * not be applied at once, retried in the background with backoff. A pass resolves everything
 * it needs before it opens its transaction, and applies only through that transaction, so it
 * never holds SQLite's one connection while waiting for another. A status whose message does
 * not arrive within `UNKNOWN_STATUS_GRACE_MS` is kept as `unmatched`, not dropped.
 */
@Injectable()
export class WebhookRetryStore implements BeforeApplicationShutdown {
  private readonly logger = new Logger('WebhookRetryStore');
  private readonly lock: { lockMode?: LockMode.PESSIMISTIC_PARTIAL_WRITE };
  private readonly loop = new BackgroundLoop('retrying stored webhook deliveries', () => this.pass(), MAX_BATCH, this.logger);

  constructor(
    private readonly orm: MikroORM,
    private readonly channels: ChannelsService,
    private readonly orchestrator: InboundOrchestrator,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CORE_OPTIONS) options: CoreOptions,
  ) {
    // Several processes share the work on PostgreSQL; SQLite has one writer and no row locks.
    this.lock = databaseKindOf(options.database.url) === 'sqlite' ? {} : { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE };
  }

  /** The poll for due deliveries (left by a crash, another process, or waiting for a retry). */
  @Every({ name: 'stored webhook retries', intervalMs: 1000, roles: ['api', 'worker'] })
  async poll(): Promise<void> {
    this.loop.kick();
  }

  /** Waits for the pass in progress (after the declared work stopped; the database closes later). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Keeps statuses whose message is unknown, in the caller's transaction (with the rest of their delivery). */
  keepUnmatched(em: EntityManager, channelAccountId: string, events: StatusEvent[], now: Date): void {
    const row = em.create(InboundWebhook, { id: newId(), channelAccountId, events, receivedAt: new Date() });
    this.waitForMessages(row, events, now);
  }

  /** Keeps a whole delivery that could not be applied now, to retry it in the background. */
  async storeForRetry(channelAccountId: string, events: ChannelEvent[], error: unknown): Promise<void> {
    const now = new Date();
    await this.orm.em.fork().insert(InboundWebhook, {
      id: newId(),
      channelAccountId,
      events,
      state: 'pending',
      receivedAt: now,
      attempts: 1,
      nextAttemptAt: new Date(now.getTime() + RETRY_DELAYS_MS[0]!),
      lastError: reasonOf(error),
    });
  }

  /** Deletes applied deliveries after a day; unmatched and set-aside ones stay 30 days. */
  @Every({ name: 'stored webhook pruning', intervalMs: 60 * 60 * 1000 })
  async prune(): Promise<number> {
    const em = this.orm.em.fork();
    const now = Date.now();
    return (
      (await em.nativeDelete(InboundWebhook, { state: 'applied', processedAt: { $lt: new Date(now - DAY) } })) +
      (await em.nativeDelete(InboundWebhook, { state: { $in: ['unmatched', 'set_aside'] }, processedAt: { $lt: new Date(now - 30 * DAY) } }))
    );
  }

  /**
   * One batch: reads which deliveries are due, resolves their accounts and tenants (no
   * transaction open), then claims and applies them in one transaction. When the batch fails,
   * each delivery is tried on its own so one bad delivery cannot hold up the others.
   */
  private async pass(): Promise<number> {
    // Retry scheduling is bookkeeping, on the wall clock; `now` (the injected clock) is domain time.
    const due = { state: 'pending' as const, $or: [{ nextAttemptAt: null }, { nextAttemptAt: { $lte: new Date() } }] };
    const candidates = await this.orm.em.fork().find(InboundWebhook, due, { orderBy: { id: 'asc' }, limit: MAX_BATCH });
    if (candidates.length === 0) return 0;
    const accounts = await this.resolveAccounts(candidates.map((c) => c.channelAccountId));
    const ids = candidates.map((c) => c.id);
    try {
      await this.orm.em.fork().transactional((em) => this.applyRows(em, { id: { $in: ids }, ...due }, accounts));
    } catch (error) {
      if (ids.length === 1) {
        await this.recordFailure(ids[0]!, error);
        return 1;
      }
      for (const id of ids) {
        try {
          await this.orm.em.fork().transactional((em) => this.applyRows(em, { id, ...due }, accounts));
        } catch (rowError) {
          await this.recordFailure(id, rowError);
        }
      }
    }
    return candidates.length;
  }

  /** Each account (with its tenant) once, before any transaction; null for one that no longer exists. */
  private async resolveAccounts(ids: string[]): Promise<Map<string, Omit<PreparedDelivery, 'events'> | null>> {
    const out = new Map<string, Omit<PreparedDelivery, 'events'> | null>();
    for (const id of new Set(ids)) {
      try {
        const [prepared] = await this.orchestrator.prepare([{ resolved: await this.channels.resolve(id), events: [] }]);
        out.set(id, prepared!);
      } catch (error) {
        if (!(error instanceof ObrolError && error.code === 'NOT_FOUND')) throw error;
        out.set(id, null);
      }
    }
    return out;
  }

  /** Claims the rows and applies them through `em` only (nothing else may wait for a connection here). */
  private async applyRows(em: EntityManager, where: object, accounts: Map<string, Omit<PreparedDelivery, 'events'> | null>): Promise<void> {
    const rows = await em.find(InboundWebhook, where, { orderBy: { id: 'asc' }, ...this.lock });
    const now = this.clock.now();
    const rowOf = new Map<PreparedDelivery, InboundWebhook>();
    for (const row of rows) {
      row.attempts += 1;
      const account = accounts.get(row.channelAccountId);
      if (account) rowOf.set({ ...account, events: reviveEvents(row.events) }, row);
      else this.settle(row, 'set_aside', 'the channel account no longer exists');
    }
    const unmatched: UnmatchedStatuses = await this.orchestrator.apply(em, [...rowOf.keys()], now);
    for (const [delivery, row] of rowOf) {
      const missing = unmatched.get(delivery);
      if (!missing) {
        this.settle(row, 'applied', null);
        continue;
      }
      row.events = missing;
      this.waitForMessages(row, missing, now);
    }
  }

  /** Statuses still waiting for their message: retry while it may still come, then keep them as unmatched. */
  private waitForMessages(row: InboundWebhook, events: StatusEvent[], now: Date): void {
    const ids = [...new Set(events.map((e) => e.externalId))].join(', ').slice(0, 1000);
    if (events.every((e) => now.getTime() - e.timestamp.getTime() >= UNKNOWN_STATUS_GRACE_MS)) {
      this.settle(row, 'unmatched', `no message with external id ${ids} is known ${UNKNOWN_STATUS_GRACE_MS / 60_000} minutes after its status; the status was not applied`);
      return;
    }
    row.state = 'pending';
    row.nextAttemptAt = new Date(Date.now() + delayAfter(Math.max(row.attempts, 1)));
    row.lastError = `waiting for the message with external id ${ids} (a status can arrive before our send is recorded)`;
  }

  private settle(row: InboundWebhook, state: 'applied' | 'unmatched' | 'set_aside', reason: string | null): void {
    row.state = state;
    row.processedAt = new Date();
    row.nextAttemptAt = null;
    if (reason !== null || state === 'applied') row.lastError = reason;
    if (state === 'unmatched') this.logger.warn(`webhook delivery ${row.id} kept as unmatched: ${reason}`);
    if (state === 'set_aside') this.logger.error(`webhook delivery ${row.id} set aside: ${reason}`);
  }

  /** Backs off a delivery that failed; after MAX_ATTEMPTS it is set aside with its error. */
  private async recordFailure(id: string, error: unknown): Promise<void> {
    const em = this.orm.em.fork();
    const row = await em.findOne(InboundWebhook, { id, state: 'pending' });
    if (!row) return;
    row.attempts += 1;
    row.lastError = reasonOf(error);
    if (row.attempts >= MAX_ATTEMPTS) this.settle(row, 'set_aside', `failed ${row.attempts} times: ${row.lastError}`);
    else {
      row.nextAttemptAt = new Date(Date.now() + delayAfter(row.attempts));
      if (!(error instanceof ObrolError && error.code === 'NOT_READY')) this.logger.warn(`webhook delivery ${row.id} failed (attempt ${row.attempts}), retrying: ${row.lastError}`);
    }
    await em.flush();
  }
}
