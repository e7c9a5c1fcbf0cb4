/**
 * `pnpm bench`: inbound WhatsApp webhooks per second end to end (signed webhook → verified →
 * stored → event published on the bus → pushed live), with p50/p99 acknowledgement latency,
 * next to bare Fastify endpoints on the same machine in the same run (JSON only, and JSON +
 * the same HMAC check) as ceilings. Prints figures; asserts nothing about time.
 *
 * Settings: OBROL_BENCH_SECONDS (default 10), OBROL_BENCH_CONNECTIONS (default 32).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWhatsAppSimulator } from '@obrol/whatsapp-cloud-simulator';
import autocannon from 'autocannon';
import pg from 'pg';
import WebSocket from 'ws';

const here = path.dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.OBROL_BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.OBROL_BENCH_CONNECTIONS ?? 32);
const APP_SECRET = randomBytes(16).toString('hex');
const PHONE_NUMBER_ID = '106540352242922';
const WABA_ID = '102290129340398';

interface Figures {
  name: string;
  requestsPerSecond: number;
  ok: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  /** Events that reached a live subscriber (Obrol runs only). */
  eventsPublished?: number;
  /** Time from the first request until the last event was published. */
  eventsPerSecond?: number;
}

function freePort(): number {
  return 20000 + Math.floor(Math.random() * 20000);
}

function startChild(args: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; line: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`child did not start: ${out}`)), 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = out.match(ready);
      if (match) {
        clearTimeout(timer);
        resolve({ child, line: match[0] });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => reject(new Error(`child exited with ${code}: ${out}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.removeAllListeners('exit');
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

/** One Meta webhook with one text message from one of many customers, with a unique wamid. */
function webhookBody(seq: number): string {
  const from = `62812${String(seq % 5000).padStart(7, '0')}`;
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: WABA_ID,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
              contacts: [{ profile: { name: `Customer ${seq % 5000}` }, wa_id: from }],
              messages: [{ from, id: `wamid.bench${seq}${randomBytes(4).toString('hex')}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: `Halo, ini pesan nomor ${seq}` } }],
            },
            field: 'messages',
          },
        ],
      },
    ],
  });
}

async function load(name: string, url: string): Promise<Figures & { startedAt: number }> {
  let seq = 0;
  const startedAt = Date.now();
  const result = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => {
          const body = webhookBody(seq++);
          return {
            ...request,
            body,
            headers: { ...request.headers, 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}` },
          };
        },
      },
    ],
  });
  return {
    name,
    startedAt,
    requestsPerSecond: Math.round(result['2xx'] / SECONDS),
    ok: result['2xx'],
    errors: result.non2xx + result.errors + result.timeouts,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}

async function ceiling(mode: 'json' | 'hmac'): Promise<Figures> {
  const { child, line } = await startChild([path.join(here, 'ceiling-server.js'), mode, APP_SECRET], {}, /http:\/\/\S+/);
  try {
    await load('warm-up', `${line}/webhook`).catch(() => undefined);
    const figures = await load(mode === 'json' ? 'bare Fastify: JSON parse' : 'bare Fastify: HMAC check + JSON parse', `${line}/webhook`);
    return figures;
  } finally {
    await stop(child);
  }
}

async function obrol(name: string, extraEnv: Record<string, string>): Promise<Figures> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'obrol-bench-'));
  const sim = await startWhatsAppSimulator({ appSecret: APP_SECRET, accessToken: 'bench-token', phoneNumberId: PHONE_NUMBER_ID, wabaId: WABA_ID });
  const port = freePort();
  const password = randomBytes(12).toString('hex');
  const { child } = await startChild(
    [path.join(here, '..', 'cli.js'), 'start'],
    { OBROL_PORT: String(port), OBROL_HOST: '127.0.0.1', OBROL_DATA_DIR: dataDir, OBROL_DEMO: 'false', OBROL_LOG_LEVEL: 'error', OBROL_ADMIN_EMAIL: 'bench@example.test', OBROL_ADMIN_PASSWORD: password, ...extraEnv },
    /Obrol is running/,
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    const login = (await (await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bench@example.test', password }) })).json()) as { token: string };
    const created = (await (
      await fetch(`${base}/api/v1/channels`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${login.token}` },
        body: JSON.stringify({ plugin: 'whatsapp', name: 'Bench', config: { phoneNumberId: PHONE_NUMBER_ID, wabaId: WABA_ID, accessToken: 'bench-token', appSecret: APP_SECRET, verifyToken: 'bench-verify', graphApiBaseUrl: sim.url } }),
      })
    ).json()) as { id: string };
    let events = 0;
    let lastEventAt = 0;
    const socket = new WebSocket(`${base.replace('http', 'ws')}/api/v1/realtime?token=${login.token}`);
    socket.on('message', (data) => {
      if ((JSON.parse(data.toString()) as { type: string }).type === 'message.created') {
        events++;
        lastEventAt = Date.now();
      }
    });
    await new Promise((resolve) => socket.once('open', resolve));
    const url = `${base}/webhooks/whatsapp/${created.id}`;
    const figures = await load(name, url);
    // Every acknowledged webhook must come out as a published event; wait for the tail.
    const deadline = Date.now() + 60_000;
    while (events < figures.ok && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    socket.close();
    return { ...figures, eventsPublished: events, eventsPerSecond: Math.round(events / ((lastEventAt - figures.startedAt) / 1000)) };
  } finally {
    await stop(child);
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function reachable(kind: 'postgres' | 'nats'): Promise<boolean> {
  if (kind === 'postgres') {
    const client = new pg.Client({ connectionString: process.env.OBROL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', connectionTimeoutMillis: 2000 });
    return client.connect().then(
      () => client.end().then(() => true),
      () => false,
    );
  }
  const { connect } = await import('nats');
  return connect({ servers: process.env.OBROL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222', timeout: 2000 }).then(
    (nc) => nc.close().then(() => true),
    () => false,
  );
}

async function freshPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = process.env.OBROL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `obrol_bench_${randomBytes(4).toString('hex')}`;
  const run = async (sql: string) => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(sql);
    await c.end();
  };
  await run(`CREATE DATABASE ${name}`);
  return { url: admin.replace(/\/[^/]*$/, `/${name}`), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

const results: Figures[] = [];
console.log(`Inbound webhook benchmark: ${SECONDS} s per run, ${CONNECTIONS} connections, ${os.cpus().length} cores, Node ${process.version}\n`);
results.push(await ceiling('json'));
const hmacCeiling = await ceiling('hmac');
results.push(hmacCeiling);
results.push(await obrol('Obrol: SQLite + in-process bus', {}));
if ((await reachable('postgres')) && (await reachable('nats'))) {
  const db = await freshPostgres();
  try {
    results.push(await obrol('Obrol: PostgreSQL + NATS', { OBROL_DATABASE_URL: db.url, OBROL_NATS_URL: process.env.OBROL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222', OBROL_NATS_NAMESPACE: `bench${randomBytes(3).toString('hex')}`, OBROL_MIGRATE: 'true', OBROL_SECRET_KEY: randomBytes(32).toString('base64url') }));
  } finally {
    await db.drop();
  }
} else {
  console.log('skipped: Obrol on PostgreSQL + NATS (services not reachable)\n');
}

const pad = (v: string | number, n: number) => String(v).padStart(n);
console.log(`${'run'.padEnd(42)}${pad('acks/s', 9)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('errors', 8)}${pad('events', 9)}${pad('events/s', 10)}${pad('vs HMAC ceiling', 17)}`);
for (const r of results) {
  const ratio = r.eventsPublished !== undefined ? `${((r.requestsPerSecond / hmacCeiling.requestsPerSecond) * 100).toFixed(1)} %` : '';
  console.log(
    `${r.name.padEnd(42)}${pad(r.requestsPerSecond, 9)}${pad(r.p50Ms, 9)}${pad(r.p99Ms, 9)}${pad(r.errors, 8)}${pad(r.eventsPublished ?? '', 9)}${pad(r.eventsPerSecond ?? '', 10)}${pad(ratio, 17)}`,
  );
}
console.log(`\n${JSON.stringify({ seconds: SECONDS, connections: CONNECTIONS, results })}`);
