import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKSTOP_CHECKPOINT_PAGES, ormOptions } from './orm-config.js';
import type { CheckpointResult } from './sqlite-checkpoints.js';
import type { ValueFreeLibSqlDriver } from './drivers.js';

describe('checkpoints of the SQLite file', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'obrol-checkpoints-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('are taken by a worker thread, not by a commit on the event loop, and stop with the connection', async () => {
    const orm = await MikroORM.init(ormOptions({ dataDir }));
    const driver = orm.em.getDriver() as unknown as ValueFreeLibSqlDriver;
    try {
      const connection = orm.em.getConnection();
      // The commit's own checkpoint waits for ten times SQLite's default.
      expect(await connection.execute('pragma wal_autocheckpoint')).toEqual([{ wal_autocheckpoint: BACKSTOP_CHECKPOINT_PAGES }]);
      const checkpoints = driver.checkpoints!;
      expect(checkpoints).toBeDefined();
      const copied = new Promise<CheckpointResult>((resolve) => {
        const stop = checkpoints.onCheckpoint((result) => {
          if (result.log > 0 && result.checkpointed === result.log) {
            stop();
            resolve(result);
          }
        });
      });
      await connection.execute('create table notes (id integer primary key, body text)');
      for (let i = 0; i < 20; i++) {
        await orm.em.fork().transactional((tx) => tx.getConnection().execute(`insert into notes (body) values ('${'x'.repeat(4000)}')`, [], 'run', tx.getTransactionContext()));
      }
      // Every page the commits wrote to the WAL is in the database file, copied by the worker.
      expect((await copied).log).toBeGreaterThanOrEqual(20);
    } finally {
      await orm.close(true);
    }
    expect(driver.checkpoints).toBeUndefined();
    // Connected again (after an outage): checkpoints again.
    await orm.connect();
    expect(driver.checkpoints).toBeDefined();
    await orm.close(true);
  });

  it('are not taken for an in-memory database', async () => {
    const orm = await MikroORM.init(ormOptions({ dataDir: ':memory:' }));
    expect((orm.em.getDriver() as unknown as ValueFreeLibSqlDriver).checkpoints).toBeUndefined();
    await orm.close(true);
  });
});
