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
  let base = '';

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [cli, 'start'], {
      env: { ...process.env, OBROL_PORT: String(port), OBROL_HOST: '127.0.0.1', OBROL_DATA_DIR: dataDir, OBROL_LOG_LEVEL: 'warn', OBROL_ADMIN_EMAIL: '', OBROL_ADMIN_PASSWORD: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const deadline = Date.now() + 60_000;
    while (!output.includes('Obrol is running')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`obrol start did not come up:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
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
    for (const route of ['/api/v1/auth/login', '/api/v1/conversations', '/api/v1/conversations/{id}/messages', '/api/v1/messages', '/api/v1/channels/{channelId}/templates', '/healthz', '/readyz']) {
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
    expect(output).toMatch(/play a customer at http:\/\/127\.0\.0\.1:\d+/);
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
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
