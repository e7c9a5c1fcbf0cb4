import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../testing/test-postgres.js';
import { ormOptions } from './orm-config.js';
import { CLOSING_MESSAGE } from './drivers.js';

/**
 * Closing the database (shutdown, or a test's simulated outage) while a connection is in use:
 * knex's pool waits for that connection, and a query asked for meanwhile used to wait out the
 * whole acquire timeout (60 s), holding up the loop that asked for it, and the shutdown.
 */
async function queryWhileClosing(orm: MikroORM): Promise<unknown> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let inTransaction!: () => void;
  const started = new Promise<void>((resolve) => (inTransaction = resolve));
  const transaction = orm.em.fork().transactional(async (tx) => {
    await tx.getConnection().execute('select 1', [], 'all', tx.getTransactionContext());
    inTransaction();
    await held;
  });
  await started;
  const closing = orm.close(true);
  const refused = await orm.em.fork().getConnection().execute('select 1').then(
    () => null,
    (error: Error) => error,
  );
  release();
  await transaction.catch(() => undefined);
  await closing;
  return refused;
}

describe('a query asked for while the database closes', () => {
  it('fails at once on SQLite, and the close completes', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'obrol-closing-'));
    try {
      const orm = await MikroORM.init(ormOptions({ dataDir }));
      expect(await queryWhileClosing(orm)).toMatchObject({ message: CLOSING_MESSAGE });
      // A new pool serves queries again (what a simulated outage's restore does).
      await orm.connect();
      expect(await orm.em.fork().getConnection().execute('select 1 as one')).toEqual([{ one: 1 }]);
      await orm.close(true);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('fails at once on PostgreSQL, and the close completes', async (context) => {
    if (!(await requirePostgres())) return context.skip();
    const url = testPostgresUrl;
    const orm = await MikroORM.init(ormOptions({ url, dataDir: '.' }));
    expect(await queryWhileClosing(orm)).toMatchObject({ message: CLOSING_MESSAGE });
    await orm.connect();
    expect(await orm.em.fork().getConnection().execute('select 1 as one')).toEqual([{ one: 1 }]);
    await orm.close(true);
  });
});
