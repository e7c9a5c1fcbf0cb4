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
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli.js');
const MESSAGES = 300;
const CUSTOMER = '+6281255500001';

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

/** The scaled shape as an operator runs it: `obrol api` and `obrol worker` from the built CLI, on PostgreSQL and NATS. */
describe.runIf(run)('a worker killed with SIGKILL while sending (api + worker processes, PostgreSQL + NATS, WhatsApp simulator)', () => {
  const children = new Set<ChildProcess>();
  let database: { url: string; drop(): Promise<void> };
  let db: pg.Client;
  let simulator: WhatsAppSimulator;
  let link: { url: string; server: Server };
  let env: Record<string, string>;
  let apiUrl: string;

  function startProcess(role: 'api' | 'worker', port: number): ChildProcess {
    const child = spawn(process.execPath, [cli, role], { env: { ...env, OBROL_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
    child.stderr!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
    child.once('exit', (code, signal) => {
      children.delete(child);
      if (code !== 0 && signal !== 'SIGKILL') process.stderr.write(`obrol ${role} exited with ${code ?? signal}:\n${output}\n`);
    });
    children.add(child);
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

  async function count(sql: string): Promise<number> {
    return Number((await db.query<{ n: string }>(sql)).rows[0]!.n);
  }

  beforeAll(async () => {
    database = await freshPostgresDatabase();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    const appSecret = randomBytes(16).toString('hex');
    const accessToken = `crash-${randomBytes(8).toString('hex')}`;
    simulator = await startWhatsAppSimulator({ appSecret, accessToken, pairRateLimit: false, throughputPerSecond: 100_000, statusDelaysMs: { sent: 400, delivered: 400 } });
    link = await startSlowLink(() => simulator.url);
    env = {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OBROL_')).map(([k, v]) => [k, v ?? ''])),
      OBROL_HOST: '127.0.0.1',
      OBROL_DATA_DIR: path.join(os.tmpdir(), `obrol-crash-${randomBytes(4).toString('hex')}`),
      OBROL_DATABASE_URL: database.url,
      OBROL_NATS_URL: testServices.natsUrl,
      OBROL_NATS_NAMESPACE: `crash${randomBytes(4).toString('hex')}`,
      OBROL_SECRET_KEY: randomBytes(32).toString('base64url'),
      OBROL_ADMIN_EMAIL: 'admin@example.test',
      OBROL_ADMIN_PASSWORD: 'correct-horse-battery',
      OBROL_DEMO: 'false',
      OBROL_LOG_LEVEL: 'warn',
      OBROL_SEND_IN_DOUBT_GRACE_SECONDS: '10',
    };
    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    startProcess('api', apiPort);
    await ready(apiPort);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...children].map((child) => stop(child)));
    await db?.end().catch(() => undefined);
    await simulator?.close();
    await new Promise((resolve) => link?.server.close(resolve));
    await database?.drop().catch(() => undefined);
  });

  it(`sends each of ${MESSAGES} queued messages exactly once across the crash`, async () => {
    const login = await (await fetch(`${apiUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: env.OBROL_ADMIN_EMAIL, password: env.OBROL_ADMIN_PASSWORD }) })).json();
    const headers = { authorization: `Bearer ${(login as { token: string }).token}`, 'content-type': 'application/json' };
    const config = {
      phoneNumberId: simulator.config.phoneNumberId,
      wabaId: simulator.config.wabaId,
      accessToken: simulator.config.accessToken,
      appSecret: simulator.config.appSecret,
      verifyToken: 'crash-test-verify',
      graphApiBaseUrl: link.url,
    };
    const channel = await fetch(`${apiUrl}/api/v1/channels`, { method: 'POST', headers, body: JSON.stringify({ plugin: 'whatsapp', name: 'Crash test', config }) });
    expect(channel.status).toBe(201);
    const channelId = ((await channel.json()) as { id: string }).id;
    simulator.setWebhookUrl(`${apiUrl}/webhooks/whatsapp/${channelId}`);
    simulator.customers.send(CUSTOMER, 'Halo, tolong kirim rinciannya', { name: 'Putri' });
    const conversationId = await eventually(async () => {
      const list = (await (await fetch(`${apiUrl}/api/v1/conversations`, { headers })).json()) as { items: { id: string }[] };
      return list.items[0]?.id;
    }, 15_000, 'the conversation');

    const ids: string[] = [];
    for (let i = 0; i < MESSAGES; i += 25) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(25, MESSAGES - i) }, async (_, j) => {
          const r = await fetch(`${apiUrl}/api/v1/conversations/${conversationId}/messages`, { method: 'POST', headers, body: JSON.stringify({ content: { type: 'text', text: `rincian ${i + j + 1}` } }) });
          expect(r.status).toBe(202);
          return ((await r.json()) as { id: string }).id;
        }),
      );
      ids.push(...batch);
    }

    const workerPort = await freePort();
    const worker = startProcess('worker', workerPort);
    await eventually(() => simulator.sent.length >= MESSAGES / 4, 60_000, 'the worker to be sending');
    const killed = new Promise((resolve) => worker.once('exit', resolve));
    worker.kill('SIGKILL');
    await killed;
    // Sends the dead worker started and never recorded: the in-doubt ones this test is about.
    const inDoubt = await count(`select count(*) as n from messages where direction = 'outbound' and status = 'queued' and send_started_at is not null`);
    expect(inDoubt).toBeGreaterThan(0);
    expect(simulator.sent.length).toBeLessThan(MESSAGES);

    const restartedPort = await freePort();
    startProcess('worker', restartedPort);
    await ready(restartedPort);
    await eventually(
      async () => (await count(`select count(*) as n from messages where direction = 'outbound' and status = 'queued'`)) === 0,
      150_000,
      'every message to leave the queue',
    );

    const timesSent = new Map<string, number>();
    for (const record of simulator.sent) {
      const id = String(record.request.biz_opaque_callback_data);
      timesSent.set(id, (timesSent.get(id) ?? 0) + 1);
    }
    expect([...timesSent.entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect(ids.filter((id) => timesSent.get(id) !== 1)).toEqual([]);
    expect(simulator.sent).toHaveLength(MESSAGES);
    expect(await count(`select count(*) as n from messages where direction = 'outbound' and status = 'failed'`)).toBe(0);
  }, 240_000);
});
