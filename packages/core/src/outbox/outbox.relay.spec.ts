import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBus } from '../bus/event-bus.js';
import type { CoreOptions } from '../core-options.js';
import { ormOptions } from '../database/orm-config.js';
import type { OutboxRow } from './outbox.js';
import { OutboxRelay } from './outbox.relay.js';

describe('outbox relay, rows handed over in memory', () => {
  let dataDir: string;
  let orm: MikroORM;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'obrol-relay-'));
    orm = await MikroORM.init(ormOptions({ dataDir }));
    await orm.em
      .fork()
      .getConnection()
      .execute('create table outbox_events (id text primary key, subject text, payload text not null, live text, created_at integer not null, published_at integer, attempts integer not null default 0)');
  });

  afterAll(async () => {
    await orm.close(true);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('publishes every row of a backlog handed over while batches were being marked, once each and in order, and marks them all', async () => {
    const published: string[] = [];
    let handOver: (rows: OutboxRow[]) => void = () => undefined;
    let more = 4;
    const bus = {
      publish: async (_subject: string, data: { eventId: string }) => {
        published.push(data.eventId);
        // Commits keep handing rows over while the relay works through its queue.
        if (published.length % 500 === 0 && more-- > 0) handOver(rowsOf(700, `late${more}-`));
      },
      publishLive: () => undefined,
    } as unknown as EventBus;
    const relay = new OutboxRelay(orm, bus, { database: { url: undefined, dataDir } } as unknown as CoreOptions);
    const all: OutboxRow[] = [];
    handOver = (rows) => {
      all.push(...rows);
      void store(rows).then(() => relay.committed(rows));
    };
    const first = rowsOf(2_450, 'first-');
    all.push(...first);
    await store(first);
    relay.committed(first);
    await waitFor(() => published.length >= 2_450 + 4 * 700);
    await relay.drain();

    expect(published).toEqual(all.map((r) => r.id));
    const unmarked = await orm.em.fork().getConnection().execute('select count(*) as n from outbox_events where published_at is null');
    expect(unmarked).toEqual([{ n: 0 }]);
  });

  function rowsOf(n: number, prefix: string): OutboxRow[] {
    return Array.from({ length: n }, (_, i) => ({ id: `${prefix}${String(i).padStart(5, '0')}`, subject: 'chat.t.message.status', payload: { eventId: `${prefix}${String(i).padStart(5, '0')}` }, live: null, createdAt: new Date() }));
  }

  async function store(rows: OutboxRow[]): Promise<void> {
    const connection = orm.em.fork().getConnection();
    for (const row of rows) await connection.execute('insert into outbox_events (id, subject, payload, created_at) values (?, ?, ?, ?)', [row.id, row.subject, JSON.stringify(row.payload), Date.now()]);
  }
});

async function waitFor(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}
