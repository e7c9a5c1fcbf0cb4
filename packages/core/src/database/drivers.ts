/**
 * Obrol's two MikroORM drivers: errors without the statement's values, a close that refuses new
 * queries at once, and (SQLite) the file's checkpoints in a worker thread while connected.
 */
import { DriverException } from '@mikro-orm/core';
import { type LibSqlConnection, LibSqlDriver } from '@mikro-orm/libsql';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { SqliteCheckpoints } from './sqlite-checkpoints.js';

/** Properties of a driver error that quote the values of the failed statement. */
const VALUE_FIELDS = ['detail', 'where', 'internalQuery', 'query', 'params', 'sql', 'sqlMessage', 'errmsg'] as const;

/**
 * A database error as it may be logged: the statement (with its values inlined: password
 * hashes, key hashes, customers' messages) is cut from the message, stack and fields, and only
 * the database's own sentence remains (e.g. `duplicate key value violates unique constraint "…"`).
 */
export function withoutValues<E extends Error>(error: E): E {
  if (!(error instanceof DriverException)) return error;
  const original = error.message;
  // The query builder reports `<statement with values> - <database message>`; PostgreSQL's
  // converter appends ` - detail: <the conflicting values>`.
  const withoutDetail = original.replace(/\s*- detail: (?:(?! - detail: )[\s\S])*$/, '');
  const cut = withoutDetail.lastIndexOf(' - ');
  const message = cut >= 0 ? withoutDetail.slice(cut + 3) : withoutDetail;
  error.message = message;
  if (error.stack) error.stack = error.stack.split(original).join(message);
  const fields = error as unknown as Record<string, unknown>;
  for (const field of VALUE_FIELDS) delete fields[field];
  return error;
}

/** The error a query asked for while the connection closes gets (the API answers it with a 503). */
export const CLOSING_MESSAGE = 'Unable to acquire a connection: the database connection is closing';

/**
 * Makes every query asked for from now on fail at once. Closing destroys knex's pool, which
 * first waits for the connections in use to be given back; a query asked for meanwhile joined
 * the destroyed pool's queue and waited out the whole acquire timeout (60 s) before failing,
 * holding up whatever loop asked for it, well after a new pool was opened (`orm.connect()`),
 * and the process's shutdown with it.
 */
function refuseNewQueries(connection: unknown): void {
  const client = (connection as { getKnex(): { client: { acquireConnection(): Promise<unknown> } } }).getKnex().client;
  client.acquireConnection = () => Promise.reject(new Error(CLOSING_MESSAGE));
}

/** PostgreSQL driver whose errors carry no statement values, and whose close refuses new queries at once. */
export class ValueFreePostgreSqlDriver extends PostgreSqlDriver {
  override convertException(exception: Error): DriverException {
    return withoutValues(super.convertException(exception));
  }

  override async close(force?: boolean): Promise<void> {
    refuseNewQueries(this.connection);
    await super.close(force);
  }
}

/**
 * SQLite (libsql) driver whose errors carry no statement values, whose close refuses new
 * queries at once, and whose file is checkpointed by a worker thread while it is connected.
 */
export class ValueFreeLibSqlDriver extends LibSqlDriver {
  /** The worker's checkpoints of the file; none for an in-memory database. */
  checkpoints: SqliteCheckpoints | undefined;

  override convertException(exception: Error): DriverException {
    return withoutValues(super.convertException(exception));
  }

  override async connect(): Promise<LibSqlConnection> {
    const connection = await super.connect();
    const file = this.config.get('dbName');
    if (file && file !== ':memory:') this.checkpoints ??= SqliteCheckpoints.start(file);
    return connection;
  }

  override async close(force?: boolean): Promise<void> {
    refuseNewQueries(this.connection);
    try {
      await super.close(force);
    } finally {
      await this.checkpoints?.stop();
      this.checkpoints = undefined;
    }
  }
}
