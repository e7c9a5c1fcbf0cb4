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
  const name = `obrol_drift_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: options.postgresAdminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const orm = await MikroORM.init({
      ...ormOptions({ url: options.postgresAdminUrl.replace(/\/[^/]*$/, `/${name}`), dataDir: '.', entities }),
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
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
