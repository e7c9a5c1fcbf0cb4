import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Clock } from '@obrol/contracts';
import {
  type EventBus,
  InProcessBus,
  MikroORM,
  NatsBus,
  type ObrolApp,
  type OutboundWebhookSettings,
  type PluginRef,
  type ProcessRole,
  migrateDatabase,
  startObrolApp,
} from '@obrol/core';
import pg from 'pg';
import WebSocket from 'ws';
import { TestChannelPlugin } from './test-channel/test-channel.plugin.js';
import { TestProvider } from './test-channel/test-provider.js';
import { TEST_SIGNATURE_HEADER, type TestWebhook, signTestWebhook } from './test-channel/test-webhook.js';

/** Where integration tests find PostgreSQL and NATS. */
export const testServices = {
  postgresUrl: process.env.OBROL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  natsUrl: process.env.OBROL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
};

export async function postgresReachable(url = testServices.postgresUrl): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function natsReachable(url = testServices.natsUrl): Promise<boolean> {
  try {
    const bus = await NatsBus.connect({ url, name: 'obrol-probe', namespace: `probe${randomBytes(3).toString('hex')}` });
    const ok = await bus.ping();
    await bus.close();
    return ok;
  } catch {
    return false;
  }
}

let template: Promise<string> | null = null;

/**
 * A fresh PostgreSQL database for one test, cloned from a migrated template (fast: no
 * migrations per test). Returns its URL and a function that drops it.
 */
export async function freshPostgresDatabase(adminUrl = testServices.postgresUrl): Promise<{ url: string; drop(): Promise<void> }> {
  const withDb = (name: string) => adminUrl.replace(/\/[^/?]*(\?.*)?$/, `/${name}$1`).replace(/undefined$/, '');
  template ??= (async () => {
    const name = `obrol_tpl_${process.pid}_${randomBytes(3).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      // Test workers end without `beforeExit` as often as with it: templates of processes that
      // are gone are dropped here, so a developer's database does not collect them.
      const { rows } = await admin.query<{ datname: string }>(`select datname from pg_database where datname like 'obrol\\_tpl\\_%'`);
      for (const { datname } of rows) if (!processAlive(Number(datname.split('_')[2]))) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => undefined);
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    await migrateDatabase({ url: withDb(name), dataDir: os.tmpdir() });
    process.once('beforeExit', () => void dropDatabase(adminUrl, name));
    return name;
  })();
  const source = await template;
  const name = `obrol_t_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${source}`);
  } finally {
    await admin.end();
  }
  return { url: withDb(name), drop: () => dropDatabase(adminUrl, name) };
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export interface TestObrolOptions {
  database?: 'sqlite' | 'postgres';
  bus?: 'memory' | 'nats';
  role?: ProcessRole;
  clock?: Clock;
  provider?: TestProvider;
  /** More plugins besides the test channel. */
  plugins?: PluginRef[];
  /** Share a database between processes (scaled-shape tests): pass the first env's. */
  databaseUrl?: string;
  /** Share a NATS namespace between processes. */
  natsNamespace?: string;
  /** Share the secret key between processes. */
  secretKey?: string;
  dataDir?: string;
  /** Login attempts allowed per minute per address (default 1000, so tests are not throttled). */
  loginRateLimitPerMinute?: number;
  /** Failed logins allowed per account in 15 minutes (default: the core's). */
  loginFailuresPerAccount?: number;
  /** Proxies whose X-Forwarded-For is believed. */
  trustedProxies?: string[];
  /** Outbound webhook settings; private addresses are allowed unless this says otherwise (receivers in tests listen on loopback). */
  outboundWebhooks?: OutboundWebhookSettings;
  /** Stop/start keywords and their confirmation replies (default: the core's). */
  optOut?: { stopKeywords?: string[]; startKeywords?: string[]; optOutReply?: string; optInReply?: string };
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A running Obrol for tests, with helpers that speak its HTTP API and WebSocket. */
export interface TestObrol {
  url: string;
  app: ObrolApp;
  bus: EventBus;
  provider: TestProvider;
  adminEmail: string;
  adminPassword: string;
  databaseUrl?: string;
  natsNamespace?: string;
  secretKey: string;
  dataDir: string;
  /** Call the API; `token` defaults to the admin's. */
  api<T = any>(method: string, path: string, body?: unknown, options?: { token?: string | null; headers?: Record<string, string>; raw?: string | Buffer }): Promise<ApiResponse<T>>;
  login(email: string, password: string): Promise<string>;
  adminToken(): Promise<string>;
  /** Create a test-channel account; returns it (with its webhook secret). */
  createTestChannel(name?: string): Promise<{ id: string; webhookSecret: string }>;
  /** POST a signed test-channel webhook. */
  postWebhook(channelAccountId: string, webhookSecret: string, payload: TestWebhook, options?: { signature?: string }): Promise<ApiResponse>;
  /** Cut the database connection (an outage) until the returned function restores it. */
  databaseOutage(): Promise<() => Promise<void>>;
  /** Open the realtime socket; frames collect in `frames`. */
  realtime(token: string): Promise<RealtimeClient>;
  close(): Promise<void>;
}

export interface RealtimeClient {
  frames: any[];
  waitFor(predicate: (frame: any) => boolean, timeoutMs?: number): Promise<any>;
  /** Send a frame to the server (JSON-encoded). */
  send(frame: unknown): void;
  close(): void;
}

/** Starts Obrol with the test channel on SQLite or PostgreSQL, with the in-process bus or NATS. */
export async function startTestObrol(options: TestObrolOptions = {}): Promise<TestObrol> {
  const provider = options.provider ?? new TestProvider();
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'obrol-test-'));
  let databaseUrl = options.databaseUrl;
  let dropDb: (() => Promise<void>) | null = null;
  if (!databaseUrl && options.database === 'postgres') {
    const db = await freshPostgresDatabase();
    databaseUrl = db.url;
    dropDb = db.drop;
  }
  const natsNamespace = options.bus === 'nats' ? (options.natsNamespace ?? `t${randomBytes(4).toString('hex')}`) : undefined;
  const bus: EventBus =
    options.bus === 'nats' ? await NatsBus.connect({ url: testServices.natsUrl, name: 'obrol-test', namespace: natsNamespace }) : new InProcessBus();
  const adminEmail = 'admin@example.test';
  const adminPassword = 'correct-horse-battery';
  const secretKey = options.secretKey ?? randomBytes(32).toString('base64url');
  const app = await startObrolApp({
    role: options.role ?? 'all',
    port: 0,
    database: { url: databaseUrl, dataDir },
    // A database this env made has core's migrations from the template; plugins' still apply at boot.
    migrate: !options.databaseUrl || options.database === 'sqlite',
    bus,
    plugins: [TestChannelPlugin.init({ provider }), ...(options.plugins ?? [])],
    secretKey,
    dataDir,
    publicUrl: 'http://obrol.test',
    clock: options.clock,
    admin: { email: adminEmail, password: adminPassword },
    passwordHashCost: { N: 1024, r: 8, p: 1 },
    loginRateLimitPerMinute: options.loginRateLimitPerMinute ?? 1000,
    loginFailuresPerAccount: options.loginFailuresPerAccount,
    trustedProxies: options.trustedProxies,
    outboundWebhooks: { allowPrivateAddresses: true, ...options.outboundWebhooks },
    optOut: options.optOut,
  });

  const api: TestObrol['api'] = async (method, urlPath, body, opts = {}) => {
    const token = opts.token === undefined ? await adminToken() : opts.token;
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: string | Buffer | undefined = opts.raw;
    if (body !== undefined && payload === undefined) {
      headers['content-type'] ??= 'application/json';
      payload = JSON.stringify(body);
    }
    const response = await fetch(`${app.url}${urlPath}`, { method, headers, body: payload });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: response.status, body: parsed as any, headers: response.headers };
  };

  const login = async (email: string, password: string) => {
    const r = await api('POST', '/api/v1/auth/login', { email, password }, { token: null });
    if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.token as string;
  };
  let adminTokenValue: Promise<string> | null = null;
  const adminToken = () => (adminTokenValue ??= login(adminEmail, adminPassword));

  const env: TestObrol = {
    url: app.url,
    app,
    bus,
    provider,
    adminEmail,
    adminPassword,
    databaseUrl,
    natsNamespace,
    secretKey,
    dataDir,
    api,
    login,
    adminToken,
    async createTestChannel(name = 'Test inbox') {
      const webhookSecret = `secret-${randomBytes(8).toString('hex')}`;
      const r = await api('POST', '/api/v1/channels', { plugin: 'test', name, config: { webhookSecret } });
      if (r.status !== 201) throw new Error(`creating the test channel failed: ${r.status} ${JSON.stringify(r.body)}`);
      return { id: r.body.id as string, webhookSecret };
    },
    async postWebhook(channelAccountId, webhookSecret, payload, opts = {}) {
      const raw = JSON.stringify(payload);
      return api('POST', `/webhooks/test/${channelAccountId}`, undefined, {
        token: null,
        raw,
        headers: { 'content-type': 'application/json', [TEST_SIGNATURE_HEADER]: opts.signature ?? signTestWebhook(raw, webhookSecret) },
      });
    },
    async databaseOutage() {
      const orm = app.app.get(MikroORM);
      await orm.close(true);
      return async () => {
        await orm.connect();
      };
    },
    async realtime(token) {
      const ws = new WebSocket(`${app.url.replace(/^http/, 'ws')}/api/v1/realtime?token=${encodeURIComponent(token)}`);
      const frames: any[] = [];
      const waiters = new Set<() => void>();
      ws.on('message', (data) => {
        frames.push(JSON.parse(data.toString()));
        waiters.forEach((w) => w());
      });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
        ws.once('unexpected-response', (_req, res) => reject(new Error(`realtime refused: ${res.statusCode}`)));
      });
      return {
        frames,
        send: (frame) => ws.send(JSON.stringify(frame)),
        close: () => ws.close(),
        waitFor: (predicate, timeoutMs = 10_000) =>
          new Promise((resolve, reject) => {
            const check = () => {
              const hit = frames.find(predicate);
              if (hit) {
                waiters.delete(check);
                clearTimeout(timer);
                resolve(hit);
              }
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              reject(new Error(`no matching realtime frame in ${timeoutMs} ms; got ${JSON.stringify(frames.map((f) => f.type))}`));
            }, timeoutMs);
            waiters.add(check);
            check();
          }),
      };
    },
    async close() {
      await app.close();
      if (dropDb) await dropDb().catch(() => undefined);
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return env;
}

/** Polls until `check` returns a truthy value (or throws after `timeoutMs`). */
export async function eventually<T>(check: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
