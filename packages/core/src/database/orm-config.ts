import { chmodSync } from 'node:fs';
import path from 'node:path';
import { type MetadataStorage, type Options, ReferenceKind } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { coreEntities } from './entities.js';
import { FULL_TEXT_OBJECTS } from './full-text-objects.js';
import { postgresqlMigrations } from './migrations/postgresql/index.js';
import { sqliteMigrations } from './migrations/sqlite/index.js';
import { ValueFreeLibSqlDriver, ValueFreePostgreSqlDriver } from './drivers.js';

export type DatabaseKind = 'sqlite' | 'postgresql';

/** WAL pages after which a commit checkpoints by itself (SQLite's default is 1,000). */
export const BACKSTOP_CHECKPOINT_PAGES = 10_000;

export interface DatabaseOptions {
  /** `postgres://…` for PostgreSQL; unset for SQLite in `dataDir`. */
  url?: string;
  /** Where the SQLite file lives (`<dataDir>/obrol.sqlite`). */
  dataDir: string;
  /** Extra entities declared by plugins. */
  entities?: unknown[];
  /** Log SQL statements (debugging); their parameter values are never logged. */
  debug?: boolean;
  poolMax?: number;
}

/**
 * MikroORM 6 compares a `type: 'datetime'` property with a deep equality, and on SQLite it sets
 * the loaded Date against a snapshot in milliseconds: every loaded entity looked changed, and
 * each flush rewrote `created_at`/`updated_at` (bumping `updated_at`) of everything its unit of
 * work held — five needless UPDATEs per send. Typed `Date` once discovered (columns are mapped
 * by then), they are compared by their time.
 */
export function compareDatesByTime(storage: MetadataStorage): void {
  for (const meta of Object.values(storage.getAll())) {
    for (const prop of meta.props) {
      if (prop.kind === ReferenceKind.SCALAR && !prop.customType && prop.runtimeType === 'Date' && prop.type === 'datetime') prop.type = 'Date';
    }
  }
}

export function databaseKindOf(url: string | undefined): DatabaseKind {
  return url && /^postgres(ql)?:\/\//.test(url) ? 'postgresql' : 'sqlite';
}

/** MikroORM options for the configured database. Migrations ship per driver, generated. */
export function ormOptions(options: DatabaseOptions): Options {
  const kind = databaseKindOf(options.url);
  const common = {
    entities: [...coreEntities, ...(options.entities ?? [])] as Options['entities'],
    extensions: [Migrator],
    // Never 'query-params': values are passwords' and keys' hashes and customers' messages.
    debug: options.debug ? ['query', 'info'] : false,
    allowGlobalContext: false,
    forceUtcTimezone: true,
    ignoreUndefinedInQuery: true,
    discovery: { warnWhenNoEntities: true },
  } satisfies Options;
  if (kind === 'postgresql') {
    return {
      ...common,
      driver: ValueFreePostgreSqlDriver,
      clientUrl: options.url,
      pool: { min: 0, max: options.poolMax ?? 10 },
      migrations: { migrationsList: postgresqlMigrations, transactional: true, allOrNothing: true, silent: true },
    };
  }
  const dbName = options.dataDir === ':memory:' ? ':memory:' : path.join(options.dataDir, 'obrol.sqlite');
  return {
    ...common,
    driver: ValueFreeLibSqlDriver,
    dbName,
    discovery: { ...common.discovery, afterDiscovered: compareDatesByTime },
    // No schema snapshot after migrating: MikroORM's snapshot reads every table, and fails on the
    // FTS5 tables' untyped columns. Generating a migration diffs against a migrated database instead.
    migrations: { migrationsList: sqliteMigrations, transactional: true, allOrNothing: true, silent: true, snapshot: false },
    // The FTS5 tables are the full-text index (ADR 0022), not entities.
    schemaGenerator: { skipTables: [...FULL_TEXT_OBJECTS.sqliteTables] },
    // One writer; WAL lets readers work while it writes, and synchronous=NORMAL in WAL mode
    // stays crash-safe (a power loss may drop the last commits, never corrupt the file).
    pool: {
      min: 1,
      max: 1,
      idleTimeoutMillis: 2 ** 31 - 1,
      afterCreate: (db: { pragma(sql: string): unknown }, done: (error: Error | null, db: unknown) => void) => {
        // Owner only: the file holds password hashes and customers' messages. SQLite creates the
        // WAL and shared-memory files with the database file's mode, so set it before WAL starts.
        if (dbName !== ':memory:') chmodSync(dbName, 0o600);
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        db.pragma('busy_timeout = 5000');
        // A worker thread checkpoints the file (sqlite-checkpoints.ts); the automatic checkpoint,
        // which runs inside a commit on the event loop, is only a backstop (~40 MB of WAL).
        if (dbName !== ':memory:') db.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
        done(null, db);
      },
    } as Options['pool'],
  };
}
