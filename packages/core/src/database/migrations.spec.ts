import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migratedSchemaDrift } from '../testing/schema-drift.js';
import { requireService } from '../testing/require-service.js';
import { coreEntities } from './entities.js';

/** The generated migrations must describe the entities exactly: regenerate them after a change. */
describe('migrations', () => {
  it('SQLite: the migrations build exactly the schema the entities describe', async () => {
    expect(coreEntities.length).toBeGreaterThan(10);
    expect(await migratedSchemaDrift()).toEqual([]);
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
    expect(await migratedSchemaDrift({ postgresAdminUrl: pgUrl })).toEqual([]);
  });
});
