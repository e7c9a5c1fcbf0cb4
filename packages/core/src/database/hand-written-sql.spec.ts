import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { type EntityManager, MikroORM, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandWrittenSql, PREPARED_PER_CONNECTION, PREPARED_VALUES_EACH, PREPARED_VALUES_PER_CONNECTION, preparedStatementsOn } from './hand-written-sql.js';
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

  it('runs counted statements one by one, and fails on the first whose count is off', async () => {
    await orm.em.fork().getConnection().execute("create unique index scratch_tag on scratch (tag) where tag like 'counted-%'");
    await orm.em.fork().transactional((tx) =>
      sql.runCounted(tx, [
        { sql: 'insert into scratch (tag) values (?), (?) returning id', params: ['counted-1', 'counted-2'], expected: 2, mismatch: (n) => `${n} missing` },
        { sql: "update scratch set tag = tag || '-seen' where tag = ? returning id", params: ['counted-1'], expected: 1, mismatch: (n) => `${n} missing` },
      ]),
    );
    const failed = orm.em.fork().transactional((tx) =>
      sql.runCounted(tx, [
        { sql: 'insert into scratch (tag) values (?) returning id', params: ['counted-3'], expected: 1, mismatch: (n) => `${n} missing` },
        { sql: 'insert into scratch (tag) values (?) on conflict do nothing returning id', params: ['counted-2'], expected: 1, mismatch: (n) => `${n} duplicate(s) skipped` },
      ]),
    );
    await expect(failed).rejects.toThrow('1 duplicate(s) skipped');
    const tags = (await orm.em.fork().getConnection().execute("select tag from scratch where tag like 'counted-%' order by tag")) as { tag: string }[];
    expect(tags.map((r) => r.tag)).toEqual(['counted-1-seen', 'counted-2']);
  });
  it('reads rows and lists given as rowsOf and inList builds them', async () => {
    const v = sql.rowsOf(
      [
        [1, 'satu', 'a'],
        [2, null, 'b'],
      ],
      ['int', 'text', { constant: "'k'" }, 'text'],
    );
    expect(v.sql).toBe("values (?, ?, 'k', ?), (?, ?, 'k', ?)");
    const tags = sql.inList('v.tag', ['satu', 'tiga'], 'text');
    const rows = await sql.all<{ n: number; tag: string | null; k: string }>(orm.em.fork(), `with v (n, tag, k, extra) as (${v.sql}) select n, tag, k from v where ${tags.sql} or tag is null order by n`, [...v.params, ...tags.params]);
    expect(rows).toEqual([
      { n: 1, tag: 'satu', k: 'k' },
      { n: 2, tag: null, k: 'k' },
    ]);
  });

  it('keeps prepared statements within a budget of bound values, and none larger than its limit', async () => {
    const lookup = (values: number, salt: string) => `select count(*) as n from scratch where tag in (${Array.from({ length: values }, () => '?').join(', ')}) and '${salt}' = '${salt}'`;
    await orm.em.fork().transactional(async (tx) => {
      const connection = await tx.getTransactionContext<Knex.Transaction>()!.client.acquireConnection();
      const small = lookup(3, 'small');
      await sql.all(tx, small, ['a', 'b', 'c']);
      const withSmall = preparedStatementsOn(connection);
      // A statement above the limit runs, and is not kept.
      const [row] = await sql.all<{ n: number }>(tx, lookup(PREPARED_VALUES_EACH + 1, 'large'), Array.from({ length: PREPARED_VALUES_EACH + 1 }, (_, i) => `t${i}`));
      expect(Number(row!.n)).toBe(0);
      expect(preparedStatementsOn(connection)).toEqual(withSmall);
      // Many distinct statements: the oldest go first, and the total stays within the budget.
      const size = 500;
      const count = Math.ceil((2 * PREPARED_VALUES_PER_CONNECTION) / size);
      for (let i = 0; i < count; i++) await sql.all(tx, lookup(size, `many-${i}`), Array.from({ length: size }, (_, k) => `m${k}`));
      const kept = preparedStatementsOn(connection);
      expect(kept.values).toBeLessThanOrEqual(PREPARED_VALUES_PER_CONNECTION);
      expect(kept.values).toBeGreaterThan(PREPARED_VALUES_PER_CONNECTION - size);
      expect(kept.statements).toBeLessThanOrEqual(PREPARED_PER_CONNECTION);
      // Past the count limit too: tiny statements, one value each.
      for (let i = 0; i < PREPARED_PER_CONNECTION + 20; i++) await sql.all(tx, lookup(1, `tiny-${i}`), ['x']);
      expect(preparedStatementsOn(connection).statements).toBe(PREPARED_PER_CONNECTION);
    });
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

  it('sends counted statements as one statement, each counted, and fails the transaction when a count is off', async () => {
    let sent = 0;
    const counted = (tag: string, expected = 1) => ({
      sql: `insert into ${table} (tag) values (?) on conflict (tag) do nothing returning id`,
      params: [tag],
      expected,
      mismatch: (n: number) => `${n} of ${tag} skipped`,
    });
    await orm.em.fork().transactional(async (tx) => {
      sent = await countingQueries(tx, () =>
        sql.runCounted(tx, [counted('one-trip-1'), counted('one-trip-2'), { sql: `update ${table} set n = ? where tag = ? returning id`, params: [5, 'in-1'], expected: 1, mismatch: (n) => `${n} not updated` }]),
      );
    });
    expect(sent).toBe(1);
    const failed = orm.em.fork().transactional((tx) => sql.runCounted(tx, [counted('one-trip-3'), counted('one-trip-1')]));
    await expect(failed).rejects.toThrow('1 of one-trip-1 skipped');
    const rows = (await orm.em.fork().getConnection().execute(`select tag, n from ${table} where tag like 'one-trip-%' or tag = 'in-1' order by tag`)) as { tag: string; n: number | null }[];
    expect(rows.map((r) => [r.tag, r.n])).toEqual([
      ['in-1', 5],
      ['one-trip-1', null],
      ['one-trip-2', null],
    ]);
  });

  /** How many statements `run` sends on the transaction's `pg` client. */
  async function countingQueries(tx: EntityManager, run: () => Promise<void>): Promise<number> {
    const client = (await tx.getTransactionContext<Knex.Transaction>()!.client.acquireConnection()) as { query: (...args: unknown[]) => unknown };
    const query = client.query;
    let n = 0;
    client.query = (...args: unknown[]) => {
      n++;
      return query.apply(client, args);
    };
    try {
      await run();
    } finally {
      client.query = query;
    }
    return n;
  }

  it('writes and reads rows given as arrays (rowsOf, inList), whatever their text holds', async () => {
    const at = new Date('2026-12-01T23:45:00.250Z');
    const awkward = ['koma, {kurawal} "kutip" \\ garis', 'NULL', '', 'emoji 🙂'];
    const rows = awkward.map((tag, i) => [`arr-${i}-${tag}`, sql.date(i === 1 ? null : at), sql.json(i === 2 ? null : { tag, i }), i]);
    const v = sql.rowsOf(rows, ['text', 'timestamptz', 'jsonb', 'int', { constant: 'true' }]);
    const written = await orm.em
      .fork()
      .transactional((tx) => sql.all<{ tag: string }>(tx, `insert into ${table} (tag, at, body, n, flag) ${v.sql} returning tag`, v.params, { prepared: true }));
    expect(written.map((r) => r.tag)).toEqual(rows.map((r) => r[0]));
    const tags = sql.inList('tag', rows.map((r) => r[0]), 'text');
    const read = await sql.all<{ tag: string; at: unknown; body: unknown; n: number; flag: boolean }>(orm.em.fork(), `select tag, at, body, n, flag from ${table} where ${tags.sql} order by n`, tags.params);
    expect(read.map((r) => [r.tag, sql.readDate(r.at), r.body, r.n, r.flag])).toEqual(
      awkward.map((tag, i) => [`arr-${i}-${tag}`, i === 1 ? null : at, i === 2 ? null : { tag, i }, i, true]),
    );
  });

  it('keeps a text given as prepared parsed on its connection under one name, for any number of rows', async () => {
    const statementFor = (count: number) => {
      const v = sql.rowsOf(Array.from({ length: count }, (_, i) => [`named-${count}-${i}`]), ['text']);
      return { sql: `insert into ${table} (tag) ${v.sql} returning id`, params: v.params };
    };
    const one = statementFor(1);
    expect(statementFor(7).sql).toBe(one.sql);
    const kept = await orm.em.fork().transactional(async (tx) => {
      for (const count of [1, 7, 3]) {
        const s = statementFor(count);
        expect(await sql.all(tx, s.sql, s.params, { prepared: true })).toHaveLength(count);
      }
      return sql.all<{ name: string }>(tx, "select name from pg_prepared_statements where statement like '%unnest($1::text[])%'", []);
    });
    expect(kept).toHaveLength(1);
    expect(kept[0]!.name).toMatch(/^obrol_\d+$/);
  });

  it('refuses an undefined value instead of binding it as null', async () => {
    await expect(orm.em.fork().transactional((tx) => sql.run(tx, `insert into ${table} (tag) values (?)`, [undefined]))).rejects.toThrow(/undefined value/);
  });
});
