import { readFileSync } from 'node:fs';
import { type LatencySummary, summariseLatencies } from './latency-stats.js';
import type { WhatsAppSimulator } from '@obrol/whatsapp-cloud-simulator';
import type { ObrolTarget } from './obrol-target.fixture.js';
import { StatusLagSampler } from './status-lag.sampler.js';
import { type ServicesCpuPerUnit, formatServicesCpu, servicesCpu, servicesCpuPer } from './services-cpu.js';

export interface BroadcastFigures {
  label: string;
  recipients: number;
  /** Sending numbers, each with a broadcast of its share of the recipients. */
  numbers: number;
  /** The cap of all the numbers together. */
  capPerSecond: number;
  importRowsPerSecond: number;
  /** Sends per second accepted by the simulators, from the first to the last send. */
  sendsPerSecond: number;
  /** The best one-second window at the simulators together. */
  peakSecond: number;
  completedSeconds: number;
  /**
   * From the start until the simulators had no webhook left to post, every status stored (s);
   * null without status webhooks. Past the pace Obrol absorbs, statuses queue at the simulator.
   */
  statusesStoredSeconds: number | null;
  /**
   * How long the start request took to answer, how long until the broadcast was running (its
   * audience planned: a large one by a worker after the answer, ADR 0033), and reads of the API
   * sent one after another until then (ms).
   */
  start: { ms: number; runningMs: number; meanwhile: LatencySummary };
  /** Sent and read at the simulator → read stored by Obrol, for a sample of the sends (ms); null without status webhooks. */
  statusLag: (LatencySummary & { unresolved: number }) | null;
  /** Messages of the broadcast stored as read once it completed (its status webhooks came back). */
  readStored: number;
  /**
   * A template sent through the notification API from the (first) number while the broadcast
   * sends: from the request to its acceptance at the simulator (ms); null when it did not go within 60 s.
   */
  transactionalMs: number | null;
  peakRssMb: number | null;
  /** CPU time of the Obrol process per recipient sent (µs), load-independent where rates are not; undefined off Linux. */
  cpuUsPerSend: number | undefined;
  /** CPU per send of the database and bus servers and of the bench's own process (load and simulators), µs. */
  servicesCpuPerSend: ServicesCpuPerUnit;
  shape: 'sqlite' | 'postgres';
  /** Load average (1 min) when the run ended: rates depend on it, CPU per send less so. */
  loadAverage: number;
}

export interface ImportFigures {
  rows: number;
  rowsPerSecond: number;
  peakRssMb: number | null;
  /** Reads of the API sent one after another while the file was imported: how long they took (ms). */
  meanwhile: LatencySummary;
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

/** The Obrol process's peak resident memory while `run` runs, sampled every 250 ms. */
async function withPeakRss<T>(target: ObrolTarget, run: () => Promise<T>): Promise<{ result: T; peakRssMb: number | null }> {
  let peak = rssMb(target.pid) ?? 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(target.pid) ?? 0)), 250);
  try {
    const result = await run();
    return { result, peakRssMb: peak ? Math.round(Math.max(peak, rssMb(target.pid) ?? 0)) : null };
  } finally {
    clearInterval(sampler);
  }
}

/** Polls of the broadcast's status in a row that may fail (connection timeouts) before the run gives up. */
const MAX_UNANSWERED_POLLS = 20;

const phone = (i: number) => `+62815${String(i).padStart(8, '0')}`;
const loadAverage = () => Math.round((process.platform === 'linux' ? Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]) : 0) * 100) / 100;

/** A sending number: its channel account in Obrol and the simulator behind it. */
export interface BenchNumber {
  channelId: string;
  sim: WhatsAppSimulator;
}

async function createBroadcast(target: ObrolTarget, name: string, capPerSecond: number, channelId = target.channelId): Promise<string> {
  const created = await target.api<{ id: string }>('POST', '/api/v1/broadcasts', {
    channelAccountId: channelId,
    name,
    template: { name: 'hello_world', language: 'en_US' },
    messagesPerSecond: capPerSecond,
  });
  return created.id;
}

/** Uploads `rows` numbers from `offset` as a streamed multipart file; the seconds it took. */
async function uploadAudience(target: ObrolTarget, broadcastId: string, rows: number, offset: number): Promise<number> {
  const lines: string[] = ['phone'];
  for (let i = 0; i < rows; i++) lines.push(phone(offset + i));
  const form = new FormData();
  form.append('file', new Blob([lines.join('\n')], { type: 'text/csv' }), 'audience.csv');
  const started = performance.now();
  const imported = await fetch(`${target.base}/api/v1/broadcasts/${broadcastId}/audience`, { method: 'POST', headers: { authorization: `Bearer ${target.token}` }, body: form });
  if (imported.status !== 201) throw new Error(`audience upload: ${imported.status} ${await imported.text()}`);
  return (performance.now() - started) / 1000;
}

/** An audience of `rows` numbers imported into a draft that is never started: rows/s and the memory it took. */
export async function runAudienceImport(target: ObrolTarget, rows: number, offset: number): Promise<ImportFigures> {
  const id = await createBroadcast(target, `bench import of ${rows}`, 1);
  const { result, peakRssMb } = await withPeakRss(target, () =>
    target.phase('audience import', async () => {
      const uploading = uploadAudience(target, id, rows, offset);
      const meanwhile = await readsWhile(target, `/api/v1/broadcasts/${id}`, uploading);
      return { seconds: await uploading, meanwhile };
    }),
  );
  return { rows, rowsPerSecond: Math.round(rows / result.seconds), peakRssMb, meanwhile: summariseLatencies(result.meanwhile) };
}

/** Reads `route` one after another, 20 ms apart, until `during` settles: how long each took (ms). */
async function readsWhile(target: ObrolTarget, route: string, during: Promise<unknown>): Promise<number[]> {
  let over = false;
  void during.finally(() => (over = true)).catch(() => undefined);
  const took: number[] = [];
  while (!over) {
    const started = performance.now();
    await target.api('GET', route);
    took.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return took;
}

/**
 * A broadcast of `recipients` through the target at `capPerSecond` per number, with the simulator
 * posting its status webhooks back as it goes: the CSV import rate, the send rate the simulator
 * saw, the lag of the statuses, the Obrol process's CPU per send and peak memory while it ran.
 * Given several `numbers`, each sends a broadcast of its share at once, and the rates are of all
 * of them together (the status lag is sampled on the first).
 */
export async function runBroadcastSend(
  target: ObrolTarget,
  label: string,
  recipients: number,
  capPerSecond: number,
  offset: number,
  statusWebhooks: boolean,
  numbers: BenchNumber[] = [{ channelId: target.channelId, sim: target.sim }],
): Promise<BroadcastFigures> {
  const share = Math.ceil(recipients / numbers.length);
  const ids: string[] = [];
  let importSeconds = 0;
  for (const [i, number] of numbers.entries()) {
    const id = await createBroadcast(target, `bench ${label}: ${share} at ${capPerSecond}/s`, capPerSecond, number.channelId);
    importSeconds += await uploadAudience(target, id, Math.min(share, recipients - i * share), offset + i * share);
    ids.push(id);
  }
  // Counted as they come, not read back from the simulators, which keep only their latest sends.
  const times: number[] = [];
  const stopCounting = numbers.map((n) => n.sim.onAccepted((m) => times.push(m.acceptedAt.getTime())));
  const lag = statusWebhooks ? new StatusLagSampler(numbers[0]!.sim, target.store) : undefined;
  const cpuBefore = target.cpuMs();
  const servicesBefore = servicesCpu();
  const started = performance.now();
  lag?.start();
  let statusLag: BroadcastFigures['statusLag'] = null;
  let peakRssMb: number | null;
  let start: BroadcastFigures['start'] | undefined;
  let transactionalMs: number | null = null;
  let completedSeconds = 0;
  let statusesStoredSeconds: number | null = null;
  try {
    let answeredMs = 0;
    const running = Promise.all(
      ids.map(async (id) => {
        const answer = await target.api<{ status: string }>('POST', `/api/v1/broadcasts/${id}/start`, {});
        answeredMs = Math.max(answeredMs, performance.now() - started);
        for (let status = answer.status; status === 'scheduled'; status = (await target.api<{ status: string }>('GET', `/api/v1/broadcasts/${id}`)).status) {
          await new Promise((r) => setTimeout(r, 100));
        }
      }),
    );
    const startMeanwhile = await readsWhile(target, '/api/v1/broadcasts?limit=1', running);
    await running;
    start = { ms: Math.round(answeredMs), runningMs: Math.round(performance.now() - started), meanwhile: summariseLatencies(startMeanwhile) };
    ({ peakRssMb } = await withPeakRss(target, () =>
      target.phase(`broadcast ${label}`, async () => {
        transactionalMs = await transactionalWhileSending(target, numbers[0]!, () => times.length > 0);
        for (const id of ids) await untilDone(target, id);
        completedSeconds = (performance.now() - started) / 1000;
        // The webhooks of the sends are still on their way, queued at the simulator when Obrol
        // absorbs them slower than they come: the peak and the CPU cover them too.
        await Promise.all(numbers.map((n) => n.sim.whenIdle()));
        if (statusWebhooks) statusesStoredSeconds = (performance.now() - started) / 1000;
      }),
    ));
  } finally {
    if (lag) statusLag = await lag.stop();
  }
  const cpuAfter = target.cpuMs();
  const servicesAfter = servicesCpu();
  for (const stop of stopCounting) stop();
  times.sort((a, b) => a - b);
  const spanSeconds = times.length > 1 ? (times.at(-1)! - times[0]!) / 1000 : 0;
  const perSecond = new Map<number, number>();
  for (const t of times) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
  // The counters follow the stored statuses a moment after each commit.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  let readStored = 0;
  for (const id of ids) readStored += (await target.api<{ counters: { read: number } }>('GET', `/api/v1/broadcasts/${id}`)).counters.read;
  return {
    label,
    recipients,
    numbers: numbers.length,
    capPerSecond: capPerSecond * numbers.length,
    importRowsPerSecond: Math.round(recipients / importSeconds),
    sendsPerSecond: spanSeconds ? Math.round(times.length / spanSeconds) : times.length,
    peakSecond: Math.max(0, ...perSecond.values()),
    completedSeconds: Math.round(completedSeconds * 10) / 10,
    statusesStoredSeconds: statusesStoredSeconds === null ? null : Math.round(statusesStoredSeconds * 10) / 10,
    start: start!,
    statusLag,
    readStored,
    transactionalMs,
    peakRssMb,
    // Includes the status webhooks the sends brought back: the whole cost of a recipient.
    cpuUsPerSend: cpuBefore === undefined || cpuAfter === undefined || !times.length ? undefined : Math.round(((cpuAfter - cpuBefore) * 1000) / times.length),
    servicesCpuPerSend: servicesCpuPer(servicesBefore, servicesAfter, times.length),
    shape: target.shape,
    loadAverage: loadAverage(),
  };
}

/**
 * Once the broadcast's sends flow (its first reached the simulator), a back-end system sends a
 * template through the notification API from the same number, as an OTP would go: how long
 * until the simulator accepted it (ms), or null when it was not sent within 60 s (or the
 * broadcast sent nothing for 60 s).
 */
async function transactionalWhileSending(target: ObrolTarget, number: BenchNumber, sending: () => boolean): Promise<number | null> {
  for (const waiting = performance.now(); !sending(); await new Promise((r) => setTimeout(r, 20))) {
    if (performance.now() - waiting > 60_000) return null;
  }
  const waId = '6281799999999';
  let acceptedAt: number | undefined;
  const stop = number.sim.onAccepted((m) => {
    if (m.waId === waId) acceptedAt ??= m.acceptedAt.getTime();
  });
  try {
    const asked = performance.now();
    await target.api('POST', '/api/v1/messages', { channelAccountId: number.channelId, to: `+${waId}`, template: { name: 'hello_world', language: 'en_US' } });
    while (acceptedAt === undefined && performance.now() - asked < 60_000) await new Promise((r) => setTimeout(r, 10));
    return acceptedAt === undefined ? null : Math.round(acceptedAt - (performance.timeOrigin + asked));
  } finally {
    stop();
  }
}

/** Polls a broadcast until it completes or pauses. */
async function untilDone(target: ObrolTarget, id: string): Promise<void> {
  for (let unanswered = 0; ; ) {
    // Under the webhooks' load a poll may go unanswered for a while; the run goes on.
    const b = await target.api<{ status: string }>('GET', `/api/v1/broadcasts/${id}`).catch((error: Error) => {
      if (++unanswered > MAX_UNANSWERED_POLLS) throw error;
      return undefined;
    });
    if (b) unanswered = 0;
    if (b?.status === 'completed' || b?.status === 'paused') return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Issue 10's aims for the broadcast bench. */
export const BROADCAST_AIMS = { shareOfCap: 98, uncappedPerSecond: 5000, peakRssMb: 300 };

export function formatBroadcast(name: string, f: BroadcastFigures): string {
  const lag = f.statusLag;
  return [
    `${name}: ${f.label} broadcast of ${f.recipients.toLocaleString('en-US')} at a cap of ${f.capPerSecond.toLocaleString('en-US')}/s${f.numbers > 1 ? ` (${f.numbers} numbers at ${f.capPerSecond / f.numbers}/s each, a broadcast each)` : ''} (load average ${f.loadAverage})`,
    `  CSV import:       ${f.importRowsPerSecond.toLocaleString('en-US')} rows/s`,
    f.numbers > 1
      ? `  sends:            ${f.sendsPerSecond.toLocaleString('en-US')}/s, all numbers together (aim with no cap ≥ ${BROADCAST_AIMS.uncappedPerSecond.toLocaleString('en-US')}/s), best second ${f.peakSecond}`
      : `  sends:            ${f.sendsPerSecond.toLocaleString('en-US')}/s (${Math.round((f.sendsPerSecond / f.capPerSecond) * 100)} % of the cap; aim ≥ ${BROADCAST_AIMS.shareOfCap} %), best second ${f.peakSecond}`,
    `  start:            ${f.start.ms.toLocaleString('en-US')} ms to answer, running after ${f.start.runningMs.toLocaleString('en-US')} ms (the audience planned); other reads until then p50 ${f.start.meanwhile.p50Ms} ms, max ${f.start.meanwhile.maxMs} ms (${f.start.meanwhile.count} reads, one at a time)`,
    `  completed in:     ${f.completedSeconds} s`,
    lag
      ? `  status lag:       accepted → read stored p50 ${lag.p50Ms} ms, p99 ${lag.p99Ms} ms, max ${lag.maxMs} ms (${lag.count} sampled${lag.unresolved ? `, ${lag.unresolved} not stored as read 10 s after the end` : ''}); read stored ${f.readStored}/${f.recipients}`
      : '  status lag:       (no status webhooks posted)',
    ...(f.statusesStoredSeconds === null
      ? []
      : [`  all statuses in:  ${f.statusesStoredSeconds} s after the start, every webhook answered: ${Math.round(f.recipients / f.statusesStoredSeconds).toLocaleString('en-US')} recipients/s with their three statuses`]),
    `  transactional:    a template through the API meanwhile, from the same number, reached WhatsApp after ${f.transactionalMs === null ? 'more than 60 s' : `${f.transactionalMs.toLocaleString('en-US')} ms`}`,
    `  peak RSS (Obrol): ${f.peakRssMb ?? '?'} MB (aim < ${BROADCAST_AIMS.peakRssMb} MB)`,
    `  CPU per send:     ${f.cpuUsPerSend ?? '?'} µs of the Obrol process (${lag ? 'the send and its three status webhooks' : 'the send alone'}); ${formatServicesCpu(f.servicesCpuPerSend, f.shape)}`,
  ].join('\n');
}

export function formatImport(name: string, f: ImportFigures): string {
  return (
    `${name}: audience import of ${f.rows.toLocaleString('en-US')} rows (multipart, streamed): ${f.rowsPerSecond.toLocaleString('en-US')} rows/s, peak RSS ${f.peakRssMb ?? '?'} MB (aim < ${BROADCAST_AIMS.peakRssMb} MB)\n` +
    `  other reads meanwhile: p50 ${f.meanwhile.p50Ms} ms, p99 ${f.meanwhile.p99Ms} ms, max ${f.meanwhile.maxMs} ms (${f.meanwhile.count} reads, one at a time)`
  );
}
