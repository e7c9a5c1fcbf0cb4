import { describe, expect, it } from 'vitest';
import { migratedRedundantIndexes, migratedSchemaDrift, redundantIndexes } from '../testing/schema-drift.js';
import { requirePostgres, testPostgresUrl } from '../testing/test-postgres.js';
import { coreEntities } from './entities.js';

/**
 * MikroORM's own pivot table for agents' inboxes: its key (agent, inbox) serves the agent index
 * MikroORM adds on SQLite, and only an admin's edit writes it (ADR 0049).
 */
const pivotIndex = (finding: string) => !finding.startsWith('agent_inboxes:');

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

  it('SQLite: no index is one another index already serves', async () => {
    expect((await migratedRedundantIndexes()).filter(pivotIndex)).toEqual([]);
  });

  it('PostgreSQL: no index is one another index already serves', async () => {
    if (!(await requirePostgres())) return;
    expect(await migratedRedundantIndexes({ postgresAdminUrl: testPostgresUrl })).toEqual([]);
  });
});

describe('redundantIndexes', () => {
  const index = (name: string, columns: string[], more: { unique?: boolean; partial?: boolean; table?: string } = {}) => ({
    table: more.table ?? 't',
    name,
    columns,
    unique: more.unique ?? false,
    partial: more.partial ?? false,
  });

  it('names a plain index whose columns lead another index of its table', () => {
    expect(redundantIndexes([index('t_a', ['a']), index('t_a_b', ['a', 'b'], { unique: true })])).toEqual(['t: t_a (a) is served by t_a_b (a, b)']);
  });

  it('names one of two plain indexes on the same columns, not both', () => {
    expect(redundantIndexes([index('t_b', ['a']), index('t_a', ['a'])])).toEqual(['t: t_b (a) is served by t_a (a)']);
  });

  it('keeps unique and partial indexes, indexes that do not lead, and other tables', () => {
    const indexes = [
      index('t_a_unique', ['a'], { unique: true }),
      index('t_a_partial', ['a'], { partial: true }),
      index('t_b', ['b']),
      index('u_a', ['a'], { table: 'u' }),
      index('t_a_b', ['a', 'b']),
      index('t_c_b', ['c', 'b']),
    ];
    expect(redundantIndexes(indexes)).toEqual([]);
  });
});
