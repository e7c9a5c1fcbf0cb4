import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/core';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { requireService } from '../testing/require-service.js';
import { ormOptions } from './orm-config.js';

/** The generated migrations must describe the entities exactly: regenerate them after a change. */
async function schemaDrift(url: string): Promise<string[]> {
  const orm = await MikroORM.init(ormOptions({ url, dataDir: ':memory:' }));
  try {
    await orm.getMigrator().up();
    const diff = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
    return diff.split('\n').filter((line) => line.trim() && !line.startsWith('--'));
  } finally {
    await orm.close(true);
  }
}

/** Tables, columns, indexes and foreign keys of a SQLite database, for comparison. */
async function sqliteShape(build: (orm: MikroORM) => Promise<unknown>): Promise<unknown> {
  const orm = await MikroORM.init(ormOptions({ dataDir: ':memory:' }));
  try {
    await build(orm);
    const connection = orm.em.fork().getConnection();
    const conn = { execute: <T>(sql: string) => connection.execute(sql) as Promise<T> };
    const tables = (await conn.execute<{ name: string }[]>("select name from sqlite_master where type = 'table' and name not like 'mikro_orm%' and name not like 'sqlite_%' order by name")).map((t) => t.name);
    const shape: Record<string, unknown> = {};
    for (const t of tables) {
      const indexes = await conn.execute<{ name: string; unique: number }[]>(`pragma index_list('${t}')`);
      shape[t] = {
        columns: await conn.execute(`pragma table_info('${t}')`),
        foreignKeys: (await conn.execute<Record<string, unknown>[]>(`pragma foreign_key_list('${t}')`)).map(({ id: _id, seq: _seq, ...fk }) => fk),
        indexes: Object.fromEntries(
          await Promise.all(indexes.filter((i) => !i.name.startsWith('sqlite_autoindex')).map(async (i) => [i.name, { unique: i.unique, columns: (await conn.execute<{ name: string }[]>(`pragma index_info('${i.name}')`)).map((c) => c.name) }])),
        ),
      };
    }
    return shape;
  } finally {
    await orm.close(true);
  }
}

describe('migrations', () => {
  // MikroORM's SQLite diff always proposes table rebuilds, so compare structures instead.
  it('SQLite: the migrations build exactly the schema the entities describe', async () => {
    const migrated = await sqliteShape((orm) => orm.getMigrator().up());
    const fromEntities = await sqliteShape((orm) => orm.getSchemaGenerator().createSchema());
    expect(Object.keys(migrated as object).length).toBeGreaterThan(10);
    expect(migrated).toEqual(fromEntities);
  });

  const pgUrl = process.env.OBROL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  it('PostgreSQL: applying every migration leaves nothing to change', async () => {
    const reachable = await requireService('postgres', async () => {
      const c = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 2000 });
      await c.connect();
      await c.end();
      return true;
    }, { at: pgUrl.replace(/\/\/[^@]*@/, '//') });
    if (!reachable) return;
    const name = `obrol_mig_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    try {
      expect(await schemaDrift(pgUrl.replace(/\/[^/]*$/, `/${name}`))).toEqual([]);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
