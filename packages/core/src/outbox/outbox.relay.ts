import { Inject, Injectable, Logger } from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import Queue from 'yocto-queue';
import { EVENT_BUS, type EventBus } from '../bus/event-bus.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { HandWrittenSql } from '../database/hand-written-sql.js';
import { databaseKindOf } from '../database/orm-config.js';
import { BackgroundLoop } from '../work/background-loop.js';
import { Every } from '../work/declared-work.js';
import { OutboxEvent } from './outbox-event.entity.js';
import type { OutboxRow } from './outbox.js';
import { publishInWindow } from './publish-window.js';

const BATCH = 200;
const HOUR = 60 * 60 * 1000;
/** Durable publishes awaiting the bus's acknowledgement at once. */
const PUBLISH_WINDOW = 64;
/** Committed rows kept in memory for publishing; beyond this (the bus is down) the poll reads them back instead. */
const MAX_HANDED = 10_000;
/**
 * How long published rows wait to be marked, so the passes of a busy stretch share one
 * `update` (ADR 0039). A crash within it republishes them: the bus dedupes by event id.
 */
const MARK_DELAY_MS = 25;
/** Marked at once, without waiting for the delay. */
const MARK_BATCH = 1_000;

/** What the relay needs of an outbox row to publish it, read back or still in memory. */
interface RelayedRow {
  id: string;
  subject: string | null;
  payload: unknown;
  live: unknown;
}

/**
 * Publishes outbox rows to the bus after their transaction committed. The commit itself wakes
 * it (`OutboxCommitSubscriber`); a slow poll picks up anything left (a crash between commit and
 * publish, or rows another process wrote). Several processes may relay at once: on PostgreSQL
 * rows are claimed with `FOR UPDATE SKIP LOCKED`, and the bus dedupes by event id anyway.
 *
 * Rows this process just committed are handed over in memory (`committed`) and published
 * without reading them back (ADR 0025). Published rows are marked later, several passes in one
 * `update`, and on PostgreSQL without waiting for the disk (ADR 0039): a lost mark only means
 * a row published again, which the bus stores once (deduplicated by event id). A row both
 * handed over and read by a poll that raced the commit is published twice the same way.
 */
@Injectable()
export class OutboxRelay {
  private readonly logger = new Logger('OutboxRelay');
  private readonly loop = new BackgroundLoop('outbox relay', () => this.pass(), BATCH, this.logger);
  private readonly sql: HandWrittenSql;
  /** Rows handed over and not published yet, oldest first. */
  private readonly handed = new Queue<RelayedRow>();
  /** Ids of rows published from memory and not marked yet. */
  private unmarked: string[] = [];
  private markTimer: NodeJS.Timeout | undefined;
  /** The marks in progress, one after the other. */
  private marking: Promise<void> = Promise.resolve();

  constructor(
    private readonly orm: MikroORM,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(CORE_OPTIONS) options: CoreOptions,
  ) {
    this.sql = new HandWrittenSql(databaseKindOf(options.database.url));
  }

  /** Relay soon; coalesces calls made while a pass is running. */
  wake(): void {
    this.loop.kick();
  }

  /** Rows whose transaction just committed: published from memory in the next pass. */
  committed(rows: readonly OutboxRow[]): void {
    if (this.handed.size + rows.length <= MAX_HANDED) for (const row of rows) this.handed.enqueue(row);
    this.loop.kick();
  }

  /** The poll for rows nobody woke it for (every role relays). */
  @Every({ name: 'outbox relay', intervalMs: 1000, roles: ['api', 'worker'] })
  async poll(): Promise<void> {
    this.loop.kick();
  }

  /** Relay everything pending now and wait for it (shutdown, after the work stopped). */
  async drain(): Promise<void> {
    await this.loop.stop();
    while ((await this.pass()) > 0);
    await this.markNow();
  }

  /** One batch, handed-over rows first; returns how many rows it published. */
  private async pass(): Promise<number> {
    return this.handed.size > 0 ? this.publishHanded() : this.publishStored();
  }

  /**
   * The next batch of handed-over rows. A status flood queues thousands while a batch is being
   * marked; `splice(0, n)` on an array moved all of them per batch (3 % of a broadcast's CPU in
   * a profile), so they wait in a queue.
   */
  private takeHanded(): RelayedRow[] {
    const rows: RelayedRow[] = [];
    while (rows.length < BATCH && this.handed.size > 0) rows.push(this.handed.dequeue()!);
    return rows;
  }

  /**
   * Rows committed by this process, from memory: published, then left to be marked with the
   * next passes' rows. A failed publish leaves them unmarked, and the poll publishes them again.
   */
  private async publishHanded(): Promise<number> {
    const rows = this.takeHanded();
    await publishInWindow(rows, PUBLISH_WINDOW, (row) => this.publishRow(row));
    for (const row of rows) this.unmarked.push(row.id);
    if (this.unmarked.length >= MARK_BATCH) void this.markNow();
    else this.markTimer ??= setTimeout(() => void this.markNow(), MARK_DELAY_MS).unref();
    return rows.length;
  }

  /**
   * Marks every row published from memory so far, after the marks already running; a failed
   * mark is logged and its rows left to the poll.
   */
  private markNow(): Promise<void> {
    clearTimeout(this.markTimer);
    this.markTimer = undefined;
    const ids = this.unmarked;
    this.unmarked = [];
    if (ids.length > 0) {
      this.marking = this.marking.then(() =>
        this.markPublished(ids, { onlyUnmarked: true }).catch((error: Error) => this.logger.warn(`marking ${ids.length} published outbox rows failed, the poll publishes them again: ${error.message}`)),
      );
    }
    return this.marking;
  }

  /**
   * One `update`, in `tx` or on its own. On PostgreSQL its commit does not wait for the disk
   * (`synchronous_commit` off for that transaction alone; a commit waited about 1.5 ms for it
   * here): losing it in a crash only republishes the rows. The setting rides in the statement
   * (`set_config(…, true)`, evaluated once), so a mark on its own is one round trip, committed
   * by itself, instead of four (begin, `set local`, the update, commit; ADR 0052).
   * `onlyUnmarked`: a poll may have marked them already.
   */
  private async markPublished(ids: readonly string[], { onlyUnmarked }: { onlyUnmarked: boolean }, tx?: EntityManager): Promise<void> {
    const { sql } = this;
    const asyncCommit = sql.kind === 'postgresql' ? " from (select set_config('synchronous_commit', 'off', true)) as async_commit" : '';
    const idIn = sql.inList('id', ids, 'text');
    await sql.run(tx ?? this.orm.em.fork(), `update outbox_events set published_at = ?, attempts = attempts + 1${asyncCommit} where ${onlyUnmarked ? 'published_at is null and ' : ''}${idIn.sql}`, [
      sql.date(new Date()),
      ...idIn.params,
    ]);
  }

  /**
   * Rows nobody handed over (another process, a crash, a full hand-over queue), read and marked
   * with two plain statements (no unit of work: a status flood makes thousands of rows a
   * second); a failed publish rolls the batch back, so nothing is marked and the next pass
   * publishes it again.
   */
  private async publishStored(): Promise<number> {
    // Rows published from memory and not marked yet would be read and published again.
    await this.markNow();
    const em = this.orm.em.fork();
    const { sql } = this;
    return em.transactional(async (tx) => {
      // SQLite has one writer and no row locks; PostgreSQL lets relays in several processes share rows.
      const lock = sql.kind === 'postgresql' ? ' for update skip locked' : '';
      const rows = await sql.all<RelayedRow>(tx, `select id, subject, payload, live from outbox_events where published_at is null order by id limit ${BATCH}${lock}`, []);
      if (rows.length === 0) return 0;
      await publishInWindow(rows, PUBLISH_WINDOW, (row) => this.publishRow(row));
      await this.markPublished(
        rows.map((r) => r.id),
        { onlyUnmarked: false },
        tx,
      );
      return rows.length;
    });
  }

  private async publishRow(row: RelayedRow): Promise<void> {
    const { sql } = this;
    if (row.subject) await this.bus.publish(row.subject, sql.readJson<{ eventId: string }>(row.payload));
    // A live push follows its durable fact, never overtakes it.
    const live = row.live === null || row.live === undefined ? null : sql.readJson<{ subject: string; data: unknown }>(row.live);
    if (live) this.bus.publishLive(live.subject, live.data);
  }

  /** Deletes rows published more than a day ago. */
  @Every({ name: 'outbox pruning', intervalMs: HOUR })
  async prune(): Promise<number> {
    return this.orm.em.fork().nativeDelete(OutboxEvent, { publishedAt: { $lt: new Date(Date.now() - 24 * HOUR) } });
  }
}
