import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import { type TestObrol, eventually, startTestObrol } from '@obrol/plugin-testkit';
import { type WhatsAppSimulator, startWhatsAppSimulator } from '@obrol/whatsapp-cloud-simulator';
import { WhatsAppPlugin } from '@obrol/whatsapp';
import { BroadcastsPlugin } from '@obrol/plugin-broadcasts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const appSecret = 'sim-app-secret-0123456789';
const accessToken = 'sim-token-abc';
const rows = 40_000;
const csv = ['phone,name', ...Array.from({ length: rows }, (_, i) => `+62813${String(i).padStart(8, '0')},Customer ${i}`)].join('\n');
// Any start of more than a hundred recipients is planned by a worker (ADR 0033).
const plugins = [WhatsAppPlugin, BroadcastsPlugin.init({ startInBackgroundAbove: 100, maxMessagesPerSecond: 1_000 })];

/**
 * A start planned by a worker that shuts down mid-plan: the broadcast stays due, not started
 * with half its audience planned, and the next process plans it whole and starts it.
 */
describe('a large start when its process stops mid-plan', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'obrol-start-restart-'));
  let sim: WhatsAppSimulator;
  let second: TestObrol | undefined;
  beforeAll(async () => {
    sim = await startWhatsAppSimulator({ appSecret, accessToken, pairRateLimit: false });
  });
  afterAll(async () => {
    await second?.close();
    await sim?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const planned = async (env: TestObrol, id: string) =>
    Number((await env.app.app.get(MikroORM).em.fork().getConnection().execute<{ n: number | string }[]>('select count(*) as n from broadcast_recipients where broadcast_id = ? and parameters is not null', [id]))[0]!.n);

  it('leaves the broadcast due, and the next process plans all of it and starts it', async () => {
    const first = await startTestObrol({ dataDir, plugins });
    const channel = await first.api('POST', '/api/v1/channels', {
      plugin: 'whatsapp',
      name: 'WhatsApp',
      config: { phoneNumberId: sim.config.phoneNumberId, wabaId: sim.config.wabaId, accessToken, appSecret, verifyToken: 'verify-me', graphApiBaseUrl: sim.url },
    });
    expect(channel.status).toBe(201);
    const created = await first.api('POST', '/api/v1/broadcasts', { channelAccountId: channel.body.id, name: 'Stopped mid-plan', template: { name: 'hello_world', language: 'en_US' }, messagesPerSecond: 1 });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await first.api('POST', `/api/v1/broadcasts/${id}/audience`, undefined, { raw: csv, headers: { 'content-type': 'text/csv' } })).status).toBe(201);
    const started = await first.api('POST', `/api/v1/broadcasts/${id}/start`, {});
    expect(started.body).toMatchObject({ status: 'scheduled', scheduledLocal: null });
    await eventually(async () => (await planned(first, id)) > 0 || null, 60_000, 'the first recipients planned');
    await first.close();

    second = await startTestObrol({ dataDir, secretKey: first.secretKey, plugins });
    const b = await second.api('GET', `/api/v1/broadcasts/${id}`);
    // Not started with part of its audience planned: still due, its counters untouched.
    expect(b.body).toMatchObject({ status: 'scheduled', startedAt: null, counters: { total: 0 } });
    expect(await planned(second, id)).toBeLessThan(rows);
    const running = await eventually(async () => {
      const now = (await second!.api('GET', `/api/v1/broadcasts/${id}`)).body;
      return now.status === 'running' ? now : null;
    }, 120_000, 'the broadcast started by the next process');
    expect(running.counters).toMatchObject({ total: rows });
    expect(await planned(second, id)).toBe(rows);
    expect((await second.api('POST', `/api/v1/broadcasts/${id}/cancel`, {})).status).toBe(200);
  }, 240_000);
});
