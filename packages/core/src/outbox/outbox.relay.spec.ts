import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBus } from '../bus/event-bus.js';
import type { CoreOptions } from '../core-options.js';
import { ormOptions } from '../database/orm-config.js';
import { requirePostgres, testPostgresUrl } from '../testing/test-postgres.js';
import type { OutboxRow } from './outbox.js';
import { OutboxRelay } from './outbox.relay.js';

const postgres = await requirePostgres();

describe.each([
  { shape: 'SQLite', run: true },
  { shape: 'PostgreSQL', run: postgres },
])('outbox relay on $shape, rows handed over in memory', ({ shape, run }) => {
  let dataDir: string;
  let orm: MikroORM;
  let url: string | undefined;

  beforeAll(async () => {
    if (!run) return;
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'obrol-relay-'));
    if (shape === 'PostgreSQL') {
      // A database of its own: the relay's statements name `outbox_events`.
      const name = `obrol_relay_${process.pid}_${randomBytes(3).toString('hex')}`;
      const admin = await MikroORM.init(ormOptions({ url: testPostgresUrl, dataDir }));
      await admin.em.fork().getConnection().execute(`create database ${name}`);
      await admin.close(true);
      url = testPostgresUrl.replace(/\/[^/]*$/, `/${name}`);
    }
    orm = await MikroORM.init(ormOptions({ url, dataDir }));
    const time = shape === 'PostgreSQL' ? 'timestamptz' : 'integer';
    await orm.em
      .fork()
      .getConnection()
      .execute(`create table outbox_events (id text primary key, subject text, payload text not null, live text, created_at ${time} not null, published_at ${time}, attempts integer not null default 0)`);
  });

  afterAll(async () => {
    if (!run) return;
    await orm.close(true);
    if (url) {
      const admin = await MikroORM.init(ormOptions({ url: testPostgresUrl, dataDir }));
      await admin.em.fork().getConnection().execute(`drop database if exists ${url.split('/').at(-1)}`);
      await admin.close(true);
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  // SQLite only: on PostgreSQL this test's inserts commit a moment before they are handed over,
  // and a pass that reads stored rows in that moment publishes them twice (the race the class
  // comment describes, which the bus dedupes), so "once each" would not hold there.
  if (shape === 'SQLite') it('publishes every row of a backlog handed over while batches were being marked, once each and in order, and marks them all', async () => {
    const published: string[] = [];
    let handOver: (rows: OutboxRow[]) => void = () => undefined;
    let more = 4;
    const relay = relayPublishingTo(published, () => {
      // Commits keep handing rows over while the relay works through its queue.
      if (published.length % 500 === 0 && more-- > 0) handOver(rowsOf(700, `late${more}-`));
    });
    const all: OutboxRow[] = [];
    handOver = (rows) => {
      void store(rows).then(() => {
        all.push(...rows);
        relay.committed(rows);
      });
    };
    const first = rowsOf(2_450, 'first-');
    all.push(...first);
    await store(first);
    relay.committed(first);
    await waitFor(() => published.length >= 2_450 + 4 * 700);
    await relay.drain();

    expect(published).toEqual(all.map((r) => r.id));
    expect(await unmarked()).toBe(0);
  });

  it.runIf(run)('a poll while published rows wait to be marked publishes none of them again, and every row ends marked', async () => {
    await orm.em.fork().getConnection().execute('delete from outbox_events');
    const published: string[] = [];
    const rows = rowsOf(30, 'paced-');
    // The poll comes right after the last publish, while its mark waits for the next passes' rows.
    const relay = relayPublishingTo(published, () => {
      if (published.length === rows.length) void relay.poll();
    });
    for (const batch of [rows.slice(0, 10), rows.slice(10, 20), rows.slice(20)]) {
      await store(batch);
      relay.committed(batch);
      await waitFor(() => published.length >= rows.indexOf(batch.at(-1)!) + 1);
    }
    await waitFor(async () => (await unmarked()) === 0);
    expect(await unmarked()).toBe(0);
    await relay.drain();
    expect(published).toEqual(rows.map((r) => r.id));
  });

  // The mark turns `synchronous_commit` off for its own commit only: were the setting to outlive
  // it, every later transaction on that connection, the ingest's included, would acknowledge
  // webhooks before they reached the disk.
  if (shape === 'PostgreSQL') it.runIf(run)('a mark leaves its connection committing to the disk as before', async () => {
    const single = await MikroORM.init(ormOptions({ url, dataDir, poolMax: 1 }));
    try {
      await single.em.fork().getConnection().execute('delete from outbox_events');
      const published: string[] = [];
      const relay = relayPublishingTo(published, undefined, single);
      const rows = rowsOf(5, 'setting-');
      await store(rows);
      relay.committed(rows);
      await relay.drain();
      expect(published).toEqual(rows.map((r) => r.id));
      expect(await unmarked()).toBe(0);
      const [{ setting }] = await single.em.fork().getConnection().execute<[{ setting: string }]>("select current_setting('synchronous_commit') as setting");
      expect(setting).toBe('on');
    } finally {
      await single.close(true);
    }
  });

  function relayPublishingTo(published: string[], onPublish: () => void = () => undefined, on: MikroORM = orm): OutboxRelay {
    const bus = {
      publish: async (_subject: string, data: { eventId: string }) => {
        published.push(data.eventId);
        onPublish();
      },
      publishLive: () => undefined,
    } as unknown as EventBus;
    return new OutboxRelay(on, bus, { database: { url, dataDir } } as unknown as CoreOptions);
  }

  function rowsOf(n: number, prefix: string): OutboxRow[] {
    return Array.from({ length: n }, (_, i) => ({ id: `${prefix}${String(i).padStart(5, '0')}`, subject: 'chat.t.message.status', payload: { eventId: `${prefix}${String(i).padStart(5, '0')}` }, live: null, createdAt: new Date() }));
  }

  async function store(rows: OutboxRow[]): Promise<void> {
    const connection = orm.em.fork().getConnection();
    const now = shape === 'PostgreSQL' ? new Date() : Date.now();
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500);
      await connection.execute(
        `insert into outbox_events (id, subject, payload, created_at) values ${chunk.map(() => '(?, ?, ?, ?)').join(', ')}`,
        chunk.flatMap((row) => [row.id, row.subject, JSON.stringify(row.payload), now]),
      );
    }
  }

  async function unmarked(): Promise<number> {
    const [{ n }] = await orm.em.fork().getConnection().execute<[{ n: number | string }]>('select count(*) as n from outbox_events where published_at is null');
    return Number(n);
  }
});

async function waitFor(done: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500 && !(await done()); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}
