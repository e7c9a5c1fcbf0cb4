import { setImmediate as nextTurn } from 'node:timers/promises';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/core';
import { CORE_OPTIONS, type CoreOptions, HandWrittenSql, databaseKindOf, newId, PLANNED_EACH_RUN } from '@obrol/core';
import type { AudienceRow, DuplicateRow } from './audience-csv.reader.js';

/** Staged rows removed per statement once their import is over: SQLite's writer is free between two. */
const DISCARD_CHUNK = 5_000;

/**
 * Recipients copied in (or removed) per transaction on SQLite: about 70 ms of its one writer
 * each, 150 ms at most (ADR 0043). PostgreSQL, where the copy holds no other writer, copies an
 * import at once.
 */
const ROWS_PER_TRANSACTION = 10_000;

/** How `replace` ended. `not-draft` and `stopped` changed nothing: the broadcast keeps its audience. */
export type AudienceReplacement = 'replaced' | 'not-draft' | 'stopped';

/** Runs a step of `replace` in a transaction: its own on SQLite, the whole replacement's on PostgreSQL. */
type Step = <T>(work: (tx: EntityManager) => Promise<T>) => Promise<T>;

/** Ends a replacement short, with nothing replaced; thrown from a step, it rolls back what the transaction holds. */
class Abandoned extends Error {
  constructor(readonly outcome: Exclude<AudienceReplacement, 'replaced'>) {
    super(`audience replacement abandoned: ${outcome}`);
  }
}

/**
 * Stores an audience file's rows as pending recipients (ADR 0027, ADR 0030, ADR 0043). As the
 * file streams in, each batch of rows is staged with one multi-row insert of its own, so the
 * database's writer (SQLite has one) is held for a few milliseconds at a time, not for the whole
 * file. The unique key on import + phone finds the duplicates, so the import keeps no set of the
 * numbers it has seen. Once the whole file proved valid, the staged rows are copied into the
 * recipients under the import's own audience id, unseen, and become the broadcast's audience
 * with one short update (`replace`).
 */
@Injectable()
export class AudienceRecipientsWriter implements OnModuleDestroy {
  private readonly logger = new Logger('AudienceRecipientsWriter');
  private readonly sql: HandWrittenSql;
  /** Imports this process is copying into the recipients: their rows are not strays (`removeStray`). */
  private readonly copying = new Set<string>();
  /** Set when the process shuts down: a replacement under way stops between two steps. */
  private stopping = false;

  constructor(@Inject(CORE_OPTIONS) options: CoreOptions) {
    this.sql = new HandWrittenSql(databaseKindOf(options.database.url));
  }

  onModuleDestroy(): void {
    this.stopping = true;
  }

  /** Stages a batch (at most a few hundred rows) of one import; answers the rows whose number an earlier row has. */
  async stage(em: EntityManager, importId: string, broadcastId: string, rows: AudienceRow[]): Promise<DuplicateRow[]> {
    if (rows.length === 0) return [];
    const { sql } = this;
    const now = sql.date(new Date());
    const values = sql.rowsOf(
      rows.map((r) => [newId(), importId, broadcastId, r.phone, r.country, r.row, sql.json(r.columns), now]),
      ['text', 'text', 'text', 'text', 'text', 'int', 'jsonb', 'timestamptz'],
    );
    const inserted = await sql.all<{ phone: string }>(
      em,
      `insert into broadcast_audience_staged (id, import_id, broadcast_id, phone, country, csv_row, columns, created_at) ${values.sql} ` +
        'on conflict (import_id, phone) do nothing returning phone',
      values.params,
      { prepared: true },
    );
    // A number twice in one batch is inserted once: its first row is the one stored.
    const stored = new Set(inserted.map((r) => r.phone));
    const refused = rows.filter((r) => !stored.delete(r.phone));
    if (refused.length === 0) return [];
    const phoneIn = sql.inList('phone', refused.map((r) => r.phone), 'text');
    const earlier = await sql.all<{ phone: string; csv_row: number | string }>(
      em,
      `select phone, csv_row from broadcast_audience_staged where import_id = ? and ${phoneIn.sql}`,
      [importId, ...phoneIn.params],
      PLANNED_EACH_RUN,
    );
    const rowOf = new Map(earlier.map((r) => [r.phone, Number(r.csv_row)]));
    return refused.map((r) => ({ row: r.row, phone: r.phone, earlier: rowOf.get(r.phone) ?? 0 }));
  }

  /**
   * Makes an import's staged rows the broadcast's audience, in place of the one it had (ADR
   * 0043). They are copied into the recipients under the import's id, an audience no reader takes
   * for the broadcast's; one short update then makes it the broadcast's, and the rows of the
   * audience it replaced are removed. Each step first checks that the broadcast is still a draft.
   * On SQLite each step is a transaction of its own, of at most 10,000 rows, with a turn of the
   * event loop between two, so webhooks and requests get the one writer in between; on
   * PostgreSQL the steps are one transaction (the broadcast locked from the first), as the copy
   * holds no other writer there. When the broadcast is no longer a draft, or the process stops,
   * the rows copied so far are removed and the broadcast keeps its audience; a crash leaves them
   * to `removeStray`.
   */
  async replace(em: EntityManager, broadcastId: string, importId: string): Promise<AudienceReplacement> {
    if (this.sql.kind === 'postgresql') {
      // One transaction: it commits the replacement whole, the old audience's removal with it, or nothing.
      const inOne = em.fork().transactional(async (tx) => {
        const step: Step = (work) => work(tx);
        await this.removeIn(step, broadcastId, await this.copyAndSwitch(step, broadcastId, importId, null), null);
        return 'replaced' as const;
      });
      return inOne.catch((error: unknown) => {
        if (error instanceof Abandoned) return error.outcome;
        throw error;
      });
    }
    this.copying.add(importId);
    try {
      const replaced = await this.copyAndSwitch((work) => em.fork().transactional(work), broadcastId, importId, ROWS_PER_TRANSACTION);
      // The file is the audience now: should the old rows' removal fail, they are strays, not a failed upload.
      await this.remove(em, broadcastId, replaced).catch((error: Error) => this.logger.warn(`the audience import ${importId} replaced is not removed yet: ${error.message}`));
      return 'replaced';
    } catch (error) {
      // The rows copied before it ended short, each step committed: no one's recipients, and removed.
      await this.remove(em, broadcastId, importId).catch((removal: Error) => this.logger.warn(`recipients copied by import ${importId} not removed yet: ${removal.message}`));
      if (error instanceof Abandoned) return error.outcome;
      throw error;
    } finally {
      this.copying.delete(importId);
    }
  }

  /**
   * `replace`'s copy and switch, each step through `step`, `chunk` rows copied per step (all when
   * null); answers the audience it replaced. Throws `Abandoned` when the broadcast is no longer a
   * draft, or the process stops, between two steps.
   */
  private async copyAndSwitch(step: Step, broadcastId: string, importId: string, chunk: number | null): Promise<string> {
    const stillDraft = async (tx: EntityManager) => {
      if (this.stopping) throw new Abandoned('stopped');
      const audience = await this.draftAudience(tx, broadcastId);
      if (audience === null) throw new Abandoned('not-draft');
      return audience;
    };
    let after = '';
    for (;;) {
      const upto = await step(async (tx) => {
        await stillDraft(tx);
        const end = chunk === null ? null : await this.stagedWindowEnd(tx, importId, after, chunk);
        await this.copy(tx, broadcastId, importId, after, end);
        return end;
      });
      if (upto === null) break;
      after = upto;
      // The pool hands the connection to whoever waits for it now: on SQLite the next step would
      // otherwise ask first every time, and no webhook would be stored until the copy is done.
      await nextTurn();
    }
    return step(async (tx) => {
      const replaced = await stillDraft(tx);
      // `updated_at` moves too: a plan ahead under way (ADR 0032) sees the broadcast changed and stops.
      await this.sql.run(tx, 'update broadcasts set audience_id = ?, updated_at = ? where id = ?', [importId, this.sql.date(new Date()), broadcastId]);
      return replaced;
    });
  }

  /**
   * The broadcast's audience when it is a draft, else null. On PostgreSQL its row stays locked
   * until `tx` ends against any change of it (a start, another import), not against the key
   * locks of recipients inserted meanwhile.
   */
  private async draftAudience(tx: EntityManager, broadcastId: string): Promise<string | null> {
    const lock = this.sql.kind === 'postgresql' ? ' for no key update' : '';
    const [row] = await this.sql.all<{ audience_id: string }>(tx, `select audience_id from broadcasts where id = ? and status = 'draft'${lock}`, [broadcastId]);
    return row ? row.audience_id : null;
  }

  /** The phone of the `size`th staged row of the import after `after`, in phone order (its unique key's); null when fewer are left. */
  private async stagedWindowEnd(tx: EntityManager, importId: string, after: string, size: number): Promise<string | null> {
    const [row] = await this.sql.all<{ phone: string }>(tx, 'select phone from broadcast_audience_staged where import_id = ? and phone > ? order by phone limit 1 offset ?', [
      importId,
      after,
      size - 1,
    ]);
    return row?.phone ?? null;
  }

  /** Copies the import's staged rows with a phone after `after`, up to `upto` (the rest when null), as pending recipients of its own audience. */
  private async copy(tx: EntityManager, broadcastId: string, importId: string, after: string, upto: string | null): Promise<void> {
    await this.sql.run(
      tx,
      'insert into broadcast_recipients (id, created_at, updated_at, broadcast_id, audience_id, phone, country, csv_row, columns, status, attempts) ' +
        "select id, created_at, created_at, broadcast_id, import_id, phone, country, csv_row, columns, 'pending', 0 from broadcast_audience_staged " +
        `where import_id = ? and broadcast_id = ? and phone > ?${upto === null ? '' : ' and phone <= ?'}`,
      [importId, broadcastId, after, ...(upto === null ? [] : [upto])],
    );
  }

  /**
   * Removes the recipients of one of the broadcast's audiences, never its current one (checked by
   * each statement), 10,000 per transaction on SQLite.
   */
  async remove(em: EntityManager, broadcastId: string, audienceId: string): Promise<void> {
    const chunk = this.sql.kind === 'postgresql' ? null : ROWS_PER_TRANSACTION;
    await this.removeIn((work) => em.fork().transactional(work), broadcastId, audienceId, chunk);
  }

  private async removeIn(step: Step, broadcastId: string, audienceId: string, chunk: number | null): Promise<void> {
    const { sql } = this;
    const rows = 'broadcast_id = ? and audience_id = ? and audience_id <> (select audience_id from broadcasts where id = ?)';
    const params = [broadcastId, audienceId, broadcastId];
    if (chunk === null) {
      await step((tx) => sql.run(tx, `delete from broadcast_recipients where ${rows}`, params));
      return;
    }
    for (;;) {
      // SQLite's `delete … returning` needs a transaction: each step has one.
      const removed = await step((tx) =>
        sql.all<{ id: string }>(tx, `delete from broadcast_recipients where id in (select id from broadcast_recipients where ${rows} limit ${chunk}) returning id`, params),
      );
      if (removed.length < chunk) return;
      await nextTurn();
    }
  }

  /**
   * Removes the recipients of audiences that are not their broadcast's, except those a
   * replacement of this process is copying: what a replacement a crash or a shutdown
   * interrupted left (ADR 0043). On PostgreSQL a replacement is one transaction, so no such row
   * is ever committed, and other processes' copies are never seen. Returns how many audiences it
   * removed.
   */
  async removeStray(em: EntityManager): Promise<number> {
    let removed = 0;
    for (const { id, audience_id: current } of await this.broadcastsWithStrays(em)) {
      for (const audienceId of await this.audiencesOf(em, id)) {
        if (audienceId === current || this.copying.has(audienceId)) continue;
        await this.remove(em, id, audienceId);
        removed += 1;
      }
    }
    return removed;
  }

  /** Broadcasts with recipients of another audience than theirs: two seeks of the recipients' unique key per broadcast. */
  private broadcastsWithStrays(em: EntityManager): Promise<{ id: string; audience_id: string }[]> {
    const other = (compare: '<' | '>') => `exists (select 1 from broadcast_recipients r where r.broadcast_id = b.id and r.audience_id ${compare} b.audience_id)`;
    return this.sql.all(em, `select b.id, b.audience_id from broadcasts b where ${other('<')} or ${other('>')}`, []);
  }

  /** The audiences of a broadcast's recipients, one seek of the unique key each. */
  private async audiencesOf(em: EntityManager, broadcastId: string): Promise<string[]> {
    const found: string[] = [];
    for (;;) {
      const after = found.length ? ' and audience_id > ?' : '';
      const [row] = await this.sql.all<{ audience_id: string | null }>(
        em,
        `select min(audience_id) as audience_id from broadcast_recipients where broadcast_id = ?${after}`,
        found.length ? [broadcastId, found.at(-1)] : [broadcastId],
      );
      const next = row?.audience_id ?? null;
      if (next === null) return found;
      found.push(next);
    }
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
      // libsql answers at once: without a turn between two chunks, the chunks of a million rows
      // ran as one chain of promise callbacks, and the process took no request for 3.4 s.
      await nextTurn();
    }
  }

  /** Removes what imports that never finished (a crash mid-file) left, once older than `before`. */
  async sweep(em: EntityManager, before: Date): Promise<void> {
    await this.sql.run(em, 'delete from broadcast_audience_staged where created_at < ?', [this.sql.date(before)]);
  }
}
