import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { MikroORM, UniqueConstraintViolationException } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandWrittenSql } from './hand-written-sql.js';
import { ormOptions } from './orm-config.js';
import { requirePostgres, testPostgresUrl } from '../testing/test-postgres.js';

const postgres = await requirePostgres();

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

describe.runIf(postgres)('hand-written statements on PostgreSQL', () => {
  const table = `scratch_${randomBytes(4).toString('hex')}`;
  let orm: MikroORM;
  const sql = new HandWrittenSql('postgresql');

  beforeAll(async () => {
    orm = await MikroORM.init(ormOptions({ url: testPostgresUrl, dataDir: '.' }));
    await orm.em.fork().getConnection().execute(`create table ${table} (id serial primary key, tag text unique, at timestamptz, body jsonb, flag boolean, n int)`);
  });

  afterAll(async () => {
    await orm.em.fork().getConnection().execute(`drop table if exists ${table}`);
    await orm.close(true);
  });

  it('binds values in a transaction (straight to the pg client) as it does outside one (through knex)', async () => {
    const at = new Date('2026-11-30T21:00:00.123Z');
    const row = (tag: string) => [tag, sql.date(at), sql.json({ text: 'tanda tanya? ya', list: [1, 2] }), sql.flag(true), 7];
    const insert = `insert into ${table} (tag, at, body, flag, n) values (?, ?, ${sql.jsonParam}, ?, ?), (?, ?, ${sql.jsonParam}, ?, ?) returning tag, at, body, flag, n`;
    const inside = await orm.em.fork().transactional((tx) => sql.all(tx, insert, [...row('in-1'), ...row('in-2')]));
    const outside = await sql.all(orm.em.fork(), insert, [...row('out-1'), ...row('out-2')]);
    expect(inside.map((r) => ({ ...(r as object), tag: undefined }))).toEqual(outside.map((r) => ({ ...(r as object), tag: undefined })));
    expect(inside[0]).toMatchObject({ tag: 'in-1', body: { text: 'tanda tanya? ya', list: [1, 2] }, flag: true, n: 7 });
    expect(sql.readDate((inside[0] as { at: unknown }).at)).toEqual(at);
  });

  it("throws the driver's exception as the unit of work would, without the statement's values", async () => {
    await orm.em.fork().transactional((tx) => sql.run(tx, `insert into ${table} (tag) values (?)`, ['rahasia-pelanggan']));
    const failed = orm.em.fork().transactional((tx) => sql.run(tx, `insert into ${table} (tag) values (?)`, ['rahasia-pelanggan']));
    await expect(failed).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    await expect(failed).rejects.not.toThrow(/rahasia-pelanggan/);
  });

  it('refuses an undefined value instead of binding it as null', async () => {
    await expect(orm.em.fork().transactional((tx) => sql.run(tx, `insert into ${table} (tag) values (?)`, [undefined]))).rejects.toThrow(/undefined value/);
  });
});
