import { Inject, Injectable, Logger } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { type Clock, ObrolError } from '@obrol/contracts';
import { CLOCK } from '../clock/clock.token.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { databaseKindOf } from '../database/orm-config.js';
import { type Delivery, InboundOrchestrator } from './inbound.orchestrator.js';
import { WebhookRetryStore } from './webhook-retry.store.js';

interface Pending extends Delivery {
  resolve(): void;
  reject(error: unknown): void;
}

/** At most this many deliveries go into one transaction. */
const MAX_BATCH = 256;
/**
 * Transactions written at once on PostgreSQL: while one waits for the database, the next is
 * gathered and sent (ADR 0037). Messages, then conversations, are locked by id, account by
 * account, so two batches touching the same ones wait for each other rather than deadlock (a
 * deadlock PostgreSQL still finds fails a batch, applied again delivery by delivery). SQLite has
 * one writer: one at a time.
 */
const POSTGRES_WRITERS = 2;

/**
 * The webhook's path to storage. Deliveries that arrive in the same turn of the event loop
 * (or while the writers are busy) are applied together in one transaction (group commit); on
 * PostgreSQL two such transactions are written at once.
 * Statuses whose message is not known yet go to the retry store in that same transaction; a
 * delivery that cannot be applied at all (a conflict with another process, a bug) is stored as
 * it came and retried in the background, so the provider still gets its 200 and nothing is
 * lost. Only when even that write fails (the database is down) does the provider get a 5xx.
 *
 * Deliveries of statuses alone (a broadcast's receipts: three per message sent) wait behind
 * the others: a batch takes customers' messages and everything else first, and fills up with
 * receipts. A broadcast's flood of receipts then delays its receipts, not a customer's reply.
 * Nothing depends on the order between the two: statuses are of our own messages and move them
 * forward only.
 */
@Injectable()
export class InboundQueue {
  private readonly logger = new Logger('InboundQueue');
  /** Deliveries with customers' messages, or anything but statuses. */
  private readonly pending: Pending[] = [];
  /** Deliveries of statuses alone, taken after `pending`. */
  private readonly receipts: Pending[] = [];
  /** Batches being written. */
  private writing = 0;
  /** A turn of the event loop is gathering the next batch. */
  private gathering = false;
  private readonly writers: number;

  constructor(
    private readonly orm: MikroORM,
    private readonly orchestrator: InboundOrchestrator,
    private readonly retryStore: WebhookRetryStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CORE_OPTIONS) options: CoreOptions,
  ) {
    this.writers = databaseKindOf(options.database.url) === 'postgresql' ? POSTGRES_WRITERS : 1;
  }

  /** Resolves once the delivery is applied, or durably stored for a retry. */
  enqueue(delivery: Delivery): Promise<void> {
    if (delivery.events.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const receiptsOnly = delivery.events.every((e) => e.kind === 'status');
      (receiptsOnly ? this.receipts : this.pending).push({ ...delivery, resolve, reject });
      this.gather();
    });
  }

  /** Starts a batch at the end of this turn of the event loop, when a writer is free. */
  private gather(): void {
    if (this.gathering || this.writing >= this.writers || this.pending.length + this.receipts.length === 0) return;
    this.gathering = true;
    setImmediate(() => {
      this.gathering = false;
      while (this.writing < this.writers && this.pending.length + this.receipts.length > 0) {
        const batch = this.pending.splice(0, MAX_BATCH);
        if (batch.length < MAX_BATCH) batch.push(...this.receipts.splice(0, MAX_BATCH - batch.length));
        this.writing++;
        void this.write(batch).finally(() => {
          this.writing--;
          this.gather();
        });
      }
    });
  }

  /** Applies deliveries in one transaction; what it needs from elsewhere is resolved before. */
  private async applyNow(deliveries: Delivery[]): Promise<void> {
    const prepared = await this.orchestrator.prepare(deliveries);
    const now = this.clock.now();
    await this.orm.em.fork().transactional(async (em) => {
      const unmatched = await this.orchestrator.apply(em, prepared, now);
      for (const [delivery, statuses] of unmatched) this.retryStore.keepUnmatched(em, delivery.resolved.account.id, statuses, now);
    });
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      await this.applyNow(batch);
      batch.forEach((d) => d.resolve());
    } catch {
      // Find the deliveries that fail; the others still go through.
      for (const delivery of batch) await this.applyAlone(delivery);
    }
  }

  private async applyAlone(delivery: Pending): Promise<void> {
    try {
      await this.applyNow([delivery]);
      delivery.resolve();
      return;
    } catch (error) {
      try {
        await this.retryStore.storeForRetry(delivery.resolved.account.id, delivery.events, error);
        if (!(error instanceof ObrolError && error.code === 'NOT_READY')) this.logger.warn(`webhook delivery kept for a retry: ${(error as Error).message}`);
        delivery.resolve();
      } catch (storeError) {
        delivery.reject(storeError);
      }
    }
  }
}
