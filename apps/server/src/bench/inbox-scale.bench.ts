/**
 * `pnpm bench` (second part; alone: `pnpm bench:inbox`): the inbox at scale (issue 12, item 15),
 * on SQLite + in-process bus and (when reachable) PostgreSQL + NATS, each seeded by set-based
 * SQL with OBROL_BENCH_CONVERSATIONS conversations (default 100,000) and OBROL_BENCH_MESSAGES
 * messages (default 1,000,000):
 *
 * 1. the conversation list API (the inbox's default first page, and the page after it) p95;
 * 2. full-text search p95 (GET /api/v1/search/messages) for a word in one message, in one in a
 *    thousand, and in every message;
 * 3. the inbox's initial JavaScript, gzipped (what the browser loads before the first screen).
 *
 * Beside each, the ceiling measured in the same run on the same server: GET /api/v1/me,
 * an authenticated request that reads one row. Prints figures next to the aims; asserts nothing.
 * Settings: OBROL_BENCH_REQUESTS (samples per figure, default 200), OBROL_BENCH_SHAPES.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type InboxScale, SEED_WORDS, seedInbox } from './inbox-scale.seed.js';
import { type LatencySummary, summariseLatencies } from './latency-stats.js';
import { type ObrolTarget, startObrolTarget } from './obrol-target.fixture.js';
import { freshPostgres, postgresReachable } from './bench-postgres.js';

const SCALE: InboxScale = { conversations: Number(process.env.OBROL_BENCH_CONVERSATIONS ?? 100_000), messages: Number(process.env.OBROL_BENCH_MESSAGES ?? 1_000_000) };
const REQUESTS = Number(process.env.OBROL_BENCH_REQUESTS ?? 200);
const SHAPES = (process.env.OBROL_BENCH_SHAPES ?? 'sqlite,postgres').split(',').map((s) => s.trim());

/** Issue 12's aims, printed next to the figures. */
const AIMS = { listP95Ms: 50, searchP95Ms: 200, initialJsGzipKb: 150 };

interface ShapeFigures {
  name: string;
  seedSeconds: number;
  ceiling: LatencySummary;
  list: Record<'first page' | 'next page', LatencySummary>;
  search: Record<'word in 1 message' | 'word in 1 in 1,000' | 'word in every message', LatencySummary>;
}

/** Latencies of `count` requests made one after another (after a few to warm up). */
async function sample(target: ObrolTarget, route: (i: number) => string, count = REQUESTS): Promise<LatencySummary> {
  const get = async (url: string) => {
    const response = await fetch(`${target.base}${url}`, { headers: { authorization: `Bearer ${target.token}` } });
    if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
  };
  for (let i = 0; i < 5; i++) await get(route(i));
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const url = route(i);
    const started = performance.now();
    await get(url);
    samples.push(performance.now() - started);
  }
  return summariseLatencies(samples);
}

async function benchShape(name: string, env: Record<string, string>, databaseUrl?: string): Promise<ShapeFigures> {
  const target = await startObrolTarget({ name, env, databaseUrl });
  try {
    console.log(`${name}: seeding ${SCALE.conversations} conversations and ${SCALE.messages} messages…`);
    const seeding = performance.now();
    await seedInbox({ databaseUrl, dataDir: target.dataDir, channelId: target.channelId }, SCALE);
    const seedSeconds = Math.round((performance.now() - seeding) / 100) / 10;
    console.log(`${name}: seeded in ${seedSeconds} s; measuring…`);
    const ceiling = await sample(target, () => '/api/v1/me');
    const first = await target.api<{ nextCursor: string }>('GET', '/api/v1/conversations?status=open&limit=50');
    const list = {
      'first page': await sample(target, () => '/api/v1/conversations?status=open&limit=50'),
      'next page': await sample(target, () => `/api/v1/conversations?status=open&limit=50&cursor=${first.nextCursor}`),
    };
    const pick = () => 1 + Math.floor(Math.random() * SCALE.messages);
    const search = {
      'word in 1 message': await sample(target, () => `/api/v1/search/messages?q=${SEED_WORDS.unique(pick())}`),
      'word in 1 in 1,000': await sample(target, () => `/api/v1/search/messages?q=${SEED_WORDS.perThousand(pick())}`),
      'word in every message': await sample(target, () => `/api/v1/search/messages?q=${SEED_WORDS.common}`),
    };
    return { name, seedSeconds, ceiling, list, search };
  } finally {
    await target.close();
  }
}

/** The gzipped size of the scripts the inbox's page loads before anything else (entry and preloads), in KB. */
function initialJsGzipKb(): { kb: number; files: string[] } {
  const dist = path.join(path.dirname(createRequire(import.meta.url).resolve('@obrol/inbox/package.json')), 'dist');
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const files = [...html.matchAll(/<script[^>]+src="([^"]+\.js)"|<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g)].map((m) => (m[1] ?? m[2])!);
  const bytes = files.reduce((sum, f) => sum + gzipSync(readFileSync(path.join(dist, f))).length, 0);
  return { kb: Math.round(bytes / 102.4) / 10, files };
}

const shapes: ShapeFigures[] = [];
if (SHAPES.includes('sqlite')) shapes.push(await benchShape('Obrol: SQLite + in-process bus', {}));
if (SHAPES.includes('postgres')) {
  if (await postgresReachable()) {
    const db = await freshPostgres();
    try {
      shapes.push(
        await benchShape(
          'Obrol: PostgreSQL + NATS',
          { OBROL_DATABASE_URL: db.url, OBROL_NATS_URL: process.env.OBROL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222', OBROL_NATS_NAMESPACE: `bench${randomBytes(3).toString('hex')}`, OBROL_MIGRATE: 'true', OBROL_SECRET_KEY: randomBytes(32).toString('base64url') },
          db.url,
        ),
      );
    } finally {
      await db.drop();
    }
  } else console.log('skipped: Obrol on PostgreSQL + NATS (PostgreSQL not reachable)\n');
}

const pad = (v: string | number, n: number) => String(v).padStart(n);
const row = (label: string, l: LatencySummary, aim: string) => console.log(`  ${label.padEnd(32)}${pad(l.p50Ms, 9)}${pad(l.p95Ms, 9)}${pad(l.p99Ms, 9)}${pad(aim, 10)}`);
console.log(`\nThe inbox at scale: ${SCALE.conversations} conversations, ${SCALE.messages} messages, ${REQUESTS} sequential requests per figure; milliseconds`);
for (const s of shapes) {
  console.log(`\n${s.name} (seeded in ${s.seedSeconds} s)`);
  console.log(`  ${'request'.padEnd(32)}${pad('p50', 9)}${pad('p95', 9)}${pad('p99', 9)}${pad('aim p95', 10)}`);
  row('ceiling: GET /me', s.ceiling, '');
  for (const [label, l] of Object.entries(s.list)) row(`list, ${label}`, l, `< ${AIMS.listP95Ms}`);
  for (const [label, l] of Object.entries(s.search)) row(`search, ${label}`, l, `< ${AIMS.searchP95Ms}`);
}
const js = initialJsGzipKb();
console.log(`\nInbox initial JavaScript (gzip): ${js.kb} KB (aim < ${AIMS.initialJsGzipKb} KB): ${js.files.join(', ')}`);
console.log(`\n${JSON.stringify({ scale: SCALE, requests: REQUESTS, shapes, initialJs: js })}`);
