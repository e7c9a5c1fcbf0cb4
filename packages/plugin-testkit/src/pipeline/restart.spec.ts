import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testEvents } from '../test-channel/test-webhook.js';
import { TestProvider } from '../test-channel/test-provider.js';
import { eventually, startTestObrol } from '../test-env.js';

/** The single node keeps queued sends in memory; a restart must not strand them. */
describe('restart of the single node', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'obrol-restart-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('sends a reply that was queued but not yet sent when the process stopped, exactly once', async () => {
    const provider = new TestProvider();
    // An api-only process stores the reply and queues its send, but runs no sender.
    const first = await startTestObrol({ role: 'api', dataDir, provider });
    const inbox = await first.createTestChannel();
    await first.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text('r-1', { id: '6281400000001' }, 'halo')] });
    const conversation = (await first.api('GET', '/api/v1/conversations')).body.items[0];
    const reply = await first.api('POST', `/api/v1/conversations/${conversation.id}/messages`, { content: { type: 'text', text: 'sebentar ya' } });
    expect(reply.status).toBe(202);
    await first.close();
    expect(provider.sent).toHaveLength(0);

    const second = await startTestObrol({ dataDir, secretKey: first.secretKey, provider });
    try {
      await eventually(() => provider.sent.length === 1, 10_000, 'the stranded send');
      expect(provider.sent[0]!.message.messageId).toBe(reply.body.id);
      const message = await eventually(async () => {
        const list = await second.api('GET', `/api/v1/conversations/${conversation.id}/messages`);
        const m = list.body.items.find((x: { id: string }) => x.id === reply.body.id);
        return m?.status === 'sent' ? m : null;
      }, 10_000, 'status sent');
      expect(message.externalId).toBe(provider.sent[0]!.externalId);
      expect(provider.calls).toHaveLength(1);
    } finally {
      await second.close();
    }
  });
});

describe('shutdown of a process', () => {
  it('is not held up by a client connection that never sent a request', async () => {
    const env = await startTestObrol();
    const { port } = new URL(env.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // Node counts such a connection as active, not idle: without closing every connection, the
    // shutdown waited for Node's headers timeout (about 70 s), past this test's timeout.
    await env.close();
    await ended;
    expect(socket.destroyed).toBe(true);
  });
});
