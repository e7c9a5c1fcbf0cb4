import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEvents } from '../test-channel/test-webhook.js';
import { TestProvider } from '../test-channel/test-provider.js';
import { type TestObrol, eventually, startTestObrol } from '../test-env.js';
import { STACKS } from './stacks.js';

const postgresAndNats = STACKS.find((s) => s.bus === 'nats')!;
const run = await postgresAndNats.available();

/** The scaled shape: two `api` processes and one `worker` sharing PostgreSQL and NATS, nothing else. */
describe.runIf(run)('scaled shape: 2 api + 1 worker on PostgreSQL + NATS', () => {
  const provider = new TestProvider();
  let api1: TestObrol;
  let api2: TestObrol;
  let worker: TestObrol;

  beforeAll(async () => {
    api1 = await startTestObrol({ role: 'api', database: 'postgres', bus: 'nats', provider });
    const shared = { databaseUrl: api1.databaseUrl, natsNamespace: api1.natsNamespace, secretKey: api1.secretKey, bus: 'nats' as const, database: 'postgres' as const, provider };
    api2 = await startTestObrol({ ...shared, role: 'api' });
    worker = await startTestObrol({ ...shared, role: 'worker' });
  });
  afterAll(async () => {
    await worker?.close();
    await api2?.close();
    await api1?.close();
  });

  it('a webhook posted to the first api reaches a WebSocket on the second, and a reply sent through the second is sent by the worker', async () => {
    const inbox = await api1.createTestChannel();
    const token = await api2.login(api1.adminEmail, api1.adminPassword);
    const socket = await api2.realtime(token);
    expect((await api1.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text('scaled-1', { id: '6281200000001', name: 'Dewi' }, 'halo dari api 1')] })).status).toBe(200);
    const frame = await socket.waitFor((f) => f.type === 'message.created' && f.data.message.externalId === 'scaled-1');
    expect(frame.data.message.content.text).toBe('halo dari api 1');

    const conversationId = frame.conversationId as string;
    const reply = await api2.api('POST', `/api/v1/conversations/${conversationId}/messages`, { content: { type: 'text', text: 'dibalas lewat api 2' } }, { token });
    expect(reply.status).toBe(202);
    const sent = await eventually(() => provider.sent.find((s) => s.message.messageId === reply.body.id), 15_000, 'the worker to send');
    expect(sent.message.content).toEqual({ type: 'text', text: 'dibalas lewat api 2' });
    await socket.waitFor((f) => f.type === 'message.updated' && f.data.message.id === reply.body.id && f.data.message.status === 'sent');
    const seenFromApi1 = await api1.api('GET', `/api/v1/conversations/${conversationId}/messages`);
    expect(seenFromApi1.body.items.find((m: { id: string }) => m.id === reply.body.id).status).toBe('sent');
    expect((await worker.api('GET', '/readyz', undefined, { token: null })).body.status).toBe('ready');
    expect((await worker.api('GET', '/api/v1/conversations', undefined, { token: null })).status).toBe(404);
    socket.close();
  });
});
