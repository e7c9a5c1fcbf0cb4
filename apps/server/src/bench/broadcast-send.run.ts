import { readFileSync } from 'node:fs';
import type { ObrolTarget } from './obrol-target.fixture.js';

export interface BroadcastFigures {
  recipients: number;
  capPerSecond: number;
  importRowsPerSecond: number;
  /** Sends per second accepted by the simulator, from the first to the last send. */
  sendsPerSecond: number;
  /** The best one-second window at the simulator. */
  peakSecond: number;
  completedSeconds: number;
  peakRssMb: number | null;
  /** CPU time of the Obrol process per recipient sent (µs), load-independent where rates are not; undefined off Linux. */
  cpuUsPerSend: number | undefined;
}

/** Resident memory of a process, from /proc (Linux); null elsewhere. */
function rssMb(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

const phone = (i: number) => `+62815${String(i).padStart(8, '0')}`;

/**
 * One broadcast of `recipients` through the target at `capPerSecond`: the CSV import rate, the
 * send rate the simulator saw, and the Obrol process's peak memory while it ran.
 */
export async function runBroadcastSend(target: ObrolTarget, recipients: number, capPerSecond: number, offset: number): Promise<BroadcastFigures> {
  const created = await target.api<{ id: string }>('POST', '/api/v1/broadcasts', {
    channelAccountId: target.channelId,
    name: `bench ${recipients} at ${capPerSecond}/s`,
    template: { name: 'hello_world', language: 'en_US' },
    messagesPerSecond: capPerSecond,
  });
  const csv = ['phone', ...Array.from({ length: recipients }, (_, i) => phone(offset + i))].join('\n');
  const importStart = performance.now();
  const imported = await fetch(`${target.base}/api/v1/broadcasts/${created.id}/audience`, { method: 'POST', headers: { 'content-type': 'text/csv', authorization: `Bearer ${target.token}` }, body: csv });
  if (imported.status !== 201) throw new Error(`audience upload: ${imported.status} ${await imported.text()}`);
  const importSeconds = (performance.now() - importStart) / 1000;

  const wanted = new Set(Array.from({ length: recipients }, (_, i) => phone(offset + i).slice(1)));
  const sentSoFar = () => target.sim.sent.filter((m) => wanted.has(m.waId));
  let peakRss = rssMb(target.pid) ?? 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(target.pid) ?? 0)), 250);
  const started = performance.now();
  const cpuBefore = target.cpuMs();
  await target.api('POST', `/api/v1/broadcasts/${created.id}/start`, {});
  try {
    await target.phase('broadcast', async () => {
      for (;;) {
        const b = await target.api<{ status: string }>('GET', `/api/v1/broadcasts/${created.id}`);
        if (b.status === 'completed' || b.status === 'paused') break;
        await new Promise((r) => setTimeout(r, 500));
      }
    });
  } finally {
    clearInterval(sampler);
  }
  const cpuAfter = target.cpuMs();
  const completedSeconds = (performance.now() - started) / 1000;
  const sent = sentSoFar();
  const times = sent.map((m) => m.acceptedAt.getTime()).sort((a, b) => a - b);
  const spanSeconds = times.length > 1 ? (times.at(-1)! - times[0]!) / 1000 : 0;
  const perSecond = new Map<number, number>();
  for (const t of times) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
  return {
    recipients,
    capPerSecond,
    importRowsPerSecond: Math.round(recipients / importSeconds),
    sendsPerSecond: spanSeconds ? Math.round(sent.length / spanSeconds) : sent.length,
    peakSecond: Math.max(0, ...perSecond.values()),
    completedSeconds: Math.round(completedSeconds * 10) / 10,
    peakRssMb: peakRss ? Math.round(peakRss) : null,
    cpuUsPerSend: cpuBefore === undefined || cpuAfter === undefined || !sent.length ? undefined : Math.round(((cpuAfter - cpuBefore) * 1000) / sent.length),
  };
}

export function formatBroadcast(name: string, f: BroadcastFigures): string {
  return [
    `${name}: broadcast of ${f.recipients.toLocaleString('en-US')} at a cap of ${f.capPerSecond}/s`,
    `  CSV import:       ${f.importRowsPerSecond.toLocaleString('en-US')} rows/s`,
    `  sends:            ${f.sendsPerSecond.toLocaleString('en-US')}/s (${Math.round((f.sendsPerSecond / f.capPerSecond) * 100)} % of the cap; aim ≥ 98 %), best second ${f.peakSecond}`,
    `  completed in:     ${f.completedSeconds} s`,
    `  peak RSS (Obrol): ${f.peakRssMb ?? '?'} MB (aim < 300 MB)`,
    `  CPU per send:     ${f.cpuUsPerSend ?? '?'} µs of the Obrol process`,
  ].join('\n');
}
