/**
 * `pnpm bench`: WhatsApp webhook ingest end to end, on SQLite + in-process bus and (when
 * reachable) PostgreSQL + NATS, next to bare Fastify endpoints measured in the same run
 * (JSON parse; HMAC check + JSON parse) as the ceiling; the HMAC one is measured again right
 * after each shape's runs, and that shape's shares are of it. Three runs per shape:
 *
 * 1. inbound messages as fast as answered (signed webhook → verified → stored → published →
 *    pushed to an agent's WebSocket);
 * 2. a fixed 1,000 webhooks/s of customers' messages: acknowledgement latency and webhook →
 *    agent's WebSocket latency;
 * 3. a broadcast's status flood: Obrol sends N messages through the WhatsApp simulator, which
 *    queues sent, delivered and read for each; they are posted shuffled, 10 % twice, with the
 *    recipients' replies, and the store is counted against what was sent;
 * 4. broadcasts (plugin-broadcasts), on an Obrol process of their own whose simulator posts its
 *    status webhooks back as they happen: an audience import alone (rows/s, peak RSS), then a
 *    broadcast of OBROL_BENCH_BROADCAST_RECIPIENTS (default 2,000) at OBROL_BENCH_BROADCAST_CAP
 *    (default 1,000/s), then the "no cap" run: the same number of recipients over
 *    OBROL_BENCH_BROADCAST_NUMBERS numbers (default 6), a broadcast each at the plugin's maximum
 *    (1,000/s per number, Meta's top tier), all at once, so that only the engine bounds their sum:
 *    sends/s at the simulators against the cap, status lag, CPU per send, peak RSS.
 *
 * Prints figures next to the aims of issues 9 and 10; asserts nothing about time.
 *
 * Settings: OBROL_BENCH_SECONDS (default 10), OBROL_BENCH_CONNECTIONS (default 32),
 * OBROL_BENCH_BROADCAST (messages in the flood, default 3000), OBROL_BENCH_RATE (default 1000)
 * and OBROL_BENCH_RATE_SECONDS (default 5),
 * OBROL_BENCH_SHAPES (`sqlite,postgres`), OBROL_BENCH_CPU_PROFILE (a directory: profile the
 * Obrol process during each run through its inspector and print where its time went), OBROL_BENCH_ONLY
 * (`broadcast`: run 4 alone, without the ceilings and runs 1–3; `flood` or `inbound`: run 3 or 1
 * alone, with the ceilings; `live`: run 2 alone, after 3 s of run 1 to warm up), OBROL_BENCH_BROADCAST_IMPORT_ROWS
 * (rows of the import alone, default the recipients; 1,000,000 for issue 10's figure),
 * OBROL_BENCH_BROADCAST_WEBHOOKS (`false`: the simulator posts no status webhooks, as before issue 10),
 * OBROL_BENCH_BROADCAST_NUMBERS (numbers of the "no cap" run, default 6; 0 skips it),
 * OBROL_BENCH_NODE_OPTIONS (`NODE_OPTIONS` of the Obrol processes, e.g. `--max-old-space-size=160`).
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChild, stopChild } from './child-process.launcher.js';
import { loadInbound, runInboundThroughput, type ThroughputFigures } from './inbound-throughput.run.js';
import type { LatencySummary } from './latency-stats.js';
import { runLiveLatency, type LiveLatencyFigures } from './live-latency.run.js';
import { BENCH_APP_SECRET, type ObrolTarget, startObrolTarget } from './obrol-target.fixture.js';
import { runStatusFlood, type StatusFloodFigures } from './status-flood.run.js';
import { type BroadcastFigures, type ImportFigures, formatBroadcast, formatImport, runAudienceImport, runBroadcastSend } from './broadcast-send.run.js';
import { freshPostgres, postgresReachable } from './bench-postgres.js';
import { formatServicesCpu } from './services-cpu.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.OBROL_BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.OBROL_BENCH_CONNECTIONS ?? 32);
const BROADCAST = Number(process.env.OBROL_BENCH_BROADCAST ?? 3000);
const RATE = Number(process.env.OBROL_BENCH_RATE ?? 1000);
const RATE_SECONDS = Number(process.env.OBROL_BENCH_RATE_SECONDS ?? 5);
const SHAPES = (process.env.OBROL_BENCH_SHAPES ?? 'sqlite,postgres').split(',').map((s) => s.trim());
const BROADCAST_RECIPIENTS = Number(process.env.OBROL_BENCH_BROADCAST_RECIPIENTS ?? 2_000);
const BROADCAST_CAP = Number(process.env.OBROL_BENCH_BROADCAST_CAP ?? 1000);
const IMPORT_ROWS = Number(process.env.OBROL_BENCH_BROADCAST_IMPORT_ROWS ?? BROADCAST_RECIPIENTS);
const STATUS_WEBHOOKS = process.env.OBROL_BENCH_BROADCAST_WEBHOOKS !== 'false';
/** Sending numbers of the "no cap" run; 0 skips it. */
const UNCAPPED_NUMBERS = Number(process.env.OBROL_BENCH_BROADCAST_NUMBERS ?? 6);
/**
 * The highest pace the plugin allows a broadcast (OBROL_BROADCAST_MAX_PER_SECOND, at most 1,000:
 * Meta's top tier per number, as is a broadcast's `messagesPerSecond`): the "no cap" run's.
 */
const PLUGIN_MAX_PER_SECOND = 1000;
/** `broadcast`: only run 4, so a profile shows the send path alone. */
const ONLY_BROADCAST = process.env.OBROL_BENCH_ONLY === 'broadcast';
/** `flood`: only run 3 (and the ceilings), so a profile shows the status path alone. */
const ONLY_FLOOD = process.env.OBROL_BENCH_ONLY === 'flood';
/** `inbound`: only run 1 (and the ceilings), so a profile shows a customer message's path alone. */
const ONLY_INBOUND = process.env.OBROL_BENCH_ONLY === 'inbound';
/** `live`: only run 2, so its latencies can be compared between builds in a minute. */
const ONLY_LIVE = process.env.OBROL_BENCH_ONLY === 'live';
const PROFILE_DIR = process.env.OBROL_BENCH_CPU_PROFILE ? path.resolve(process.env.OBROL_BENCH_CPU_PROFILE) : undefined;

/** Issue 9's aims, printed next to the figures. */
const AIMS = {
  sqlite: { ceilingShare: 30 },
  postgres: { ceilingShare: 15, statusesPerSecond: 3000 },
  socketP50Ms: 10,
  socketP99Ms: 50,
  ackP99Ms: 25,
};

interface ShapeFigures {
  shape: 'sqlite' | 'postgres';
  name: string;
  broadcast?: BroadcastRuns;
}

interface BroadcastRuns {
  import: ImportFigures;
  paced: BroadcastFigures;
  /** Over several numbers at the plugin's maximum pace each; undefined when skipped. */
  uncapped?: BroadcastFigures;
}

/** Runs 1–3 of a shape: all of them, or the one `OBROL_BENCH_ONLY` names. */
interface IngestFigures extends ShapeFigures {
  inbound?: ThroughputFigures & { cpuUsPerMessage?: number };
  live?: LiveLatencyFigures;
  flood?: StatusFloodFigures;
  /**
   * The bare Fastify + HMAC ceiling measured right after this shape's runs, once its processes
   * are gone: on a shared machine the ceiling moves by half within minutes, so each shape's
   * share is taken against the one measured closest to it. Not measured for run 2 alone, which
   * has no share of it.
   */
  ceiling?: ThroughputFigures;
}

async function ceiling(mode: 'json' | 'hmac'): Promise<ThroughputFigures> {
  const { child, line } = await startChild([path.join(here, 'ceiling-server.js'), mode, BENCH_APP_SECRET], {}, /http:\/\/\S+/);
  try {
    await loadInbound('warm-up', `${line}/webhook`, SECONDS, CONNECTIONS).catch(() => undefined);
    return await loadInbound(mode === 'json' ? 'bare Fastify: JSON parse' : 'bare Fastify: HMAC check + JSON parse', `${line}/webhook`, SECONDS, CONNECTIONS);
  } finally {
    await stopChild(child);
  }
}

async function reachable(kind: 'postgres' | 'nats'): Promise<boolean> {
  if (kind === 'postgres') return postgresReachable();
  const { connect } = await import('nats');
  return connect({ servers: process.env.OBROL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222', timeout: 2000 }).then(
    (nc) => nc.close().then(() => true),
    () => false,
  );
}

/** Env and database of one Obrol process of a shape: a fresh PostgreSQL database and NATS namespace each time. */
async function withTarget<T>(shape: 'sqlite' | 'postgres', name: string, postsWebhooks: boolean, run: (target: ObrolTarget) => Promise<T>, statusWebhooks = true): Promise<T> {
  const db = shape === 'postgres' ? await freshPostgres() : undefined;
  const env: Record<string, string> = db
    ? { OBROL_DATABASE_URL: db.url, OBROL_NATS_URL: process.env.OBROL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222', OBROL_NATS_NAMESPACE: `bench${randomBytes(3).toString('hex')}`, OBROL_MIGRATE: 'true', OBROL_SECRET_KEY: randomBytes(32).toString('base64url') }
    : {};
  try {
    const target = await startObrolTarget({ name, env, databaseUrl: db?.url, cpuProfileDir: PROFILE_DIR, postsWebhooks, webhookConnections: CONNECTIONS, statusWebhooks });
    try {
      return await run(target);
    } finally {
      await target.close();
    }
  } finally {
    await db?.drop();
  }
}

async function benchShape(shape: 'sqlite' | 'postgres', name: string): Promise<IngestFigures> {
  if (ONLY_FLOOD) {
    const flood = await withTarget(shape, name, false, async (target) => {
      console.log(`${name}: status flood of a ${BROADCAST}-message broadcast…`);
      return runStatusFlood(target, BROADCAST, CONNECTIONS);
    });
    return { shape, name, flood, ceiling: await ceiling('hmac') };
  }
  if (ONLY_INBOUND) {
    const inbound = await withTarget(shape, name, false, async (target) => {
      console.log(`${name}: inbound messages as fast as answered…`);
      const cpuBefore = target.cpuMs();
      const figures = await target.phase('inbound', () => runInboundThroughput(target, SECONDS, CONNECTIONS));
      const cpuAfter = target.cpuMs();
      const cpuUsPerMessage = cpuBefore !== undefined && cpuAfter !== undefined ? Math.round(((cpuAfter - cpuBefore) * 1000) / Math.max(1, figures.ok)) : undefined;
      return { ...figures, cpuUsPerMessage };
    });
    console.log(`  CPU per message: ${inbound.cpuUsPerMessage ?? '?'} µs of the Obrol process`);
    return { shape, name, inbound, ceiling: await ceiling('hmac') };
  }
  if (ONLY_LIVE) {
    const live = await withTarget(shape, name, false, async (target) => {
      // Warm, as in the full run, where run 1 comes first: a cold process's first second (code
      // not compiled yet) put p99 near a second on its own.
      console.log(`${name}: warming up (3 s of customers' messages, not counted)…`);
      await runInboundThroughput(target, 3, CONNECTIONS);
      console.log(`${name}: customers' messages at ${RATE}/s…`);
      return target.phase('live', () => runLiveLatency(target, RATE, RATE_SECONDS));
    });
    return { shape, name, live };
  }
  const ingest = ONLY_BROADCAST
    ? undefined
    : await withTarget(shape, name, false, async (target) => {
        console.log(`${name}: inbound messages as fast as answered…`);
        const inbound = await runInboundThroughput(target, SECONDS, CONNECTIONS);
        console.log(`${name}: customers' messages at ${RATE}/s…`);
        const live = await runLiveLatency(target, RATE, RATE_SECONDS);
        console.log(`${name}: status flood of a ${BROADCAST}-message broadcast…`);
        const flood = await runStatusFlood(target, BROADCAST, CONNECTIONS);
        return { inbound, live, flood };
      }).then(async (figures) => ({ ...figures, ceiling: await ceiling('hmac') }));
  // A process of its own: the flood leaves nothing behind in it, and its memory is the broadcasts' alone.
  const broadcast = await withTarget(shape, name, STATUS_WEBHOOKS, (target) => broadcastRuns(target, name), STATUS_WEBHOOKS);
  return { shape, name, ...ingest, broadcast };
}

async function broadcastRuns(target: ObrolTarget, name: string): Promise<BroadcastRuns> {
  console.log(`${name}: an audience import of ${IMPORT_ROWS.toLocaleString('en-US')} rows…`);
  const imported = await runAudienceImport(target, IMPORT_ROWS, 10_000_000);
  console.log(formatImport(name, imported));
  const webhooks = STATUS_WEBHOOKS ? 'status webhooks flowing back' : 'no status webhooks';
  console.log(`${name}: a ${BROADCAST_RECIPIENTS.toLocaleString('en-US')}-recipient broadcast at ${BROADCAST_CAP}/s, ${webhooks}…`);
  const paced = await runBroadcastSend(target, 'paced', BROADCAST_RECIPIENTS, BROADCAST_CAP, 1_000_000, STATUS_WEBHOOKS);
  console.log(formatBroadcast(name, paced));
  if (UNCAPPED_NUMBERS < 1) return { import: imported, paced };
  console.log(`${name}: ${BROADCAST_RECIPIENTS.toLocaleString('en-US')} recipients over ${UNCAPPED_NUMBERS} numbers at once, each at the plugin's maximum (${PLUGIN_MAX_PER_SECOND}/s), ${webhooks}…`);
  const numbers = [{ channelId: target.channelId, sim: target.sim }];
  for (let i = 1; i < UNCAPPED_NUMBERS; i++) numbers.push(await target.addNumber(i));
  const uncapped = await runBroadcastSend(target, 'no cap', BROADCAST_RECIPIENTS, PLUGIN_MAX_PER_SECOND, 3_000_000, STATUS_WEBHOOKS, numbers);
  console.log(formatBroadcast(name, uncapped));
  return { import: imported, paced, uncapped };
}

console.log(`Webhook ingest benchmark: ${SECONDS} s runs, ${CONNECTIONS} connections, ${BROADCAST}-message broadcast, ${RATE}/s fixed rate for ${RATE_SECONDS} s; ${os.cpus().length} cores, Node ${process.version}\n`);
const shapes: IngestFigures[] = [];
if (SHAPES.includes('sqlite')) shapes.push(await benchShape('sqlite', 'Obrol: SQLite + in-process bus'));
if (SHAPES.includes('postgres')) {
  if ((await reachable('postgres')) && (await reachable('nats'))) shapes.push(await benchShape('postgres', 'Obrol: PostgreSQL + NATS'));
  else console.log('skipped: Obrol on PostgreSQL + NATS (services not reachable)\n');
}

if (ONLY_BROADCAST) {
  console.log(`\n${JSON.stringify({ recipients: BROADCAST_RECIPIENTS, cap: BROADCAST_CAP, importRows: IMPORT_ROWS, statusWebhooks: STATUS_WEBHOOKS, shapes })}`);
} else {
  await reportIngest(shapes);
}

/**
 * Runs 1–3 next to the bare-Fastify ceilings, measured now that the Obrol processes are gone;
 * each table lists the shapes that ran it (all of them, or the one `OBROL_BENCH_ONLY` names).
 */
async function reportIngest(all: IngestFigures[]): Promise<void> {
  const shares = all.some((s) => s.ceiling);
  const jsonCeiling = shares ? await ceiling('json') : undefined;
  const hmacCeiling = shares ? await ceiling('hmac') : undefined;
  const pad = (v: string | number, n: number) => String(v).padStart(n);
  const share = (perSecond: number, s: IngestFigures) => (s.ceiling ? `${((perSecond / s.ceiling.requestsPerSecond) * 100).toFixed(1)} %` : '');
  const pct = (l: LatencySummary) => `${l.p50Ms} / ${l.p99Ms}`;
  const aimShare = (s: IngestFigures) => `≥ ${AIMS[s.shape].ceilingShare} %`;

  if (jsonCeiling && hmacCeiling) {
    console.log(`\nCeiling, same run: ${hmacCeiling.name} ${hmacCeiling.requestsPerSecond}/s (p50 ${hmacCeiling.p50Ms} ms, p99 ${hmacCeiling.p99Ms} ms); JSON parse alone ${jsonCeiling.requestsPerSecond}/s`);
    for (const s of all) if (s.ceiling) console.log(`  measured again right after ${s.name}: ${s.ceiling.requestsPerSecond}/s; its shares below are of this one`);
    console.log('');
  }

  const inbound = all.filter((s): s is IngestFigures & Required<Pick<IngestFigures, 'inbound'>> => !!s.inbound);
  if (inbound.length) {
    console.log(`1. Inbound messages as fast as answered (${CONNECTIONS} connections, ${SECONDS} s)`);
    console.log(`${'run'.padEnd(40)}${pad('acks/s', 9)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('errors', 8)}${pad('events', 9)}${pad('events/s', 10)}${pad('vs ceiling', 12)}${pad('aim', 8)}`);
    for (const r of [jsonCeiling, hmacCeiling]) if (r) console.log(`${r.name.padEnd(40)}${pad(r.requestsPerSecond, 9)}${pad(r.p50Ms, 9)}${pad(r.p99Ms, 9)}${pad(r.errors, 8)}`);
    for (const s of inbound) {
      const r = s.inbound;
      console.log(`${s.name.padEnd(40)}${pad(r.requestsPerSecond, 9)}${pad(r.p50Ms, 9)}${pad(r.p99Ms, 9)}${pad(r.errors, 8)}${pad(r.eventsPublished ?? '', 9)}${pad(r.eventsPerSecond ?? '', 10)}${pad(share(r.requestsPerSecond, s), 12)}${pad(aimShare(s), 8)}`);
    }
  }

  const live = all.filter((s): s is IngestFigures & Required<Pick<IngestFigures, 'live'>> => !!s.live);
  if (live.length) {
    console.log(`\n2. Customers' messages at a fixed ${RATE}/s for ${RATE_SECONDS} s (open loop); milliseconds p50 / p99`);
    console.log(`${'run'.padEnd(40)}${pad('sent', 7)}${pad('stored', 8)}${pad('errors', 8)}${pad('ack', 20)}${pad('aim p99', 9)}${pad('→ socket', 20)}${pad('aim', 12)}`);
    for (const s of live) {
      const r = s.live;
      console.log(`${s.name.padEnd(40)}${pad(r.sent, 7)}${pad(r.stored, 8)}${pad(r.errors, 8)}${pad(pct(r.ack), 20)}${pad(`< ${AIMS.ackP99Ms}`, 9)}${pad(pct(r.toSocket), 20)}${pad(`< ${AIMS.socketP50Ms} / ${AIMS.socketP99Ms}`, 12)}`);
    }
  }

  const flooded = all.filter((s): s is IngestFigures & Required<Pick<IngestFigures, 'flood'>> => !!s.flood);
  if (flooded.length) {
    console.log(`\n3. Status flood: ${BROADCAST} messages sent → sent/delivered/read each, 10 % posted twice, replies mixed in, shuffled (${CONNECTIONS} connections)`);
    console.log(
      `${'run'.padEnd(40)}${pad('webhooks', 9)}${pad('/s', 7)}${pad('vs ceiling', 12)}${pad('aim', 7)}${pad('statuses/s', 12)}${pad('aim', 8)}${pad('ack p50/p99', 20)}${pad('status lag p50/p99', 22)}${pad('tail ms', 9)}${pad('read stored', 14)}${pad('replies stored', 16)}${pad('errors', 8)}`,
    );
    for (const s of flooded) {
      const r = s.flood;
      const total = r.statusWebhooks + r.duplicateWebhooks + r.inboundWebhooks;
      const statusAim = s.shape === 'postgres' ? `≥ ${AIMS.postgres.statusesPerSecond}` : '';
      console.log(
        `${s.name.padEnd(40)}${pad(total, 9)}${pad(r.webhooksPerSecond, 7)}${pad(share(r.webhooksPerSecond, s), 12)}${pad(aimShare(s), 7)}${pad(r.statusesPerSecond, 12)}${pad(statusAim, 8)}${pad(pct(r.ack), 20)}${pad(pct(r.statusLag), 22)}${pad(r.storeTailMs, 9)}${pad(`${r.readStored}/${r.broadcast}`, 14)}${pad(`${r.inboundStored}/${r.inboundWebhooks}`, 16)}${pad(r.errors, 8)}`,
      );
    }
    // Receipts wait behind customers' messages in the webhook queue (ADR 0034): the replies' lag against the statuses'.
    for (const s of flooded) console.log(`${s.name}: customers' replies during the flood, webhook → agent's socket p50/p99 ${pct(s.flood.replyLag)} ms (${s.flood.replyLag.count} seen), statuses ${pct(s.flood.statusLag)} ms; CPU per webhook: Obrol ${s.flood.cpuUsPerWebhook ?? '?'} µs, ${formatServicesCpu(s.flood.servicesCpuPerWebhook, s.shape)}`);
  }
  console.log(`\n${JSON.stringify({ seconds: SECONDS, connections: CONNECTIONS, broadcast: BROADCAST, rate: RATE, ceilings: [jsonCeiling, hmacCeiling].filter(Boolean), shapes: all })}`);
}
