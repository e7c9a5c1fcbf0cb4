// The broadcasts plugin on the test channel: two workers launching the same broadcast at once.
import { MikroORM } from '@mikro-orm/core';
import { type TestObrol, availableStacks, eventually, startTestObrol } from '@obrol/plugin-testkit';
import { BroadcastEngine, BroadcastsPlugin } from '@obrol/plugin-broadcasts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 60_000 });

const postgres = (await availableStacks()).find((s) => s.database === 'postgres')!;

/**
 * Each worker's schedule job launches the broadcasts that came due, so two workers can launch
 * the same one at once. Only PostgreSQL runs two transactions at once (SQLite's one writer takes
 * them in turn), so the race is staged there: the test holds the broadcast's row locked while
 * both launches reach it, then lets go. One launch starts it; the other finds it started and
 * does nothing, so the audience is planned once and `broadcast.started` is recorded once.
 */
describe.skipIf(!postgres.run)(`two launches of one broadcast at once, on ${postgres.name}`, () => {
  let env: TestObrol;
  let orm: MikroORM;
  let inbox: string;
  const template = { name: 'race_hello', language: 'en' };

  beforeAll(async () => {
    env = await startTestObrol({ database: postgres.database, bus: postgres.bus, plugins: [BroadcastsPlugin.init({ defaultMessagesPerSecond: 1 })] });
    orm = env.app.app.get(MikroORM);
    inbox = (await env.createTestChannel('Race')).id;
    env.provider.templates.push({ ...template, category: 'UTILITY', parameterFormat: 'positional', components: { body: { text: 'Hi {{1}}' } }, status: 'APPROVED', externalId: 'tpl-race' });
    expect((await env.api('POST', `/api/v1/channels/${inbox}/templates/sync`)).status).toBe(200);
  });
  afterAll(async () => {
    await env?.close();
  });

  const query = async <T>(sql: string, params: unknown[] = []) => (await orm.em.fork().getConnection().execute(sql, params)) as T[];

  it('starts it once: one launch wins, the other finds it started', async () => {
    const csv = ['phone,name', ...Array.from({ length: 30 }, (_, i) => `+6281170000${String(i).padStart(3, '0')},Customer ${i}`)].join('\n');
    const created = await env.api('POST', '/api/v1/broadcasts', { channelAccountId: inbox, name: 'Raced', template, variables: { body: [{ source: { from: 'column', column: 'name' } }] } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    expect((await env.api('POST', `/api/v1/broadcasts/${id}/audience`, undefined, { raw: csv, headers: { 'content-type': 'text/csv' } })).status).toBe(201);
    const engine = env.app.app.get(BroadcastEngine);

    let launches: Promise<boolean[]> | undefined;
    await orm.em.fork().transactional(async (tx) => {
      await tx.getConnection().execute('select id from broadcasts where id = ? for update', [id], 'all', tx.getTransactionContext());
      launches = Promise.all([engine.launch(id, 'draft'), engine.launch(id, 'draft')]);
      // Both launches wait for the row this transaction holds.
      await eventually(
        async () => Number((await query<{ n: string }>("select count(*) as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%broadcasts%'"))[0]!.n) >= 2 || null,
        30_000,
        'both launches waiting for the broadcast',
      );
    });
    expect((await launches!).sort()).toEqual([false, true]);

    const b = (await env.api('GET', `/api/v1/broadcasts/${id}`)).body;
    expect(b).toMatchObject({ status: 'running', counters: { total: 30 } });
    const started = await query<{ n: string }>("select count(*) as n from outbox_events where subject like '%.broadcast.started' and payload::text like ?", [`%${id}%`]);
    expect(Number(started[0]!.n)).toBe(1);
    await env.api('POST', `/api/v1/broadcasts/${id}/cancel`, {});
  });
});
