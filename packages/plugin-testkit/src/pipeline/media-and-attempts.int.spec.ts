import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MAX_SEND_ATTEMPTS, MikroORM } from '@obrol/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEvents } from '../test-channel/test-webhook.js';
import { TestProvider } from '../test-channel/test-provider.js';
import { type TestObrol, eventually, freshPostgresDatabase, startTestObrol } from '../test-env.js';
import { availableStacks } from './stacks.js';

const stacks = await availableStacks();
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

/** A stored file is sent only on its own inbox; a send never outlives its attempt cap. */
for (const stack of stacks) describe.skipIf(!stack.run)(`media ownership and the attempt cap on ${stack.name}`, () => {
  const provider = new TestProvider();
  let env: TestObrol;
  let sales: { id: string; webhookSecret: string };
  let support: { id: string; webhookSecret: string };

  beforeAll(async () => {
    env = await startTestObrol({ database: stack.database, bus: stack.bus, provider });
    sales = await env.createTestChannel('Sales');
    support = await env.createTestChannel('Support');
  });
  afterAll(async () => {
    await env?.close();
  });

  it("refuses another inbox's file, or an unknown one, with 422 MEDIA_NOT_FOUND on both send routes", async () => {
    const upload = await env.api('POST', `/api/v1/media?channelAccountId=${sales.id}&filename=invoice.png`, undefined, { raw: PNG, headers: { 'content-type': 'image/png' } });
    expect(upload.status).toBe(201);
    await env.postWebhook(support.id, support.webhookSecret, { events: [testEvents.text('own-1', { id: '6281500000001' }, 'halo')] });
    const conversation = (await env.api('GET', `/api/v1/conversations`)).body.items.find((c: { channelAccountId: string }) => c.channelAccountId === support.id);
    expect(conversation).toBeDefined();

    for (const mediaId of [upload.body.mediaId, '01a00000-0000-7000-8000-000000000000']) {
      const content = { type: 'image', media: { mediaId } };
      const reply = await env.api('POST', `/api/v1/conversations/${conversation.id}/messages`, { content });
      expect(reply.status).toBe(422);
      expect(reply.body).toMatchObject({ statusCode: 422, code: 'MEDIA_NOT_FOUND' });
      const direct = await env.api('POST', '/api/v1/messages', { channelAccountId: support.id, to: '+6281500000001', content });
      expect(direct.body).toMatchObject({ statusCode: 422, code: 'MEDIA_NOT_FOUND' });
    }
    const messages = await env.api('GET', `/api/v1/conversations/${conversation.id}/messages`);
    expect(messages.body.items.filter((m: { direction: string }) => m.direction === 'outbound')).toEqual([]);
  });

  it('serves a file with a non-Latin name under an RFC 6266 Content-Disposition', async () => {
    const upload = await env.api('POST', `/api/v1/media?channelAccountId=${support.id}&filename=${encodeURIComponent('Faktur-北京 "1".png')}`, undefined, { raw: PNG, headers: { 'content-type': 'image/png' } });
    expect(upload.status).toBe(201);
    const file = await env.api('GET', `/api/v1/media/${upload.body.mediaId}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toBe(`inline; filename="Faktur-?? \\"1\\".png"; filename*=UTF-8''Faktur-%E5%8C%97%E4%BA%AC%20%221%22.png`);
  });

  it('accepts a file on the inbox it was uploaded to', async () => {
    const upload = await env.api('POST', `/api/v1/media?channelAccountId=${support.id}`, undefined, { raw: PNG, headers: { 'content-type': 'image/png' } });
    const reply = await env.api('POST', '/api/v1/messages', { channelAccountId: support.id, to: '+6281500000001', content: { type: 'image', media: { mediaId: upload.body.mediaId } } });
    expect(reply.status).toBe(202);
  });
});

for (const stack of stacks) describe.skipIf(!stack.run)(`the attempt cap after a restart on ${stack.name}`, () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'obrol-cap-'));
  let database: { url: string; drop(): Promise<void> } | null = null;
  afterAll(async () => {
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('fails a re-queued send whose attempts are used up instead of sending it again', async () => {
    if (stack.database === 'postgres') database = await freshPostgresDatabase();
    const storage = { dataDir, databaseUrl: database?.url, database: stack.database, bus: stack.bus };
    const provider = new TestProvider();
    const first = await startTestObrol({ ...storage, provider });
    const inbox = await first.createTestChannel();
    await first.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text('cap-1', { id: '6281500000002' }, 'halo')] });
    const conversation = (await first.api('GET', '/api/v1/conversations')).body.items[0];
    provider.failNext({ code: 'THROUGHPUT_EXCEEDED', message: 'slow down', retryable: true, retryAfterMs: 60 * 60 * 1000 });
    const reply = await first.api('POST', `/api/v1/conversations/${conversation.id}/messages`, { content: { type: 'text', text: 'sebentar' } });
    expect(reply.status).toBe(202);
    await eventually(() => provider.calls.length === 1, 10_000, 'the first attempt');
    // As if every attempt had been used before a crash, long ago.
    await first.app.app.get(MikroORM).em.fork().nativeUpdate('Message', { id: reply.body.id }, { sendAttempts: MAX_SEND_ATTEMPTS, updatedAt: new Date(Date.now() - 60 * 60 * 1000) });
    await first.close();

    const second = await startTestObrol({ ...storage, secretKey: first.secretKey, provider });
    try {
      const message = await eventually(async () => {
        const list = await second.api('GET', `/api/v1/conversations/${conversation.id}/messages`);
        const m = list.body.items.find((x: { id: string }) => x.id === reply.body.id);
        return m?.status === 'failed' ? m : null;
      }, 15_000, 'the capped send to fail');
      expect(message.error.message).toContain(`${MAX_SEND_ATTEMPTS} attempts`);
      expect(provider.calls).toHaveLength(1);
      expect(provider.sent).toHaveLength(0);
    } finally {
      await second.close();
    }
  });
});
