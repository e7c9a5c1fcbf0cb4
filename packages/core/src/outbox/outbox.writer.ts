import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/core';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { type CountedStatement, HandWrittenSql, chunksOf } from '../database/hand-written-sql.js';
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
    await this.sql.runCounted(em, this.statements(rows));
    this.written(em, rows);
  }

  /** The inserts of `rows`, for a caller that runs them with its own statements (`HandWrittenSql.runCounted`), then calls `written`. */
  statements(rows: OutboxRow[]): CountedStatement[] {
    const { sql } = this;
    return [...chunksOf(rows)].map((chunk) => {
      const values = sql.rowsOf(
        chunk.map((r) => [r.id, r.subject, sql.json(r.payload), sql.json(r.live), sql.date(r.createdAt)]),
        ['text', 'text', 'jsonb', 'jsonb', 'timestamptz', { constant: 'null' }, { constant: '0' }],
      );
      return {
        sql: `insert into outbox_events (id, subject, payload, live, created_at, published_at, attempts) ${values.sql} returning id`,
        params: values.params,
        expected: chunk.length,
        mismatch: (missing) => `${missing} outbox row(s) of this batch were not stored`,
        prepared: true,
      };
    });
  }

  /** Rows inserted in `em`'s transaction: the commit hands them to the relay, as flushed ones. */
  written(em: EntityManager, rows: OutboxRow[]): void {
    if (rows.length > 0) this.commits.written(em, rows);
  }
}
