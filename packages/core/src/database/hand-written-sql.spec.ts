import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandWrittenSql } from './hand-written-sql.js';
import { ormOptions } from './orm-config.js';

describe('hand-written statements on SQLite', () => {
  let dataDir: string;
  let orm: MikroORM;
  const sql = new HandWrittenSql('sqlite');

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'obrol-hand-sql-'));
    orm = await MikroORM.init(ormOptions({ dataDir }));
    await orm.em.fork().getConnection().execute('create table scratch (id integer primary key, tag text)');
  });

  afterAll(async () => {
    await orm.close(true);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a `delete … returning` outside a transaction, which would leave the connection unable to commit', async () => {
    await expect(sql.all(orm.em.fork(), 'delete from scratch where tag = ? returning id', ['x'])).rejects.toThrow(/must run in a transaction/);
    // Nothing was left unfinished: a transaction still commits.
    await orm.em.fork().transactional((tx) => sql.run(tx, 'insert into scratch (tag) values (?)', ['kept']));
  });

  it('answers the rows a `delete … returning` removed inside a transaction', async () => {
    await orm.em.fork().transactional((tx) => sql.run(tx, 'insert into scratch (tag) values (?), (?)', ['gone', 'gone']));
    const removed = await orm.em.fork().transactional((tx) => sql.all<{ id: number }>(tx, 'delete from scratch where tag = ? returning id', ['gone']));
    expect(removed).toHaveLength(2);
    await orm.em.fork().transactional((tx) => sql.run(tx, 'insert into scratch (tag) values (?)', ['after']));
  });
});
