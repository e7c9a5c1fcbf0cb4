import type { EntityManager } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';
import type { DatabaseKind } from './orm-config.js';

/** Rows per statement: well under SQLite's and PostgreSQL's limits on bound values. */
export const ROWS_PER_STATEMENT = 500;

const DELETE_RETURNING = /^\s*delete\b[\s\S]*\breturning\b/i;

/**
 * Bound values one combined PostgreSQL statement may carry (the protocol's limit is 65,535);
 * beyond it the statements go one by one.
 */
const COMBINED_VALUES = 30_000;

/**
 * A statement that writes rows and returns one row per row written (`returning`), and how many
 * it must write: any other count fails the batch with `mismatch(missing)`.
 */
export interface CountedStatement {
  sql: string;
  params: unknown[];
  expected: number;
  mismatch: (missing: number) => string;
  /** Its text does not vary with its rows (`rowsOf`): see `RunOptions.prepared`. */
  prepared?: boolean;
}

/** How `HandWrittenSql` runs a statement. */
export interface RunOptions {
  /**
   * The text is one of a few that do not vary with the rows (`rowsOf`, `inList`): PostgreSQL
   * keeps it parsed and planned per connection, as a named statement (ADR 0050). SQLite keeps
   * every text prepared anyway. Not for a lookup by a list of keys (`PLANNED_EACH_RUN`).
   */
  prepared?: boolean;
}

/**
 * A lookup by a list of keys (`inList`), which PostgreSQL plans at each run with its ids and
 * the table's size then (ADR 0051). Kept prepared, its plan was the one made while the table was
 * small: the ingest's message lookup went on reading every message of the number through the
 * index (the ids a filter, not a condition of it), and the flood after two runs absorbed 1,076
 * webhooks/s against 1,855/s planned at each run.
 */
export const PLANNED_EACH_RUN: RunOptions = Object.freeze({ prepared: false });

/** A column of `HandWrittenSql.rowsOf`: its PostgreSQL type, or SQL of its own in every row. */
export type RowColumn = string | { constant: string };

/**
 * What statements written by hand (the set-based ingest path) need to know about the database:
 * how a value is bound the way MikroORM stores it (SQLite keeps dates as epoch milliseconds and
 * JSON as text; PostgreSQL takes dates and needs `jsonb` casts), and how to run a statement
 * inside the caller's transaction.
 */
export class HandWrittenSql {
  constructor(readonly kind: DatabaseKind) {}

  /** A placeholder for a JSON value (`?` is bound with `json(value)`). */
  get jsonParam(): string {
    return this.kind === 'postgresql' ? '?::jsonb' : '?';
  }

  date(value: Date | null): Date | number | null {
    if (value === null) return null;
    return this.kind === 'sqlite' ? value.getTime() : value;
  }

  /** A boolean as the column stores it (SQLite: 0 or 1). */
  flag(value: boolean): boolean | number {
    return this.kind === 'sqlite' ? Number(value) : value;
  }

  json(value: unknown): string | null {
    return value === null || value === undefined ? null : JSON.stringify(value);
  }

  readDate(value: unknown): Date | null {
    if (value === null || value === undefined) return null;
    return value instanceof Date ? value : new Date(typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : (value as number | string));
  }

  readJson<T>(value: unknown): T {
    return (typeof value === 'string' ? JSON.parse(value) : value) as T;
  }

  /**
   * A column in a filter that must not pick the index: SQLite's planner has no statistics and
   * prefers an index on `status = 'queued'` (every queued row) to the primary key's `id in (…)`
   * of a batch; a unary `+` keeps it from using the column's index. PostgreSQL's planner knows better.
   */
  unindexed(column: string): string {
    return this.kind === 'sqlite' ? `+${column}` : column;
  }

  /** `(?, ?, …)` once per row, for a multi-row `values` list. */
  rows(count: number, row: string): string {
    return Array.from({ length: count }, () => row).join(', ');
  }

  /**
   * A query of `rows` (each its values in `columns` order), for a `with v (…) as (…)` source or
   * an insert. A column is its PostgreSQL type, or `{ constant }` for SQL of its own.
   * - On SQLite a multi-row `values` list, as `rows` builds it.
   * - On PostgreSQL `select … from unnest(?::type[], …)`, one array per column: the text is the
   *   same for any number of rows, so with `prepared` the server parses and plans it once per
   *   connection (ADR 0050).
   */
  rowsOf(rows: readonly unknown[][], columns: readonly RowColumn[]): { sql: string; params: unknown[] } {
    if (this.kind === 'sqlite') {
      const row = `(${columns.map((c) => (typeof c === 'string' ? '?' : c.constant)).join(', ')})`;
      return { sql: `values ${this.rows(rows.length, row)}`, params: rows.flat() };
    }
    const arrays: string[] = [];
    const names: string[] = [];
    const select = columns.map((c) => {
      if (typeof c !== 'string') return c.constant;
      names.push(`c${names.length}`);
      arrays.push(`?::${c}[]`);
      return names.at(-1)!;
    });
    const params = names.map((_, i) => rows.map((r) => r[i]));
    return { sql: `select ${select.join(', ')} from unnest(${arrays.join(', ')}) as u (${names.join(', ')})`, params };
  }

  /** `column in (…values)`: on PostgreSQL `column = any(?::type[])`, one text for any number of values. */
  inList(column: string, values: readonly unknown[], type: string): { sql: string; params: unknown[] } {
    if (this.kind === 'sqlite') return { sql: `${column} in (${values.map(() => '?').join(', ')})`, params: [...values] };
    return { sql: `${column} = any(?::${type}[])`, params: [values] };
  }

  /**
   * Rows of a `select`, or of a statement with `returning` (how to count what a statement
   * changed on both databases), in the transaction of `em`.
   */
  async all<T>(em: EntityManager, sql: string, params: unknown[], options: RunOptions = {}): Promise<T[]> {
    // knex hands a SQLite `delete … returning` outside a transaction to `run`: the statement is
    // left unfinished and the connection's next COMMIT fails ("SQL statements in progress").
    if (this.kind === 'sqlite' && !em.getTransactionContext() && DELETE_RETURNING.test(sql)) {
      throw new Error('On SQLite a `delete … returning` must run in a transaction (em.transactional).');
    }
    const result: unknown = await this.execute(em, sql, params, options);
    return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
  }

  /** Runs a statement in the transaction of `em`. */
  async run(em: EntityManager, sql: string, params: unknown[], options: RunOptions = {}): Promise<void> {
    await this.execute(em, sql, params, options);
  }

  /**
   * Runs statements that write different rows, checking each one's count. On PostgreSQL they go
   * as one statement, each a data-modifying `with` part, in one round trip (ADR 0040): they see
   * the same snapshot and none sees another's rows, so they must not depend on each other. On
   * SQLite, which has no such parts (and no round trips), one after the other.
   */
  async runCounted(em: EntityManager, statements: readonly CountedStatement[]): Promise<void> {
    if (statements.length === 0) return;
    const values = statements.reduce((n, s) => n + s.params.length, 0);
    if (this.kind === 'sqlite' || statements.length === 1 || values > COMBINED_VALUES) {
      for (const statement of statements) countChecked(statement, (await this.all<unknown>(em, statement.sql, statement.params, statement)).length);
      return;
    }
    const parts = statements.map((s, i) => `w${i} as (${s.sql})`).join(', ');
    const counts = statements.map((_, i) => `(select count(*) from w${i}) as w${i}`).join(', ');
    const [row] = await this.all<Record<string, number | string>>(
      em,
      `with ${parts} select ${counts}`,
      statements.flatMap((s) => s.params),
      { prepared: statements.every((s) => s.prepared) },
    );
    statements.forEach((statement, i) => countChecked(statement, Number(row![`w${i}`])));
  }

  /**
   * Through knex with bound parameters, not `Connection.execute`: that one inlines every value
   * into the statement's text (quoting each JSON body), so no two statements read alike; bound,
   * a batch of the same shape sends the same text and the database parses no values.
   */
  private async execute(em: EntityManager, sql: string, params: unknown[], options: RunOptions): Promise<unknown> {
    const transaction = em.getTransactionContext<Knex.Transaction>();
    if (transaction && this.kind === 'sqlite') return this.onSqliteTransaction(em, transaction, sql, params);
    if (transaction) return this.onPostgresTransaction(em, transaction, sql, params, options);
    const query = (em.getConnection() as unknown as { getKnex(): Knex }).getKnex().raw(sql, params as Knex.RawBinding[]);
    if (transaction) query.transacting(transaction);
    try {
      return await query;
    } catch (error) {
      throw this.converted(em, error);
    }
  }

  /**
   * SQLite inside a transaction: straight on the transaction's connection (knex hands a
   * transaction's own connection out at once), with each text prepared once per connection.
   * knex's machinery around a query and libsql's parsing of the same text again cost more than
   * most of these statements take to run (ADR 0028). The one connection is the transaction's
   * alone until it ends, so nothing else runs on it meanwhile.
   */
  private async onSqliteTransaction(em: EntityManager, transaction: Knex.Transaction, sql: string, params: unknown[]): Promise<unknown> {
    const connection = (await transaction.client.acquireConnection()) as SqliteConnection;
    try {
      const statement = preparedOn(connection, sql);
      const values = params.map(sqliteValue);
      return statement.reader ? statement.all(values) : statement.run(values);
    } catch (error) {
      throw this.converted(em, error);
    }
  }

  /**
   * PostgreSQL inside a transaction: straight to the transaction's `pg` client, with the text's
   * `?` numbered once per text. knex's runner, binding formatter and promise chain around each
   * statement cost about as much CPU as the statement's own round trip (ADR 0037), and the
   * ingest sends a dozen per batch. Values go as knex would bind them (the driver serialises
   * dates and the rest), and rows come back parsed by the connection's own type parsers.
   */
  private async onPostgresTransaction(em: EntityManager, transaction: Knex.Transaction, sql: string, params: unknown[], options: RunOptions): Promise<unknown> {
    const connection = (await transaction.client.acquireConnection()) as PostgresConnection;
    try {
      const name = options.prepared ? statementName(sql) : undefined;
      return await connection.query({ name, text: numberedPlaceholders(sql), values: params.map(definedValue) });
    } catch (error) {
      throw this.converted(em, error);
    }
  }

  /**
   * The driver's exception, as the unit of work would have thrown it: its class says what
   * happened (a unique conflict…), and its message no longer quotes the statement's values
   * (customers' messages), which the raw error does.
   */
  private converted(em: EntityManager, error: unknown): unknown {
    return error instanceof Error ? em.getDriver().convertException(error) : error;
  }
}

function countChecked(statement: CountedStatement, written: number): void {
  if (written !== statement.expected) throw new Error(statement.mismatch(statement.expected - written));
}

/** What of a libsql connection and its statements the direct path uses. */
interface SqliteStatement {
  readonly reader: boolean;
  all(values: unknown[]): unknown[];
  run(values: unknown[]): unknown;
}
interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}

/** What of a `pg` client the direct path uses. */
interface PostgresConnection {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * Names of the texts PostgreSQL keeps prepared, the same on every connection (the `pg` driver
 * refuses one name for two texts). Each text is a combination of a few statements that do not
 * vary with their rows, so a few dozen cover every batch; past NAMED_TEXTS a text runs unnamed.
 */
const names = new Map<string, string>();
export const NAMED_TEXTS = 128;

function statementName(sql: string): string | undefined {
  let name = names.get(sql);
  if (name === undefined && names.size < NAMED_TEXTS) names.set(sql, (name = `obrol_${names.size + 1}`));
  return name;
}

/** Texts with `?` numbered (`$1`, `$2`…), by their `?` text; hand-written texts vary only by their row counts. */
const numbered = new Map<string, string>();

/** `?` placeholders as PostgreSQL's `$n`; the hand-written texts carry no `?` inside a literal. */
function numberedPlaceholders(sql: string): string {
  let text = numbered.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    if (numbered.size >= PREPARED_PER_CONNECTION) numbered.delete(numbered.keys().next().value!);
    numbered.set(sql, text);
  }
  return text;
}

function definedValue(value: unknown): unknown {
  if (value === undefined) throw new Error('A hand-written statement was given an undefined value.');
  return value;
}

/** Prepared statements kept per connection; texts differ by their row count, so a few hundred cover a flood. */
export const PREPARED_PER_CONNECTION = 256;
/**
 * A prepared statement's program grows with its bound values, in native memory V8 does not
 * count: about 100 bytes a value with libsql here (a 500-row insert of 7 columns: 384 KiB), and
 * 256 statements of a broadcast's batches held about 45 MB (ADR 0048). So the cache keeps
 * statements of at most PREPARED_VALUES_EACH values, and PREPARED_VALUES_PER_CONNECTION in all
 * (about 3 MB). A larger statement is prepared for its one run (about 0.45 µs a value), which is
 * shorter than writing its rows.
 */
export const PREPARED_VALUES_EACH = 2_048;
export const PREPARED_VALUES_PER_CONNECTION = 32_768;

interface PreparedCache {
  statements: Map<string, { statement: SqliteStatement; values: number }>;
  values: number;
}
const prepared = new WeakMap<SqliteConnection, PreparedCache>();

/** `sql` prepared on `connection`, from its cache (least recently used first out). */
function preparedOn(connection: SqliteConnection, sql: string): SqliteStatement {
  let cache = prepared.get(connection);
  if (!cache) prepared.set(connection, (cache = { statements: new Map(), values: 0 }));
  const hit = cache.statements.get(sql);
  if (hit) {
    // Most recently used last.
    cache.statements.delete(sql);
    cache.statements.set(sql, hit);
    return hit.statement;
  }
  const statement = connection.prepare(sql);
  const values = placeholdersIn(sql);
  if (values > PREPARED_VALUES_EACH) return statement;
  for (const [text, kept] of cache.statements) {
    if (cache.statements.size < PREPARED_PER_CONNECTION && cache.values + values <= PREPARED_VALUES_PER_CONNECTION) break;
    cache.statements.delete(text);
    cache.values -= kept.values;
  }
  cache.statements.set(sql, { statement, values });
  cache.values += values;
  return statement;
}

/** The `?` of a hand-written text (none sits inside a literal). */
function placeholdersIn(sql: string): number {
  let n = 0;
  for (let i = sql.indexOf('?'); i !== -1; i = sql.indexOf('?', i + 1)) n++;
  return n;
}

/** What the statement cache of `connection` holds: for specs. */
export function preparedStatementsOn(connection: object): { statements: number; values: number } {
  const cache = prepared.get(connection as SqliteConnection);
  return { statements: cache?.statements.size ?? 0, values: cache?.values ?? 0 };
}

/** A bound value as knex's SQLite dialect binds it: dates as epoch milliseconds, booleans as 0 or 1. */
function sqliteValue(value: unknown): unknown {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'boolean') return Number(value);
  return definedValue(value);
}

/** Splits `items` into statements of at most `ROWS_PER_STATEMENT` rows. */
export function* chunksOf<T>(items: readonly T[], size = ROWS_PER_STATEMENT): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
