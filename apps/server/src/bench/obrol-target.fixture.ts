import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWhatsAppSimulator, type WhatsAppSimulator } from '@obrol/whatsapp-cloud-simulator';
import WebSocket from 'ws';
import { freePort, startChild, stopChild } from './child-process.launcher.js';
import { type CpuProfile, formatProfileSummary, summariseCpuProfile } from './cpu-profile.summary.js';
import { cpuMillisecondsOf, ProcessInspector } from './process-inspector.js';
import { openStoredMessagesProbe, type StoredMessagesProbe } from './stored-messages.probe.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const BENCH_APP_SECRET = randomBytes(16).toString('hex');
export const BENCH_PHONE_NUMBER_ID = '106540352242922';
export const BENCH_WABA_ID = '102290129340398';

/** A frame pushed on the agent's WebSocket (`live.<t>.…` events). */
export interface LiveFrame {
  type: string;
  data?: { message?: { id: string; externalId: string | null; status: string; direction: string } };
}

/** One Obrol process under load, with its simulated WhatsApp number and an agent's socket. */
export interface ObrolTarget {
  name: string;
  base: string;
  /** The Obrol process's data directory (its SQLite file). */
  dataDir: string;
  token: string;
  channelId: string;
  webhookUrl: string;
  /** The Obrol process's id, for its memory. */
  pid: number | undefined;
  /**
   * The Cloud API stand-in Obrol sends to. Unless `postsWebhooks`, it never posts webhooks itself
   * (no webhook URL): the bench takes the signed deliveries it queued and posts them at a
   * controlled pace (the status flood). With it, it posts each to Obrol as it happens, as Meta does.
   */
  sim: WhatsAppSimulator;
  store: StoredMessagesProbe;
  /** Calls `listener` with each frame the agent's socket receives, and when it arrived; returns an unsubscribe. */
  onLive(listener: (frame: LiveFrame, at: number) => void): () => void;
  api<T>(method: string, route: string, body?: unknown): Promise<T>;
  /**
   * Runs one phase of a run; with a profile directory, profiles the Obrol process meanwhile,
   * writes `<name>-<phase>.cpuprofile` there and prints where its time went.
   */
  phase<T>(label: string, run: () => Promise<T>): Promise<T>;
  /** CPU milliseconds the Obrol process has used so far (Linux), for CPU time per webhook or send. */
  cpuMs(): number | undefined;
  /** Which database and bus it runs on: PostgreSQL + NATS with a database URL, else SQLite + in-process. */
  shape: 'sqlite' | 'postgres';
  /**
   * Connects another WhatsApp number, on a simulator of its own that posts its webhooks back to
   * Obrol as they happen (the "no cap" run: each number is held to 1,000/s, so the engine's own
   * limit shows only across several). Closed with the target.
   */
  addNumber(index: number): Promise<{ channelId: string; sim: WhatsAppSimulator }>;
  close(): Promise<void>;
}

export interface ObrolTargetOptions {
  name: string;
  env: Record<string, string>;
  databaseUrl?: string;
  /** Where the profiles of `phase`s are written (the process runs with its inspector open); unset: no profile. */
  cpuProfileDir?: string;
  /** The simulator posts its webhooks (statuses, replies) to Obrol as they happen, keeping no long log of them. */
  postsWebhooks?: boolean;
  /**
   * False: the simulator queues no status webhook at all (a broadcast run without them, which
   * would otherwise leave three per send waiting for a URL in the bench's memory). Default true.
   */
  statusWebhooks?: boolean;
  /** Webhook POSTs the simulator keeps in flight at once, like the flood's connections. */
  webhookConnections?: number;
}

/** A simulated number at Meta's top tier, with no per-customer pacing: the bench measures Obrol, not Meta's limits. */
function startBenchSimulator(phoneNumberId: string, options: ObrolTargetOptions): Promise<WhatsAppSimulator> {
  return startWhatsAppSimulator({
    appSecret: BENCH_APP_SECRET,
    accessToken: 'bench-token',
    phoneNumberId,
    wabaId: BENCH_WABA_ID,
    throughputPerSecond: 1_000_000,
    pairRateLimit: false,
    statusDelaysMs: { sent: 0, delivered: 0, read: 0 },
    // The status flood reads every queued delivery back; posted ones need no long log.
    deliveryLogLimit: options.postsWebhooks ? 1_000 : 1_000_000,
    // A broadcast of a million would otherwise keep every request (about 6 KB each with its statuses).
    messageLogLimit: 10_000,
    webhookConcurrency: options.webhookConnections,
    statusWebhooks: options.statusWebhooks ?? true,
  });
}

export async function startObrolTarget(options: ObrolTargetOptions): Promise<ObrolTarget> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'obrol-bench-'));
  const sim = await startBenchSimulator(BENCH_PHONE_NUMBER_ID, options);
  const moreSims: WhatsAppSimulator[] = [];
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  let nodeFlags: string[] = [];
  const inspectPort = port + 1;
  if (options.cpuProfileDir) {
    mkdirSync(options.cpuProfileDir, { recursive: true });
    nodeFlags = [`--inspect=127.0.0.1:${inspectPort}`];
  }
  // E.g. `--max-old-space-size=160`: V8 otherwise lets garbage grow the heap far past what is live.
  const nodeOptions: Record<string, string> = process.env.OBROL_BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.OBROL_BENCH_NODE_OPTIONS } : {};
  const { child } = await startChild(
    [path.join(here, '..', 'cli.js'), 'start'],
    { OBROL_PORT: String(port), OBROL_HOST: '127.0.0.1', OBROL_DATA_DIR: dataDir, OBROL_DEMO: 'false', OBROL_LOG_LEVEL: 'error', OBROL_ADMIN_EMAIL: 'bench@example.test', OBROL_ADMIN_PASSWORD: password, OBROL_BROADCAST_MAX_PER_SECOND: '1000', ...nodeOptions, ...options.env },
    /Obrol is running/,
    nodeFlags,
  );
  const base = `http://127.0.0.1:${port}`;
  let token = '';
  const api = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${base}${route}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  };
  token = (await api<{ token: string }>('POST', '/api/v1/auth/login', { email: 'bench@example.test', password })).token;
  const connect = (name: string, phoneNumberId: string, graphApiBaseUrl: string) =>
    api<{ id: string }>('POST', '/api/v1/channels', {
      plugin: 'whatsapp',
      name,
      config: { phoneNumberId, wabaId: BENCH_WABA_ID, accessToken: 'bench-token', appSecret: BENCH_APP_SECRET, verifyToken: 'bench-verify', graphApiBaseUrl },
    });
  const channel = await connect('Bench', BENCH_PHONE_NUMBER_ID, sim.url);

  const webhookUrl = `${base}/webhooks/whatsapp/${channel.id}`;
  if (options.postsWebhooks) sim.setWebhookUrl(webhookUrl);

  const listeners = new Set<(frame: LiveFrame, at: number) => void>();
  const socket = new WebSocket(`${base.replace('http', 'ws')}/api/v1/realtime?token=${token}`);
  socket.on('message', (data) => {
    const at = performance.now();
    const frame = JSON.parse(data.toString()) as LiveFrame;
    for (const listener of listeners) listener(frame, at);
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const store = await openStoredMessagesProbe({ databaseUrl: options.databaseUrl, dataDir });
  const inspector = options.cpuProfileDir ? await ProcessInspector.connect(inspectPort) : undefined;
  const fileName = (label: string) => `${options.name}-${label}`.replace(/\W+/g, '-').toLowerCase();

  return {
    name: options.name,
    base,
    dataDir,
    token,
    channelId: channel.id,
    webhookUrl,
    pid: child.pid,
    sim,
    store,
    api,
    onLive(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async phase(label, run) {
      if (!inspector) return run();
      const { result, profile } = await inspector.profile(run);
      const file = path.join(options.cpuProfileDir!, `${fileName(label)}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      console.log(`\nCPU profile of ${options.name}, ${label} (${file}):\n${formatProfileSummary(summariseCpuProfile(profile as CpuProfile))}\n`);
      return result;
    },
    cpuMs: () => cpuMillisecondsOf(child.pid),
    shape: options.databaseUrl ? 'postgres' : 'sqlite',
    async addNumber(index) {
      const phoneNumberId = String(Number(BENCH_PHONE_NUMBER_ID) + index);
      const more = await startBenchSimulator(phoneNumberId, options);
      moreSims.push(more);
      const added = await connect(`Bench ${index}`, phoneNumberId, more.url);
      if (options.postsWebhooks) more.setWebhookUrl(`${base}/webhooks/whatsapp/${added.id}`);
      return { channelId: added.id, sim: more };
    },
    async close() {
      inspector?.close();
      socket.close();
      await store.close();
      await stopChild(child);
      await sim.close();
      await Promise.all(moreSims.map((s) => s.close()));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
