import { readFileSync, readdirSync } from 'node:fs';
import { cpuMillisecondsOf } from './process-inspector.js';

/** CPU milliseconds used so far by the processes a run loads besides Obrol's. */
export interface ServicesCpu {
  /** Every `postgres` process of the machine: backends, WAL writer, checkpointer. */
  postgres: number;
  /** Every `nats-server` process. */
  nats: number;
  /** This process: the load generator and the WhatsApp simulators it runs. */
  bench: number;
}

/** What each took per unit of work between two readings, in µs; undefined where /proc cannot be read (not Linux). */
export type ServicesCpuPerUnit = Record<keyof ServicesCpu, number> | undefined;

const NAMES: Record<string, keyof ServicesCpu> = { postgres: 'postgres', 'nats-server': 'nats' };

/**
 * Reads, from /proc (Linux), the CPU used so far by the database and bus servers and by this
 * process, for a run to say what each unit of work cost beyond Obrol's own process. The servers
 * are the machine's: nothing else should use them during a bench. Undefined elsewhere.
 */
export function servicesCpu(): ServicesCpu | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return undefined;
  }
  const own = process.cpuUsage();
  const used: ServicesCpu = { postgres: 0, nats: 0, bench: (own.user + own.system) / 1000 };
  for (const pid of pids) {
    let name: keyof ServicesCpu | undefined;
    try {
      name = NAMES[readFileSync(`/proc/${pid}/comm`, 'utf8').trim()];
    } catch {
      continue; // Gone meanwhile.
    }
    if (name) used[name] += cpuMillisecondsOf(Number(pid)) ?? 0;
  }
  return used;
}

/** CPU per unit of work between two readings, in µs. */
export function servicesCpuPer(before: ServicesCpu | undefined, after: ServicesCpu | undefined, units: number): ServicesCpuPerUnit {
  if (!before || !after || units <= 0) return undefined;
  const per = (key: keyof ServicesCpu) => Math.round(((after[key] - before[key]) * 1000) / units);
  return { postgres: per('postgres'), nats: per('nats'), bench: per('bench') };
}

/** `PostgreSQL 700 µs, NATS 90 µs, this bench (load and simulator) 300 µs`; the servers only on the shape that uses them. */
export function formatServicesCpu(cpu: ServicesCpuPerUnit, shape: 'sqlite' | 'postgres'): string {
  if (!cpu) return 'other processes not measured (no /proc)';
  const servers = shape === 'postgres' ? `PostgreSQL ${cpu.postgres.toLocaleString('en-US')} µs, NATS ${cpu.nats.toLocaleString('en-US')} µs, ` : '';
  return `${servers}this bench (load and simulator) ${cpu.bench.toLocaleString('en-US')} µs`;
}
