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

export async function openStoredMessagesProbe(target: { databaseUrl?: string; dataDir: string }): Promise<StoredMessagesProbe> {
  const toCounts = (rows: Array<{ direction: string; status: string; n: number | string }>) => new Map(rows.map((r) => [`${r.direction}:${r.status}`, Number(r.n)]));
  if (target.databaseUrl) {
    const client = new pg.Client({ connectionString: target.databaseUrl });
    await client.connect();
    return {
      counts: async () => toCounts((await client.query<{ direction: string; status: string; n: string }>(COUNT_SQL)).rows),
      close: () => client.end(),
    };
  }
  const db = new Database(path.join(target.dataDir, 'obrol.sqlite'), { readonly: true });
  db.pragma('busy_timeout = 5000');
  const statement = db.prepare(COUNT_SQL);
  return {
    counts: async () => toCounts(statement.all() as Array<{ direction: string; status: string; n: number }>),
    close: async () => {
      db.close();
    },
  };
}
