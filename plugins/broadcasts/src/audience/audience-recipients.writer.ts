import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/core';
import { CORE_OPTIONS, type CoreOptions, HandWrittenSql, databaseKindOf, newId } from '@obrol/core';
import type { AudienceRow, DuplicateRow } from './audience-csv.reader.js';

/**
 * Stores an audience CSV's rows as pending recipients as the file streams in (ADR 0027): one
 * multi-row insert per batch in the import's transaction, written by hand like the ingest path's
 * statements, instead of a unit of work holding every row. The unique key on broadcast + phone
 * finds the duplicates, so the import keeps no set of the numbers it has seen.
 */
@Injectable()
export class AudienceRecipientsWriter {
  private readonly sql: HandWrittenSql;

  constructor(@Inject(CORE_OPTIONS) options: CoreOptions) {
    this.sql = new HandWrittenSql(databaseKindOf(options.database.url));
  }

  /** Inserts a batch (at most a few hundred rows); answers the rows whose number an earlier row has. */
  async insert(em: EntityManager, broadcastId: string, rows: AudienceRow[]): Promise<DuplicateRow[]> {
    if (rows.length === 0) return [];
    const { sql } = this;
    // Bookkeeping on the wall clock, as the entity's defaults do.
    const now = sql.date(new Date());
    const values = sql.rows(rows.length, `(?, ?, ?, ?, ?, ?, ?, ${sql.jsonParam}, 'pending', 0)`);
    const params = rows.flatMap((r) => [newId(), now, now, broadcastId, r.phone, r.country, r.row, sql.json(r.columns)]);
    const inserted = await sql.all<{ phone: string }>(
      em,
      `insert into broadcast_recipients (id, created_at, updated_at, broadcast_id, phone, country, csv_row, columns, status, attempts) values ${values} ` +
        'on conflict (broadcast_id, phone) do nothing returning phone',
      params,
    );
    // A number twice in one batch is inserted once: its first row is the one stored.
    const stored = new Set(inserted.map((r) => r.phone));
    const refused = rows.filter((r) => !stored.delete(r.phone));
    if (refused.length === 0) return [];
    const earlier = await sql.all<{ phone: string; csv_row: number | string }>(
      em,
      `select phone, csv_row from broadcast_recipients where broadcast_id = ? and phone in (${refused.map(() => '?').join(', ')})`,
      [broadcastId, ...refused.map((r) => r.phone)],
    );
    const rowOf = new Map(earlier.map((r) => [r.phone, Number(r.csv_row)]));
    return refused.map((r) => ({ row: r.row, phone: r.phone, earlier: rowOf.get(r.phone) ?? 0 }));
  }
}
