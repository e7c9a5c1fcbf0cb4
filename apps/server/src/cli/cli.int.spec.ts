import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli.js');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `obrol start` as a user runs it: the built CLI in its own process, with a fresh data dir. */
describe('obrol start (built CLI, single node)', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'obrol-cli-'));
  let child: ChildProcess;
  let output = '';
  let printedSinceStart = () => output;
  let base = '';
  let port = 0;
  let simulatorPort = 0;

  /** Starts the CLI on the test's data dir and ports; resolves with everything it printed once it is up. */
  async function startCli(): Promise<{ child: ChildProcess; output: () => string }> {
    let printed = '';
    const started = spawn(process.execPath, [cli, 'start'], {
      env: {
        ...process.env,
        OBROL_PORT: String(port),
        OBROL_HOST: '127.0.0.1',
        OBROL_DATA_DIR: dataDir,
        OBROL_LOG_LEVEL: 'warn',
        OBROL_ADMIN_EMAIL: '',
        OBROL_ADMIN_PASSWORD: '',
        OBROL_DEMO_SIMULATOR_PORT: String(simulatorPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.stdout!.on('data', (c: Buffer) => (printed += c.toString()));
    started.stderr!.on('data', (c: Buffer) => (printed += c.toString()));
    const deadline = Date.now() + 60_000;
    while (!printed.includes('Obrol is running')) {
      if (Date.now() > deadline || started.exitCode !== null) throw new Error(`obrol start did not come up:\n${printed}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return { child: started, output: () => printed };
  }

  /** Sends SIGTERM; resolves with how the process ended, and prints its last words if that was not a clean exit. */
  async function terminate(started: ChildProcess, printed: () => string): Promise<{ code: number | null; signal: string | null }> {
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => started.once('exit', (code, signal) => resolve({ code, signal })));
    started.kill('SIGTERM');
    const ended = await exited;
    if (ended.code !== 0) console.error(`obrol start ended with ${JSON.stringify(ended)}; its output ends with:\n${printed().slice(-3000)}`);
    return ended;
  }

  beforeAll(async () => {
    port = await freePort();
    simulatorPort = await freePort();
    base = `http://127.0.0.1:${port}`;
    const started = await startCli();
    child = started.child;
    output = started.output();
    printedSinceStart = started.output;
  }, 90_000);
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers /readyz with ready', async () => {
    const r = await fetch(`${base}/readyz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ready', checks: { database: true, bus: true } });
  });

  it('prints the first admin once, and that login works', async () => {
    const match = output.match(/First admin created: (\S+) \/ password: (\S+)/);
    expect(match).not.toBeNull();
    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: match![1], password: match![2] }) });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const me = await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await me.json()) as { role: string }).role).toBe('admin');
  });

  it('serves an OpenAPI document that lists the routes, and the docs page', async () => {
    const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, { content?: { 'application/json'?: { schema?: { properties?: Record<string, unknown> } } } }> }>> };
    for (const route of ['/api/v1/auth/login', '/api/v1/conversations', '/api/v1/conversations/{id}/messages', '/api/v1/messages', '/api/v1/channels/{channelId}/templates', '/api/v1/conversations/{id}/typing', '/api/v1/demo', '/healthz', '/readyz']) {
      expect(Object.keys(doc.paths)).toContain(route);
    }
    expect((await fetch(`${base}/api/docs`)).status).toBe(200);
    // Responses are documented from the same zod schemas the handlers return, errors included.
    const list = doc.paths['/api/v1/conversations']!.get!.responses;
    expect(Object.keys(list['200']!.content!['application/json']!.schema!.properties!)).toEqual(['items', 'nextCursor']);
    const send = doc.paths['/api/v1/conversations/{id}/messages']!.post!.responses;
    expect(Object.keys(send)).toEqual(expect.arrayContaining(['202', '400', '404', '422']));
    expect(Object.keys(send['422']!.content!['application/json']!.schema!.properties!)).toEqual(['statusCode', 'code', 'message', 'details']);
  });

  it('connects the demo WhatsApp channel with two customers, one of them outside the window', async () => {
    const match = output.match(/First admin created: (\S+) \/ password: (\S+)/)!;
    const { token } = (await (await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: match[1], password: match[2] }) })).json()) as { token: string };
    const deadline = Date.now() + 15_000;
    let items: { window: { open: boolean } }[] = [];
    while (items.length < 2 && Date.now() < deadline) {
      items = ((await (await fetch(`${base}/api/v1/conversations`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: typeof items }).items;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(items.map((c) => c.window.open).sort()).toEqual([false, true]);
    expect(output).toContain(`play a customer at http://localhost:${simulatorPort}/`);
    expect((await fetch(`http://127.0.0.1:${simulatorPort}/`)).status).toBe(200);
    const demo = await fetch(`${base}/api/v1/demo`, { headers: { authorization: `Bearer ${token}` } });
    expect(await demo.json()).toEqual({ customerPageUrl: `http://localhost:${simulatorPort}/`, customerPagePort: simulatorPort });
  });

  it('stops cleanly on SIGTERM', async () => {
    expect(await terminate(child, printedSinceStart)).toEqual({ code: 0, signal: null });
  });

  it('restarts on the same data dir, says where the login comes from, and enforces the window the inbox shows', async () => {
    const [, email, password] = output.match(/First admin created: (\S+) \/ password: (\S+)/)!;
    const restarted = await startCli();
    child = restarted.child;
    const banner = restarted.output();
    expect(banner).not.toContain('First admin created');
    expect(banner).not.toContain('admin above');
    expect(banner).toContain(`log in as the first admin, ${email}, with the password printed on the first start`);
    expect(banner).toContain(`play a customer at http://localhost:${simulatorPort}/`);

    const { token } = (await (await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })).json()) as { token: string };
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const { items } = (await (await fetch(`${base}/api/v1/conversations`, { headers: auth })).json()) as { items: { id: string; window: { open: boolean } }[] };
    const open = items.find((c) => c.window.open)!;
    expect(open).toBeDefined();
    const sent = await fetch(`${base}/api/v1/conversations/${open.id}/messages`, { method: 'POST', headers: auth, body: JSON.stringify({ content: { type: 'text', text: 'Sudah kami cek, besok sampai.' } }) });
    expect(sent.status).toBe(202);
    const { id } = (await sent.json()) as { id: string };
    const deadline = Date.now() + 15_000;
    let status = 'queued';
    while (!['delivered', 'read', 'failed'].includes(status) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      const page = (await (await fetch(`${base}/api/v1/conversations/${open.id}/messages`, { headers: auth })).json()) as { items: { id: string; status: string }[] };
      status = page.items.find((m) => m.id === id)?.status ?? status;
    }
    // Before the simulator kept its state, this reply failed with 131047 (window closed).
    expect(status).toMatch(/^(delivered|read)$/);
    expect(await terminate(child, restarted.output)).toEqual({ code: 0, signal: null });
  }, 90_000);
});

describe('obrol with a wrong setting', () => {
  it('refuses to start and names the variable', async () => {
    const child = spawn(process.execPath, [cli, 'start'], { env: { ...process.env, OBROL_PORT: 'eighty', OBROL_DATABSE_URL: 'postgres://x' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(err).toContain('OBROL_PORT');
    expect(err).not.toMatch(/\s+at\s+\S+\s+\(/);
  });

  it('refuses api without NATS', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'obrol-cli-'));
    const child = spawn(process.execPath, [cli, 'api'], { env: { ...process.env, OBROL_DATA_DIR: dataDir, OBROL_SECRET_KEY: 'x'.repeat(40), OBROL_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    expect(await new Promise<number | null>((resolve) => child.once('exit', resolve))).toBe(1);
    expect(err).toContain('OBROL_NATS_URL');
    rmSync(dataDir, { recursive: true, force: true });
  });
});
