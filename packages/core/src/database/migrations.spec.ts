import { describe, expect, it } from 'vitest';
import { migratedSchemaDrift } from '../testing/schema-drift.js';
import { requirePostgres, testPostgresUrl } from '../testing/test-postgres.js';
import { coreEntities } from './entities.js';

/** The generated migrations must describe the entities exactly: regenerate them after a change. */
describe('migrations', () => {
  it('SQLite: the migrations build exactly the schema the entities describe', async () => {
    expect(coreEntities.length).toBeGreaterThan(10);
    expect(await migratedSchemaDrift()).toEqual([]);
  });

  it('PostgreSQL: applying every migration leaves nothing to change', async () => {
    if (!(await requirePostgres())) return;
    expect(await migratedSchemaDrift({ postgresAdminUrl: testPostgresUrl })).toEqual([]);
  });
});
