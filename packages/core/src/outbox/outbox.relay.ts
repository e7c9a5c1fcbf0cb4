import { Inject, Injectable, Logger } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
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
 * without reading them back: one `update` marks them, with no transaction of its own (ADR 0025).
 * A row both handed over and read by a poll that raced the commit is published twice and
 * stored once by the bus (deduplicated by event id).
 */
@Injectable()
export class OutboxRelay {
  private readonly logger = new Logger('OutboxRelay');
  private readonly loop = new BackgroundLoop('outbox relay', () => this.pass(), BATCH, this.logger);
  private readonly sql: HandWrittenSql;
  /** Rows handed over and not published yet: `handed` from `handedHead` on (a queue, not shifted per batch). */
  private handed: RelayedRow[] = [];
  private handedHead = 0;

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
    if (this.handedCount() + rows.length <= MAX_HANDED) this.handed.push(...rows);
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
  }

  /** One batch, handed-over rows first; returns how many rows it published. */
  private async pass(): Promise<number> {
    return this.handedCount() > 0 ? this.publishHanded() : this.publishStored();
  }

  private handedCount(): number {
    return this.handed.length - this.handedHead;
  }

  /**
   * The next batch of handed-over rows. A status flood queues thousands while a batch is being
   * marked; `splice(0, n)` moved all of them per batch (3 % of a broadcast's CPU in a profile),
   * so the queue advances a head and drops the published part once it is the larger half.
   */
  private takeHanded(): RelayedRow[] {
    const rows = this.handed.slice(this.handedHead, this.handedHead + BATCH);
    this.handedHead += rows.length;
    if (this.handedHead === this.handed.length) {
      this.handed = [];
      this.handedHead = 0;
    } else if (this.handedHead * 2 > this.handed.length) {
      this.handed = this.handed.slice(this.handedHead);
      this.handedHead = 0;
    }
    return rows;
  }

  /**
   * Rows committed by this process, from memory: published, then marked with one plain
   * `update` (`published_at is null`: a poll may have marked them already). A failed publish
   * leaves them unmarked, and the poll publishes them again.
   */
  private async publishHanded(): Promise<number> {
    const rows = this.takeHanded();
    await publishInWindow(rows, PUBLISH_WINDOW, (row) => this.publishRow(row));
    const { sql } = this;
    await sql.run(this.orm.em.fork(), `update outbox_events set published_at = ?, attempts = attempts + 1 where published_at is null and id in (${rows.map(() => '?').join(', ')})`, [
      sql.date(new Date()),
      ...rows.map((r) => r.id),
    ]);
    return rows.length;
  }

  /**
   * Rows nobody handed over (another process, a crash, a full hand-over queue), read and marked
   * with two plain statements (no unit of work: a status flood makes thousands of rows a
   * second); a failed publish rolls the batch back, so nothing is marked and the next pass
   * publishes it again.
   */
  private async publishStored(): Promise<number> {
    const em = this.orm.em.fork();
    const { sql } = this;
    return em.transactional(async (tx) => {
      // SQLite has one writer and no row locks; PostgreSQL lets relays in several processes share rows.
      const lock = sql.kind === 'postgresql' ? ' for update skip locked' : '';
      const rows = await sql.all<RelayedRow>(tx, `select id, subject, payload, live from outbox_events where published_at is null order by id limit ${BATCH}${lock}`, []);
      if (rows.length === 0) return 0;
      await publishInWindow(rows, PUBLISH_WINDOW, (row) => this.publishRow(row));
      await sql.run(tx, `update outbox_events set published_at = ?, attempts = attempts + 1 where id in (${rows.map(() => '?').join(', ')})`, [
        sql.date(new Date()),
        ...rows.map((r) => r.id),
      ]);
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
