import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/core';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { HandWrittenSql, chunksOf } from '../database/hand-written-sql.js';
import { databaseKindOf } from '../database/orm-config.js';
import type { OutboxRow } from './outbox.js';
import { OutboxCommitSubscriber } from './outbox-commit.subscriber.js';

/**
 * Inserts outbox rows (made with `outboxRow`) in bulk, without the unit of work: one multi-row
 * insert per few hundred rows, in the caller's transaction. The commit then wakes the relay and
 * emits the facts in-process exactly as for rows recorded with `recordEvent`.
 */
@Injectable()
export class OutboxWriter {
  private readonly sql: HandWrittenSql;

  constructor(
    private readonly commits: OutboxCommitSubscriber,
    @Inject(CORE_OPTIONS) options: CoreOptions,
  ) {
    this.sql = new HandWrittenSql(databaseKindOf(options.database.url));
  }

  async insert(em: EntityManager, rows: OutboxRow[]): Promise<void> {
    if (rows.length === 0) return;
    const { sql } = this;
    for (const chunk of chunksOf(rows)) {
      const values = sql.rows(chunk.length, `(?, ?, ${sql.jsonParam}, ${sql.jsonParam}, ?, null, 0)`);
      const params = chunk.flatMap((r) => [r.id, r.subject, sql.json(r.payload), sql.json(r.live), sql.date(r.createdAt)]);
      await sql.run(em, `insert into outbox_events (id, subject, payload, live, created_at, published_at, attempts) values ${values}`, params);
    }
    this.commits.written(em, rows);
  }
}
