import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireService } from '@obrol/core/testing';
import { eventually, freshPostgresDatabase, natsReachable, postgresReachable, testServices } from '@obrol/plugin-testkit';
import { type WhatsAppSimulator, startWhatsAppSimulator } from '@obrol/whatsapp-cloud-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli.js');
const RECIPIENTS = 120;

const run =
  (await requireService('postgres', () => postgresReachable(), { at: testServices.postgresUrl.replace(/\/\/[^@]*@/, '//') })) &&
  (await requireService('nats', () => natsReachable(), { at: testServices.natsUrl }));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Meta's network between the worker and the simulator: each Graph call waits before it reaches
 * the simulator and before its answer comes back, so a worker killed at any moment has sends
 * in flight that did and did not reach the provider.
 */
async function startSlowLink(target: () => string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        await pause(150);
        const headers: Record<string, string> = {};
        for (const name of ['authorization', 'content-type']) if (req.headers[name]) headers[name] = String(req.headers[name]);
        const answer = await fetch(`${target()}${req.url}`, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
        const body = Buffer.from(await answer.arrayBuffer());
        await pause(100);
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(body);
      })().catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

/** Indonesian mobile numbers, unique per test through `base`. */
const phones = (base: number, n: number) => Array.from({ length: n }, (_, i) => `+62813${String(base + i).padStart(8, '0')}`);

/**
 * Broadcasts in the scaled shape as an operator runs it (`obrol api` + `obrol worker` from the
 * built CLI, PostgreSQL + NATS): a worker killed with SIGKILL mid-broadcast, and two workers
 * sharing one number's pace, both counted at the simulator.
 */
describe.runIf(run)('broadcasts across worker processes (api + workers, PostgreSQL + NATS, WhatsApp simulator)', () => {
  const children = new Set<ChildProcess>();
  const workers = new Set<ChildProcess>();
  let database: { url: string; drop(): Promise<void> };
  let simulator: WhatsAppSimulator;
  let link: { url: string; server: Server };
  let env: Record<string, string>;
  let apiUrl: string;
  let headers: Record<string, string>;
  let channelId: string;

  function startProcess(role: 'api' | 'worker', port: number, extra: Record<string, string> = {}): ChildProcess {
    const child = spawn(process.execPath, [cli, role], { env: { ...env, ...extra, OBROL_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
    child.stderr!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
    child.once('exit', (code, signal) => {
      children.delete(child);
      if (code !== 0 && signal !== 'SIGKILL') process.stderr.write(`obrol ${role} exited with ${code ?? signal}:\n${output}\n`);
    });
    children.add(child);
    if (role === 'worker') {
      workers.add(child);
      child.once('exit', () => workers.delete(child));
    }
    return child;
  }

  async function ready(port: number): Promise<void> {
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, 60_000, `the process on port ${port} to be ready`);
  }

  async function stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  async function api(method: string, url: string, body?: unknown, raw?: string) {
    const r = await fetch(`${apiUrl}${url}`, { method, headers: raw ? { ...headers, 'content-type': 'text/csv' } : headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
    return { status: r.status, body: (await r.json()) as any };
  }

  async function broadcastTo(numbers: string[], messagesPerSecond: number): Promise<string> {
    const created = await api('POST', '/api/v1/broadcasts', { channelAccountId: channelId, name: `to ${numbers.length}`, template: { name: 'hello_world', language: 'en_US' }, messagesPerSecond });
    expect(created.status).toBe(201);
    const uploaded = await api('POST', `/api/v1/broadcasts/${created.body.id}/audience`, undefined, ['phone', ...numbers].join('\n'));
    expect(uploaded.status).toBe(201);
    expect((await api('POST', `/api/v1/broadcasts/${created.body.id}/start`, {})).body.status).toBe('running');
    return created.body.id;
  }

  const sentTo = (numbers: string[]) => {
    const wanted = new Set(numbers.map((p) => p.slice(1)));
    return simulator.sent.filter((m) => wanted.has(m.waId));
  };

  async function completion(id: string, timeoutMs: number) {
    return eventually(async () => {
      const b = (await api('GET', `/api/v1/broadcasts/${id}`)).body;
      return b.status === 'completed' ? b : null;
    }, timeoutMs, 'the broadcast to complete');
  }

  beforeAll(async () => {
    database = await freshPostgresDatabase();
    const appSecret = randomBytes(16).toString('hex');
    const accessToken = `crash-${randomBytes(8).toString('hex')}`;
    simulator = await startWhatsAppSimulator({ appSecret, accessToken, pairRateLimit: false, throughputPerSecond: 100_000, statusDelaysMs: { sent: 400, delivered: 400 } });
    link = await startSlowLink(() => simulator.url);
    env = {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OBROL_')).map(([k, v]) => [k, v ?? ''])),
      OBROL_HOST: '127.0.0.1',
      OBROL_DATA_DIR: path.join(os.tmpdir(), `obrol-bc-crash-${randomBytes(4).toString('hex')}`),
      OBROL_DATABASE_URL: database.url,
      OBROL_NATS_URL: testServices.natsUrl,
      OBROL_NATS_NAMESPACE: `bccrash${randomBytes(4).toString('hex')}`,
      OBROL_SECRET_KEY: randomBytes(32).toString('base64url'),
      OBROL_ADMIN_EMAIL: 'admin@example.test',
      OBROL_ADMIN_PASSWORD: 'correct-horse-battery',
      OBROL_DEMO: 'false',
      OBROL_LOG_LEVEL: 'warn',
      OBROL_SEND_IN_DOUBT_GRACE_SECONDS: '10',
      OBROL_BROADCAST_MAX_PER_SECOND: '1000',
    };
    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    // The api applies the migrations (core's and the broadcasts plugin's), as `obrol migrate` would.
    startProcess('api', apiPort, { OBROL_MIGRATE: 'true' });
    await ready(apiPort);
    const login = await (await fetch(`${apiUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: env.OBROL_ADMIN_EMAIL, password: env.OBROL_ADMIN_PASSWORD }) })).json();
    headers = { authorization: `Bearer ${(login as { token: string }).token}`, 'content-type': 'application/json' };
    const config = { phoneNumberId: simulator.config.phoneNumberId, wabaId: simulator.config.wabaId, accessToken, appSecret, verifyToken: 'crash-test-verify', graphApiBaseUrl: link.url };
    const channel = await api('POST', '/api/v1/channels', { plugin: 'whatsapp', name: 'Broadcast crash test', config });
    expect(channel.status).toBe(201);
    channelId = channel.body.id;
    simulator.setWebhookUrl(`${apiUrl}/webhooks/whatsapp/${channelId}`);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...children].map((child) => stop(child)));
    await simulator?.close();
    await new Promise((resolve) => link?.server.close(resolve));
    await database?.drop().catch(() => undefined);
  });

  it(`sends each of ${RECIPIENTS} recipients exactly once across a SIGKILL of the worker`, async () => {
    const numbers = phones(1_000, RECIPIENTS);
    const id = await broadcastTo(numbers, 100);
    const worker = startProcess('worker', await freePort());
    await eventually(() => sentTo(numbers).length >= RECIPIENTS / 4, 240_000, 'the worker to be sending');
    const killed = new Promise((resolve) => worker.once('exit', resolve));
    worker.kill('SIGKILL');
    await killed;
    expect(sentTo(numbers).length).toBeLessThan(RECIPIENTS);

    const restartedPort = await freePort();
    startProcess('worker', restartedPort);
    await ready(restartedPort);
    const done = await completion(id, 400_000);
    const times = new Map<string, number>();
    for (const m of sentTo(numbers)) times.set(m.waId, (times.get(m.waId) ?? 0) + 1);
    expect([...times.entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect(times.size).toBe(RECIPIENTS);
    expect(done.counters.total).toBe(RECIPIENTS);
    expect(done.counters.sent + done.counters.delivered + done.counters.read).toBe(RECIPIENTS);
  }, 700_000);

  it('keeps two workers together under the pace, counted at the simulator in one-second windows', async () => {
    // Two workers, whichever ran before (the crash test leaves its restarted one running).
    while (workers.size < 2) {
      const port = await freePort();
      startProcess('worker', port);
      await ready(port);
    }
    const numbers = phones(10_000, 60);
    const cap = 10;
    const id = await broadcastTo(numbers, cap);
    await completion(id, 300_000);
    const perSecond = new Map<number, number>();
    for (const m of sentTo(numbers)) {
      const second = Math.floor(m.acceptedAt.getTime() / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }
    expect(sentTo(numbers)).toHaveLength(numbers.length);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(cap);
  }, 360_000);
});
