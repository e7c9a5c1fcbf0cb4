import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import { afterAll, describe, expect, it } from 'vitest';
import { ormOptions } from './orm-config.js';

describe('the SQLite file', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'obrol-mode-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('and its WAL are readable by the owner only', async () => {
    const orm = await MikroORM.init(ormOptions({ dataDir }));
    try {
      await orm.getMigrator().up();
      for (const file of ['obrol.sqlite', 'obrol.sqlite-wal']) expect(statSync(path.join(dataDir, file)).mode & 0o777, file).toBe(0o600);
    } finally {
      await orm.close(true);
    }
  });
});
