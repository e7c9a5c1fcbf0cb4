import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/core';
import { CORE_OPTIONS, type CoreOptions, HandWrittenSql, databaseKindOf, newId } from '@obrol/core';
import type { AudienceRow, DuplicateRow } from './audience-csv.reader.js';

/** Staged rows removed per statement once their import is over: SQLite's writer is free between two. */
const DISCARD_CHUNK = 5_000;

/**
 * Stores an audience file's rows as pending recipients (ADR 0027, ADR 0030). As the file streams
 * in, each batch of rows is staged with one multi-row insert of its own, so the database's
 * writer (SQLite has one) is held for a few milliseconds at a time, not for the whole file. The
 * unique key on import + phone finds the duplicates, so the import keeps no set of the numbers it
 * has seen. Once the whole file proved valid, one statement copies the staged rows into the
 * broadcast's recipients, in the transaction that replaces its audience.
 */
@Injectable()
export class AudienceRecipientsWriter {
  private readonly sql: HandWrittenSql;

  constructor(@Inject(CORE_OPTIONS) options: CoreOptions) {
    this.sql = new HandWrittenSql(databaseKindOf(options.database.url));
  }

  /** Stages a batch (at most a few hundred rows) of one import; answers the rows whose number an earlier row has. */
  async stage(em: EntityManager, importId: string, broadcastId: string, rows: AudienceRow[]): Promise<DuplicateRow[]> {
    if (rows.length === 0) return [];
    const { sql } = this;
    const now = sql.date(new Date());
    const values = sql.rows(rows.length, `(?, ?, ?, ?, ?, ?, ${sql.jsonParam}, ?)`);
    const params = rows.flatMap((r) => [newId(), importId, broadcastId, r.phone, r.country, r.row, sql.json(r.columns), now]);
    const inserted = await sql.all<{ phone: string }>(
      em,
      `insert into broadcast_audience_staged (id, import_id, broadcast_id, phone, country, csv_row, columns, created_at) values ${values} ` +
        'on conflict (import_id, phone) do nothing returning phone',
      params,
    );
    // A number twice in one batch is inserted once: its first row is the one stored.
    const stored = new Set(inserted.map((r) => r.phone));
    const refused = rows.filter((r) => !stored.delete(r.phone));
    if (refused.length === 0) return [];
    const earlier = await sql.all<{ phone: string; csv_row: number | string }>(
      em,
      `select phone, csv_row from broadcast_audience_staged where import_id = ? and phone in (${refused.map(() => '?').join(', ')})`,
      [importId, ...refused.map((r) => r.phone)],
    );
    const rowOf = new Map(earlier.map((r) => [r.phone, Number(r.csv_row)]));
    return refused.map((r) => ({ row: r.row, phone: r.phone, earlier: rowOf.get(r.phone) ?? 0 }));
  }

  /** The staged rows of an import become the broadcast's pending recipients: one statement, in `tx`. */
  async commit(tx: EntityManager, importId: string, broadcastId: string): Promise<void> {
    await this.sql.run(
      tx,
      'insert into broadcast_recipients (id, created_at, updated_at, broadcast_id, phone, country, csv_row, columns, status, attempts) ' +
        "select id, created_at, created_at, broadcast_id, phone, country, csv_row, columns, 'pending', 0 from broadcast_audience_staged where import_id = ? and broadcast_id = ?",
      [importId, broadcastId],
    );
  }

  /** Removes an import's staged rows, a chunk per transaction (SQLite's `delete … returning` needs one). */
  async discard(em: EntityManager, importId: string): Promise<void> {
    for (;;) {
      const removed = await em.transactional((tx) =>
        this.sql.all<{ id: string }>(
          tx,
          `delete from broadcast_audience_staged where id in (select id from broadcast_audience_staged where import_id = ? limit ${DISCARD_CHUNK}) returning id`,
          [importId],
        ),
      );
      if (removed.length < DISCARD_CHUNK) return;
    }
  }

  /** Removes what imports that never finished (a crash mid-file) left, once older than `before`. */
  async sweep(em: EntityManager, before: Date): Promise<void> {
    await this.sql.run(em, 'delete from broadcast_audience_staged where created_at < ?', [this.sql.date(before)]);
  }
}
