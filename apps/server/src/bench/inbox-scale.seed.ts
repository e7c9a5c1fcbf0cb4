import path from 'node:path';
import Database from 'libsql';
import pg from 'pg';

/** How big the inbox under test is. */
export interface InboxScale {
  conversations: number;
  messages: number;
}

/** Where the seeded rows go: the channel account and its workspace. */
export interface SeedTarget {
  databaseUrl?: string;
  dataDir: string;
  channelId: string;
}

/** Words in every seeded message ("paket"), in one in 1,000 ("kode7"), and in one only ("JNE1234"). */
export const SEED_WORDS = { common: 'paket', perThousand: (i: number) => `kode${i % 1000}`, unique: (i: number) => `JNE${i}` };

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Fills the database with conversations (a third resolved) and their customers' text messages,
 * by set-based SQL (a recursive CTE / generate_series), not the ORM: the ORM would take hours
 * for a million rows. Messages go through the same triggers / generated column as Obrol's own
 * inserts, so the full-text index is built as it is in use. Ids are UUID-shaped and ordered
 * like Obrol's (by time), so cursors work on them.
 */
export async function seedInbox(target: SeedTarget, scale: InboxScale): Promise<void> {
  const start = Date.now() - 30 * DAY_MS;
  if (target.databaseUrl) return seedPostgres(target, scale, start);
  const db = new Database(path.join(target.dataDir, 'obrol.sqlite'));
  db.pragma('busy_timeout = 30000');
  try {
    const { tenant_id: tenant } = db.prepare('select tenant_id from channel_accounts where id = ?').get(target.channelId) as { tenant_id: string };
    const values = { tenant, channel: target.channelId, start, n: scale.conversations, m: scale.messages, step: Math.floor((30 * DAY_MS) / scale.messages) };
    db.exec('begin');
    db.prepare(
      `with recursive seq(i) as (select 1 union all select i + 1 from seq where i < :n)
       insert into contacts (id, created_at, updated_at, tenant_id, channel_account_id, external_id, phone, name, attributes, tags)
       select printf('00000000-0000-7000-8000-%012x', i), :start, :start, :tenant, :channel, printf('62811%08d', i), printf('+62811%08d', i), 'Pelanggan ' || i, '{}', '[]' from seq`,
    ).run(values);
    db.prepare(
      `with recursive seq(i) as (select 1 union all select i + 1 from seq where i < :n)
       insert into conversations (id, created_at, updated_at, tenant_id, channel_account_id, contact_id, status, last_inbound_at, window_expires_at, windowed, last_message_at, last_message_preview, unread_count)
       select printf('00000001-0000-7000-8000-%012x', i), :start, :start, :tenant, :channel, printf('00000000-0000-7000-8000-%012x', i), case when i % 3 = 0 then 'resolved' else 'open' end,
              :start + i * 1000, :start + i * 1000 + 86400000, 1, :start + i * 1000, 'Halo kak ' || i, i % 4 from seq`,
    ).run(values);
    db.prepare(
      `with recursive seq(i) as (select 1 union all select i + 1 from seq where i < :m)
       insert into messages (id, created_at, updated_at, tenant_id, channel_account_id, conversation_id, direction, content, status, external_id, provider_timestamp)
       select printf('00000002-0000-7000-8000-%012x', i), :start + i * :step, :start + i * :step, :tenant, :channel, printf('00000001-0000-7000-8000-%012x', i % :n + 1), 'inbound',
              json_object('type', 'text', 'text', 'Halo kak, ${SEED_WORDS.common} JNE' || i || ' kode' || (i % 1000) || ' belum sampai, mohon dicek ya'), 'received', 'wamid.seed.' || i, :start + i * :step from seq`,
    ).run(values);
    db.exec('commit');
  } finally {
    db.close();
  }
}

async function seedPostgres(target: SeedTarget, scale: InboxScale, start: number): Promise<void> {
  const client = new pg.Client({ connectionString: target.databaseUrl });
  await client.connect();
  try {
    const tenant = (await client.query<{ tenant_id: string }>('select tenant_id from channel_accounts where id = $1', [target.channelId])).rows[0]!.tenant_id;
    const at = (ms: string) => `to_timestamp((${start} + ${ms}) / 1000.0)`;
    const step = Math.floor((30 * DAY_MS) / scale.messages);
    const uuid = (prefix: string, i: string) => `'${prefix}-0000-7000-8000-' || lpad(to_hex(${i}), 12, '0')`;
    await client.query('begin');
    await client.query(
      `insert into contacts (id, created_at, updated_at, tenant_id, channel_account_id, external_id, phone, name, attributes, tags)
       select ${uuid('00000000', 'i')}, ${at('0')}, ${at('0')}, $1, $2, '62811' || lpad(i::text, 8, '0'), '+62811' || lpad(i::text, 8, '0'), 'Pelanggan ' || i, '{}', '[]' from generate_series(1, $3::int) i`,
      [tenant, target.channelId, scale.conversations],
    );
    await client.query(
      `insert into conversations (id, created_at, updated_at, tenant_id, channel_account_id, contact_id, status, last_inbound_at, window_expires_at, windowed, last_message_at, last_message_preview, unread_count)
       select ${uuid('00000001', 'i')}, ${at('0')}, ${at('0')}, $1, $2, ${uuid('00000000', 'i')}, case when i % 3 = 0 then 'resolved' else 'open' end,
              ${at('i * 1000')}, ${at('i * 1000 + 86400000')}, true, ${at('i * 1000')}, 'Halo kak ' || i, i % 4 from generate_series(1, $3::int) i`,
      [tenant, target.channelId, scale.conversations],
    );
    await client.query(
      `insert into messages (id, created_at, updated_at, tenant_id, channel_account_id, conversation_id, direction, content, status, external_id, provider_timestamp)
       select ${uuid('00000002', 'i')}, ${at(`i::bigint * ${step}`)}, ${at(`i::bigint * ${step}`)}, $1, $2, ${uuid('00000001', `(i % ${scale.conversations} + 1)`)}, 'inbound',
              jsonb_build_object('type', 'text', 'text', 'Halo kak, ${SEED_WORDS.common} JNE' || i || ' kode' || (i % 1000) || ' belum sampai, mohon dicek ya'), 'received', 'wamid.seed.' || i, ${at(`i::bigint * ${step}`)}
       from generate_series(1, $3::int) i`,
      [tenant, target.channelId, scale.messages],
    );
    await client.query('commit');
    await client.query('analyze contacts, conversations, messages');
  } finally {
    await client.end();
  }
}
