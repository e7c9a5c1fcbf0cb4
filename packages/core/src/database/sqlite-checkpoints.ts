import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the worker moves the WAL's committed pages into the database file. */
export const CHECKPOINT_INTERVAL_MS = 250;

/**
 * The worker: its own connection to the file, a passive checkpoint every interval (it never
 * waits for a writer or a reader, and they never wait for it), until told to stop.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ checkpointed: result });
  } catch (error) {
    parentPort.postMessage({ error: error.message });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** What one passive checkpoint did: frames in the WAL, and how many of them are in the database file. */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

/**
 * Checkpoints of an SQLite file in a worker thread (ADR 0028). SQLite's automatic checkpoint
 * runs inside the commit that crosses its threshold: it copies the WAL into the database file
 * and waits for two fsyncs, and with one connection in the event loop's thread every request
 * waited with it (5–20 ms each, about 250 times in a bench's flood). Here another connection
 * does it off the event loop; the automatic one stays as a backstop at a higher threshold
 * (`orm-config.ts`), for when this worker cannot keep up or is gone.
 */
export class SqliteCheckpoints {
  private readonly listeners = new Set<(result: CheckpointResult) => void>();
  private readonly exited: Promise<void>;

  private constructor(private readonly worker: Worker) {
    this.exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (message: { checkpointed?: CheckpointResult }) => {
      if (message.checkpointed) for (const listener of this.listeners) listener(message.checkpointed);
    });
    // A checkpoint that failed (a lock held past its timeout) is simply taken again next time.
    worker.on('error', () => undefined);
    worker.unref();
  }

  static start(file: string, intervalMs = CHECKPOINT_INTERVAL_MS): SqliteCheckpoints {
    // The driver MikroORM's SQLite dialect loads, from where that dialect resolves it.
    const driver = createRequire(createRequire(import.meta.url).resolve('@mikro-orm/libsql')).resolve('libsql');
    return new SqliteCheckpoints(new Worker(WORKER, { eval: true, workerData: { file, driver, intervalMs } }));
  }

  /** Calls `listener` after each checkpoint (tests); returns how to stop. */
  onCheckpoint(listener: (result: CheckpointResult) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the checkpoints and closes the worker's connection. */
  async stop(): Promise<void> {
    this.worker.postMessage('stop');
    await this.exited;
  }
}
