import path from 'node:path';
import Database from 'libsql';
import pg from 'pg';

/** Stored messages counted by direction and status, e.g. `outbound:read` → 3000. */
export type MessageCounts = Map<string, number>;

/**
 * Reads what Obrol stored, straight from its database (the bench's ground truth for "nothing
 * lost, nothing duplicated"): the SQLite file in the data dir (WAL lets it read beside the
 * writer) or the PostgreSQL database.
 */
export interface StoredMessagesProbe {
  counts(): Promise<MessageCounts>;
  /** The stored status of each of these messages, by the provider's id (those not stored are left out). */
  statusesOf(externalIds: string[]): Promise<Map<string, string>>;
  close(): Promise<void>;
}

/** The counts once they stop moving (stragglers of the previous run stored), or after 30 s. */
export async function settledCounts(probe: StoredMessagesProbe): Promise<MessageCounts> {
  const same = (a: MessageCounts, b: MessageCounts) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
  let previous = await probe.counts();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const current = await probe.counts();
    if (same(previous, current)) return current;
    previous = current;
  }
  return previous;
}

const COUNT_SQL = 'select direction, status, count(*) as n from messages group by direction, status';
// Through the unique index (channel account, external id), each account named: by external id
// alone the probe scanned every message at each sample, on the cores Obrol is measured on, and
// with the accounts as a subquery PostgreSQL, without statistics (a fresh database), chose a
// hash join over a scan of every message too.
const ACCOUNTS_SQL = 'select id from channel_accounts';
const statusesSql = (accounts: number, ids: number, placeholder: (i: number) => string) =>
  `select external_id, status from messages where channel_account_id in (${Array.from({ length: accounts }, (_, i) => placeholder(i)).join(', ')}) ` +
  `and external_id in (${Array.from({ length: ids }, (_, i) => placeholder(accounts + i)).join(', ')})`;
const toStatuses = (rows: Array<{ external_id: string; status: string }>) => new Map(rows.map((r) => [r.external_id, r.status]));

export async function openStoredMessagesProbe(target: { databaseUrl?: string; dataDir: string }): Promise<StoredMessagesProbe> {
  const toCounts = (rows: Array<{ direction: string; status: string; n: number | string }>) => new Map(rows.map((r) => [`${r.direction}:${r.status}`, Number(r.n)]));
  if (target.databaseUrl) {
    const client = new pg.Client({ connectionString: target.databaseUrl });
    await client.connect();
    return {
      counts: async () => toCounts((await client.query<{ direction: string; status: string; n: string }>(COUNT_SQL)).rows),
      statusesOf: async (ids) => {
        if (!ids.length) return new Map();
        const accounts = (await client.query<{ id: string }>(ACCOUNTS_SQL)).rows.map((a) => a.id);
        return toStatuses((await client.query<{ external_id: string; status: string }>(statusesSql(accounts.length, ids.length, (i) => `$${i + 1}`), [...accounts, ...ids])).rows);
      },
      close: () => client.end(),
    };
  }
  const db = new Database(path.join(target.dataDir, 'obrol.sqlite'), { readonly: true });
  db.pragma('busy_timeout = 5000');
  const statement = db.prepare(COUNT_SQL);
  return {
    counts: async () => toCounts(statement.all() as Array<{ direction: string; status: string; n: number }>),
    statusesOf: async (ids) => {
      if (!ids.length) return new Map();
      const accounts = (db.prepare(ACCOUNTS_SQL).all() as Array<{ id: string }>).map((a) => a.id);
      return toStatuses(db.prepare(statusesSql(accounts.length, ids.length, () => '?')).all(...accounts, ...ids) as Array<{ external_id: string; status: string }>);
    },
    close: async () => {
      db.close();
    },
  };
}
