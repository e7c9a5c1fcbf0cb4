// The broadcasts plugin on the test channel: an audience file's rows copied into the recipients (ADR 0043) on both databases.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import { type TestObrol, availableStacks, eventually, startTestObrol, testEvents } from '@obrol/plugin-testkit';
import { BroadcastsPlugin } from '@obrol/plugin-broadcasts';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';

// Files of 100,000 and 200,000 rows are staged and copied on a loaded 2-core machine.
vi.setConfig({ testTimeout: 300_000 });

const stacks = await availableStacks();
const plugins = [BroadcastsPlugin.init({ defaultMessagesPerSecond: 1 })];
const template = { name: 'copy_hello', language: 'en' };
/** Rows of the large files: ten of SQLite's copy transactions. */
const ROWS = 100_000;
/** Rows of the file copied while a customer writes: twenty transactions, time for the webhook and a look at the recipients between two. */
const MANY_ROWS = 200_000;

/** Indonesian mobile numbers, unique per test through `base`, in order. */
const phones = (base: number, n: number) => Array.from({ length: n }, (_, i) => `+62813${String(base + i).padStart(8, '0')}`);
const csvOf = (numbers: string[]) => ['phone', ...numbers].join('\n');

/**
 * Once an audience file proved valid, its rows are copied into the recipients under the
 * import's own audience, unseen, and one short update makes them the broadcast's (ADR 0043): on
 * SQLite a transaction of 10,000 rows at a time, so a customer's message is stored while a large
 * file is copied, not after it; on PostgreSQL one transaction. Nothing half-imported is ever the
 * broadcast's audience: not while the copy runs, not after the process stopped in the middle of
 * it, not when two files reach one draft at once.
 */
for (const stack of stacks) describe.skipIf(!stack.run)(`an audience copied into the recipients on ${stack.name}`, () => {
  const started: TestObrol[] = [];
  const dataDirs: string[] = [];
  afterEach(async () => {
    // Last first: a process that shares the first one's database is closed before it drops it.
    for (const env of started.splice(0).reverse()) await env.close();
    for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A data directory that outlives one process, for the next one to start on. */
  function sharedDataDir(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'obrol-audience-copy-'));
    dataDirs.push(dir);
    return dir;
  }

  async function obrol(options: Partial<Parameters<typeof startTestObrol>[0]> = {}): Promise<TestObrol> {
    const env = await startTestObrol({ database: stack.database, bus: stack.bus, plugins, ...options });
    started.push(env);
    return env;
  }

  /** A test-channel inbox with the template approved, and a draft on it; answers both. */
  async function draftOn(env: TestObrol, name: string) {
    const inbox = await env.createTestChannel(name);
    env.provider.templates.push({ ...template, category: 'UTILITY', parameterFormat: 'positional', components: { body: { text: 'Hello' } }, status: 'APPROVED', externalId: `tpl-${name}` });
    expect((await env.api('POST', `/api/v1/channels/${inbox.id}/templates/sync`)).status).toBe(200);
    const created = await env.api('POST', '/api/v1/broadcasts', { channelAccountId: inbox.id, name, template });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return { inbox, id: created.body.id as string };
  }

  const upload = (env: TestObrol, id: string, numbers: string[]) =>
    env.api('POST', `/api/v1/broadcasts/${id}/audience`, undefined, { raw: csvOf(numbers), headers: { 'content-type': 'text/csv' } });
  const query = <T>(env: TestObrol, sql: string, params: unknown[] = []) => env.app.app.get(MikroORM).em.fork().getConnection().execute<T[]>(sql, params);
  const count = async (env: TestObrol, table: 'broadcast_recipients' | 'broadcast_audience_staged', id: string) =>
    Number((await query<{ n: number | string }>(env, `select count(*) as n from ${table} where broadcast_id = ?`, [id]))[0]!.n);
  /** The numbers the API lists as the broadcast's recipients (the first 200), in order. */
  const recipientPhones = async (env: TestObrol, id: string) => {
    const page = await env.api('GET', `/api/v1/broadcasts/${id}/recipients?limit=200`);
    expect(page.status).toBe(200);
    return (page.body.items as { phone: string }[]).map((r) => r.phone).sort();
  };

  /** A test of one database only, registered on that stack alone (a skipped test would count in CI as one not run). */
  const onlyOn = (database: 'sqlite' | 'postgres', name: string, test: () => Promise<void>) => {
    if (stack.database === database) it(name, test);
  };

  it("stores a customer's message that arrives while a large file is copied, and shows only the previous audience until the new one is in whole", async () => {
    const env = await obrol();
    const { inbox, id } = await draftOn(env, 'Copied while customers write');
    const previous = phones(0, 3);
    expect((await upload(env, id, previous)).status).toBe(201);
    const numbers = phones(1_000_000, MANY_ROWS);
    let answered = false;
    const uploading = upload(env, id, numbers).finally(() => (answered = true));
    // Every row staged: what is left is the copy into the recipients.
    await eventually(async () => (await count(env, 'broadcast_audience_staged', id)) === MANY_ROWS || null, 240_000, 'every row staged');

    const webhook = await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text(`during-copy-${stack.database}`, { id: '6281900000001' }, 'Is my order on its way?')] });
    expect(webhook.status, JSON.stringify(webhook.body)).toBe(200);
    // Stored (a webhook is answered once its events are) while the file is still being copied,
    // before the broadcast took it: the rows copied so far are no one's recipients yet.
    expect(answered).toBe(false);
    expect(await recipientPhones(env, id)).toEqual(previous);
    // Whatever the copy has reached meanwhile, the estimate counts one audience whole: never a mix.
    expect([3, MANY_ROWS]).toContain((await env.api('GET', `/api/v1/broadcasts/${id}/estimate`)).body.messages);

    const done = await uploading;
    expect(done.status, JSON.stringify(done.body)).toBe(201);
    expect(done.body).toMatchObject({ imported: MANY_ROWS, rows: MANY_ROWS, errors: [] });
    // The new audience whole, and nothing of the previous one or of the staging left.
    expect(await count(env, 'broadcast_recipients', id)).toBe(MANY_ROWS);
    expect(await recipientPhones(env, id)).toEqual(numbers.slice(0, 200));
    expect((await env.api('GET', `/api/v1/broadcasts/${id}/estimate`)).body.messages).toBe(MANY_ROWS);
    expect(await count(env, 'broadcast_audience_staged', id)).toBe(0);
    await eventually(
      async () => (await query(env, 'select id from messages where external_id = ?', [`during-copy-${stack.database}`])).length > 0 || null,
      30_000,
      "the customer's message in the inbox",
    );
  });

  it('makes one of two files reaching one draft at once its audience, whole, and leaves nothing of the other', async () => {
    const env = await obrol();
    const { id } = await draftOn(env, 'Two files at once');
    expect((await upload(env, id, phones(0, 3))).status).toBe(201);
    const large = phones(3_000_000, 30_000);
    const small = phones(4_000_000, 500);
    const largeUpload = upload(env, id, large);
    await eventually(async () => (await count(env, 'broadcast_audience_staged', id)) > 0 || null, 120_000, 'the first file staging');
    const [a, b] = await Promise.all([largeUpload, upload(env, id, small)]);
    expect([a.status, b.status]).toEqual([201, 201]);
    // The last to be made the audience wins, as when each was one transaction; never a mix.
    const stored = await count(env, 'broadcast_recipients', id);
    const audience = await recipientPhones(env, id);
    if (stored === small.length) expect(audience).toEqual(small.slice(0, 200));
    else {
      expect(stored).toBe(large.length);
      expect(audience).toEqual(large.slice(0, 200));
    }
    expect(await count(env, 'broadcast_audience_staged', id)).toBe(0);
  });

  onlyOn('sqlite', 'keeps the previous audience when the process stops in the middle of a copy, and the next start leaves no row of it', async () => {
    const dataDir = sharedDataDir();
    const first = await obrol({ dataDir });
    const { id } = await draftOn(first, 'Stopped mid-copy');
    const previous = phones(0, 3);
    expect((await upload(first, id, previous)).status).toBe(201);
    const cut = upload(first, id, phones(5_000_000, ROWS)).catch(() => null);
    // The first rows copied, unseen: the broadcast holds more rows than its audience.
    await eventually(async () => (await count(first, 'broadcast_recipients', id)) > previous.length || null, 240_000, 'the copy under way');
    // The copy stops between two of its transactions, or the database closes under it.
    await first.close();
    await cut;

    const second = await obrol({ dataDir, secretKey: first.secretKey });
    expect(await recipientPhones(second, id)).toEqual(previous);
    expect(await count(second, 'broadcast_recipients', id)).toBe(previous.length);
    // The draft takes a file again.
    const again = await upload(second, id, phones(6_000_000, 5));
    expect(again.body).toMatchObject({ imported: 5, rows: 5, errors: [] });
    expect(await recipientPhones(second, id)).toEqual(phones(6_000_000, 5));
  });

  onlyOn('sqlite', 'removes at the next start the rows a copy could not take back when it lost the database in the middle', async () => {
    const dataDir = sharedDataDir();
    const first = await obrol({ dataDir });
    const { id } = await draftOn(first, 'Database lost mid-copy');
    const previous = phones(0, 3);
    expect((await upload(first, id, previous)).status).toBe(201);
    const cut = upload(first, id, phones(7_000_000, ROWS));
    await eventually(async () => (await count(first, 'broadcast_recipients', id)) > previous.length || null, 240_000, 'the copy under way');
    const restore = await first.databaseOutage();
    expect((await cut).status).toBe(503);
    await restore();
    // The copied rows are still there (their removal failed with the database), and no one's recipients.
    expect(await count(first, 'broadcast_recipients', id)).toBeGreaterThan(previous.length);
    expect(await recipientPhones(first, id)).toEqual(previous);
    await first.close();

    const second = await obrol({ dataDir, secretKey: first.secretKey });
    expect(await count(second, 'broadcast_recipients', id)).toBe(previous.length);
    expect(await recipientPhones(second, id)).toEqual(previous);
  });

  onlyOn('postgres', 'keeps the previous audience when the process stops in the middle of a copy, and the next process sees no row of it', async () => {
    const first = await obrol();
    const { id } = await draftOn(first, 'Stopped mid-copy');
    const previous = phones(0, 3);
    expect((await upload(first, id, previous)).status).toBe(201);
    const numbers = phones(8_000_000, ROWS);
    const cut = upload(first, id, numbers).catch(() => null);
    const importId = await eventually(
      async () => (await query<{ import_id: string }>(first, 'select import_id from broadcast_audience_staged where broadcast_id = ? limit 1', [id]))[0]?.import_id,
      120_000,
      'the file staging',
    );
    // A transaction of the test's holds one number of the copy, uncommitted: the copy's insert
    // waits for it in the middle of the statement, in the middle of the import's transaction.
    const holder = new pg.Client({ connectionString: first.databaseUrl });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query("insert into broadcast_recipients (id, created_at, updated_at, broadcast_id, audience_id, phone, columns, status, attempts) values ('held-by-the-test', now(), now(), $1, $2, $3, '{}', 'pending', 0)", [
        id,
        importId,
        numbers.at(-1),
      ]);
      // Asked outside the held transaction: a transaction sees one snapshot of the activity.
      await eventually(
        async () =>
          (await query(first, "select pid from pg_stat_activity where wait_event_type = 'Lock' and query like 'insert into broadcast_recipients%' and datname = current_database()")).length > 0 || null,
        240_000,
        'the copy waiting for the held number',
      );
      const stopping = first.app.close();
      // The process answers no more requests: its modules were told it stops before its HTTP
      // server closed, and its copy still waits.
      await eventually(() => fetch(`${first.url}/healthz`).then(() => false, () => true), 60_000, 'the process to stop taking requests');
      await holder.query('rollback');
      await stopping;
    } finally {
      await holder.end();
    }
    await cut;

    const second = await obrol({ databaseUrl: first.databaseUrl, natsNamespace: first.natsNamespace, secretKey: first.secretKey });
    expect(await recipientPhones(second, id)).toEqual(previous);
    expect(await count(second, 'broadcast_recipients', id)).toBe(previous.length);
  });
});
