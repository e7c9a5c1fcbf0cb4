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
// Through the unique index (channel account, external id): by external id alone the probe
// scanned every message at each sample, on the cores Obrol is measured on.
const statusesSql = (count: number, placeholder: (i: number) => string) =>
  'select external_id, status from messages where channel_account_id in (select id from channel_accounts) ' +
  `and external_id in (${Array.from({ length: count }, (_, i) => placeholder(i)).join(', ')})`;
const toStatuses = (rows: Array<{ external_id: string; status: string }>) => new Map(rows.map((r) => [r.external_id, r.status]));

export async function openStoredMessagesProbe(target: { databaseUrl?: string; dataDir: string }): Promise<StoredMessagesProbe> {
  const toCounts = (rows: Array<{ direction: string; status: string; n: number | string }>) => new Map(rows.map((r) => [`${r.direction}:${r.status}`, Number(r.n)]));
  if (target.databaseUrl) {
    const client = new pg.Client({ connectionString: target.databaseUrl });
    await client.connect();
    return {
      counts: async () => toCounts((await client.query<{ direction: string; status: string; n: string }>(COUNT_SQL)).rows),
      statusesOf: async (ids) => (ids.length ? toStatuses((await client.query<{ external_id: string; status: string }>(statusesSql(ids.length, (i) => `$${i + 1}`), ids)).rows) : new Map()),
      close: () => client.end(),
    };
  }
  const db = new Database(path.join(target.dataDir, 'obrol.sqlite'), { readonly: true });
  db.pragma('busy_timeout = 5000');
  const statement = db.prepare(COUNT_SQL);
  return {
    counts: async () => toCounts(statement.all() as Array<{ direction: string; status: string; n: number }>),
    statusesOf: async (ids) => (ids.length ? toStatuses(db.prepare(statusesSql(ids.length, () => '?')).all(...ids) as Array<{ external_id: string; status: string }>) : new Map()),
    close: async () => {
      db.close();
    },
  };
}
