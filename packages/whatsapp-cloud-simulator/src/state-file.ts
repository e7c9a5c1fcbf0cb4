import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SimulatedCustomer } from './customer-directory.js';
import type { StoredTemplate } from './template-store.js';

/** What the simulator keeps across restarts: its customers with their messages, and the WABA's templates. */
export interface SimulatorSnapshot {
  version: 1;
  customers: SimulatedCustomer[];
  templates: StoredTemplate[];
}

/** Keys whose ISO strings are dates again when read back. */
const DATE_KEYS = new Set(['lastInboundAt', 'typingUntil', 'timestamp', 'acceptedAt', 'at', 'createdAt']);

/** Reads a snapshot written by {@link StateFile}; undefined when there is none yet. */
export function readSnapshot(file: string): SimulatorSnapshot | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = JSON.parse(readFileSync(file, 'utf8'), (key, value: unknown) => (DATE_KEYS.has(key) && typeof value === 'string' ? new Date(value) : value)) as SimulatorSnapshot;
  if (parsed.version !== 1) throw new Error(`${file} is not a simulator state file this version can read (version ${String(parsed.version)}).`);
  return parsed;
}

/**
 * Writes the simulator's state to a file within a second of any change, and at close. The
 * write goes through a temporary file and a rename, so a crash leaves the previous state whole.
 */
export class StateFile {
  private timer: NodeJS.Timeout | undefined;
  private written = '';

  constructor(
    private readonly file: string,
    private readonly take: () => SimulatorSnapshot,
    private readonly intervalMs = 1_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.flush(), this.intervalMs);
    this.timer.unref();
  }

  flush(): void {
    const text = JSON.stringify(this.take());
    if (text === this.written) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, this.file);
    this.written = text;
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
