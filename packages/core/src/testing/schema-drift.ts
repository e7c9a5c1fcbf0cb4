import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/core';
import pg from 'pg';
import { isDeepStrictEqual } from 'node:util';
import { FULL_TEXT_OBJECTS } from '../database/full-text-objects.js';
import { applyMigrations, migrationsTableOf } from '../database/migrate.js';
import { ormOptions } from '../database/orm-config.js';
import { type PluginRef, resolvePlugin } from '../plugin/obrol-plugin.decorator.js';

/** Tables, columns, indexes and foreign keys of a SQLite database, for comparison. */
async function sqliteShape(orm: MikroORM): Promise<Record<string, unknown>> {
  const connection = orm.em.fork().getConnection();
  const run = <T>(sql: string) => connection.execute(sql) as Promise<T>;
  const fullText = new Set<string>(FULL_TEXT_OBJECTS.sqliteTables);
  const tables = (await run<{ name: string }[]>("select name from sqlite_master where type = 'table' and name not like 'mikro_orm%' and name not like 'sqlite_%' order by name"))
    .map((t) => t.name)
    .filter((name) => !fullText.has(name));
  const shape: Record<string, unknown> = {};
  for (const t of tables) {
    const indexes = await run<{ name: string; unique: number }[]>(`pragma index_list('${t}')`);
    shape[t] = {
      columns: await run(`pragma table_info('${t}')`),
      foreignKeys: (await run<Record<string, unknown>[]>(`pragma foreign_key_list('${t}')`)).map(({ id: _id, seq: _seq, ...fk }) => fk),
      indexes: Object.fromEntries(
        await Promise.all(indexes.filter((i) => !i.name.startsWith('sqlite_autoindex')).map(async (i) => [i.name, { unique: i.unique, columns: (await run<{ name: string }[]>(`pragma index_info('${i.name}')`)).map((c) => c.name) }])),
      ),
    };
  }
  return shape;
}

/** An index's table, name and columns in order, and whether it is unique or partial. */
interface IndexShape {
  table: string;
  name: string;
  columns: string[];
  unique: boolean;
  partial: boolean;
}

/**
 * Plain indexes that another index of the same table already serves: their columns lead the
 * other's. Each one is a page more to write for every row stored, for nothing (ADR 0049).
 * A unique or partial index does more than serve lookups, so it is never counted.
 */
export function redundantIndexes(indexes: readonly IndexShape[]): string[] {
  return indexes
    .filter((a) => !a.unique && !a.partial)
    .flatMap((a) => {
      const wider = indexes.find(
        (b) => b !== a && b.table === a.table && b.columns.length >= a.columns.length && a.columns.every((c, i) => b.columns[i] === c) && (b.columns.length > a.columns.length || b.name < a.name),
      );
      return wider ? [`${a.table}: ${a.name} (${a.columns.join(', ')}) is served by ${wider.name} (${wider.columns.join(', ')})`] : [];
    });
}

async function sqliteIndexes(orm: MikroORM): Promise<IndexShape[]> {
  const connection = orm.em.fork().getConnection();
  const run = <T>(sql: string) => connection.execute(sql) as Promise<T>;
  const tables = await run<{ name: string }[]>("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'");
  const indexes: IndexShape[] = [];
  for (const { name: table } of tables) {
    for (const i of await run<{ name: string; unique: number; partial: number }[]>(`pragma index_list('${table}')`)) {
      const columns = (await run<{ name: string }[]>(`pragma index_info('${i.name}')`)).map((c) => c.name);
      indexes.push({ table, name: i.name, columns, unique: i.unique === 1, partial: i.partial === 1 });
    }
  }
  return indexes;
}

async function postgresIndexes(orm: MikroORM): Promise<IndexShape[]> {
  const rows = await orm.em.fork().getConnection().execute<{ table: string; name: string; columns: string[]; unique: boolean; partial: boolean }[]>(
    `select t.relname as "table", i.relname as name, x.indisunique as "unique", x.indpred is not null as partial,
       array(select a.attname::text from unnest(x.indkey) with ordinality k(attnum, n) join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum order by k.n) as columns
     from pg_index x join pg_class t on t.oid = x.indrelid join pg_class i on i.oid = x.indexrelid join pg_namespace s on s.oid = t.relnamespace
     where s.nspname = current_schema()`,
  );
  return rows;
}

/**
 * The plain indexes that another index already serves (`redundantIndexes`) in the schema that
 * core's and the plugins' migrations build: on SQLite in memory, or on PostgreSQL in a scratch
 * database created from `postgresAdminUrl`.
 */
export async function migratedRedundantIndexes(options: { plugins?: PluginRef[]; postgresAdminUrl?: string } = {}): Promise<string[]> {
  const plugins = (options.plugins ?? []).map(resolvePlugin);
  const entities = plugins.flatMap((p) => p.entities);
  if (!options.postgresAdminUrl) {
    const orm = await MikroORM.init(ormOptions({ dataDir: ':memory:', entities }));
    try {
      await applyMigrations(orm, plugins);
      return redundantIndexes(await sqliteIndexes(orm));
    } finally {
      await orm.close(true);
    }
  }
  return inScratchPostgres(options.postgresAdminUrl, async (url) => {
    const orm = await MikroORM.init(ormOptions({ url, dataDir: '.', entities }));
    try {
      await applyMigrations(orm, plugins);
      return redundantIndexes(await postgresIndexes(orm));
    } finally {
      await orm.close(true);
    }
  });
}

/** Runs `work` on a database created for it from `adminUrl`, dropped afterwards. */
async function inScratchPostgres<T>(adminUrl: string, work: (url: string) => Promise<T>): Promise<T> {
  const name = `obrol_drift_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    return await work(adminUrl.replace(/\/[^/]*$/, `/${name}`));
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

/**
 * How the schema that core's and the plugins' migrations build differs from the one their
 * entities describe: the tables that differ (SQLite, compared by structure, since MikroORM's
 * SQLite diff always proposes rebuilds) or the SQL still needed (PostgreSQL, in a scratch
 * database created from `postgresAdminUrl`). Empty when the migrations are complete.
 */
export async function migratedSchemaDrift(options: { plugins?: PluginRef[]; postgresAdminUrl?: string } = {}): Promise<string[]> {
  const plugins = (options.plugins ?? []).map(resolvePlugin);
  const entities = plugins.flatMap((p) => p.entities);
  if (!options.postgresAdminUrl) {
    const build = async (how: (orm: MikroORM) => Promise<unknown>) => {
      const orm = await MikroORM.init(ormOptions({ dataDir: ':memory:', entities }));
      try {
        await how(orm);
        return await sqliteShape(orm);
      } finally {
        await orm.close(true);
      }
    };
    const migrated = await build((orm) => applyMigrations(orm, plugins));
    const fromEntities = await build((orm) => orm.getSchemaGenerator().createSchema());
    const names = [...new Set([...Object.keys(migrated), ...Object.keys(fromEntities)])].sort();
    return names.filter((t) => !isDeepStrictEqual(migrated[t], fromEntities[t])).map((t) => `table ${t} differs`);
  }
  return inScratchPostgres(options.postgresAdminUrl, async (url) => {
    const orm = await MikroORM.init({
      ...ormOptions({ url, dataDir: '.', entities }),
      // The plugins' migration records are bookkeeping, like core's own table.
      schemaGenerator: { skipTables: plugins.map(migrationsTableOf) },
    });
    try {
      await applyMigrations(orm, plugins);
      const diff = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
      const fullText = new Set<string>(FULL_TEXT_OBJECTS.postgresqlDrops);
      return diff.split('\n').filter((line) => line.trim() && !line.startsWith('--') && !fullText.has(line.trim()));
    } finally {
      await orm.close(true);
    }
  });
}
