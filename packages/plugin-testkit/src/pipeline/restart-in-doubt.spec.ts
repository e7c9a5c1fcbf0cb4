import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_SEND_IN_DOUBT_GRACE_MS, InDoubtSendReconciler } from '@obrol/core';
import { afterAll, describe, expect, it } from 'vitest';
import { TestClock } from '../test-clock.js';
import { testEvents } from '../test-channel/test-webhook.js';
import { TestProvider } from '../test-channel/test-provider.js';
import { eventually, startTestObrol } from '../test-env.js';

/** A single node that died mid-send must not send again at once on restart: the send is in doubt. */
describe('restart of the single node with a send in doubt', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'obrol-restart-in-doubt-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('re-queues only sends that never started, and the in-doubt one once its grace period has passed', async () => {
    const clock = new TestClock();
    const provider = new TestProvider();
    const first = await startTestObrol({ dataDir, provider, clock });
    const inbox = await first.createTestChannel();
    await first.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text('r-1', { id: '6281400000002' }, 'halo', clock.now())] });
    const conversation = (await first.api('GET', '/api/v1/conversations')).body.items[0];
    provider.crashNext({ reachedProvider: false });
    const inDoubt = await first.api('POST', `/api/v1/conversations/${conversation.id}/messages`, { content: { type: 'text', text: 'sebentar ya' } });
    await eventually(() => provider.calls.some((c) => c.message.messageId === inDoubt.body.id), 10_000, 'the lost send');
    await first.close();

    // Queued while no sender ran: never started, so the restart sends it at once.
    const apiOnly = await startTestObrol({ role: 'api', dataDir, secretKey: first.secretKey, provider, clock });
    const neverStarted = await apiOnly.api('POST', `/api/v1/conversations/${conversation.id}/messages`, { content: { type: 'text', text: 'sudah dicek' } });
    expect(neverStarted.status).toBe(202);
    await apiOnly.close();

    // The stranded-send sweep compares with rows' wall-clock update times.
    clock.set(new Date());
    const second = await startTestObrol({ dataDir, secretKey: first.secretKey, provider, clock });
    try {
      await eventually(() => provider.sent.some((s) => s.message.messageId === neverStarted.body.id), 10_000, 'the send that never started');
      expect(provider.calls.filter((c) => c.message.messageId === inDoubt.body.id)).toHaveLength(1);

      clock.advance(DEFAULT_SEND_IN_DOUBT_GRACE_MS);
      expect(await second.app.app.get(InDoubtSendReconciler).reconcile()).toBe(1);
      await eventually(() => provider.sent.some((s) => s.message.messageId === inDoubt.body.id), 10_000, 'the in-doubt send after the grace period');
      expect(provider.calls.filter((c) => c.message.messageId === inDoubt.body.id)).toHaveLength(2);
      expect(provider.sent.filter((s) => s.message.messageId === inDoubt.body.id)).toHaveLength(1);
    } finally {
      await second.close();
    }
  });
});
