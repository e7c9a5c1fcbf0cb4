import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MikroORM } from '@obrol/core';
import { TestClock, type TestObrol, availableStacks, eventually, startTestObrol } from '@obrol/plugin-testkit';
import { type WhatsAppSimulator, startWhatsAppSimulator } from '@obrol/whatsapp-cloud-simulator';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WhatsAppPlugin } from './whatsapp.plugin.js';

// Sends cross NATS, a worker and the simulator: on a loaded 2-core machine they can take seconds.
vi.setConfig({ testTimeout: 90_000 });
const HOUR = 60 * 60 * 1000;

const stacks = await availableStacks();

interface Restriction {
  businessInitiated: boolean;
  customerInitiated: boolean;
  until: string | null;
}

/**
 * WhatsApp restricts a number (`account_update`, `ACCOUNT_RESTRICTION`): Obrol keeps the
 * restriction on the number and refuses, before storing anything, what it forbids — replies
 * while customers may not be answered, templates to a closed window while conversations may not
 * be started — until WhatsApp lifts it or its end passes. A lift is a fact of its own.
 */
for (const stack of stacks) describe.skipIf(!stack.run)(`a number WhatsApp restricts, against the simulator on ${stack.name}`, () => {
  const clock = new TestClock(new Date('2026-11-20T08:00:00.000Z'));
  let env: TestObrol;
  let sim: WhatsAppSimulator;
  let channelId: string;
  const appSecret = 'sim-app-secret-restrict-01';
  const accessToken = 'sim-token-restrict';

  beforeAll(async () => {
    sim = await startWhatsAppSimulator({ appSecret, accessToken, clock, pairRateLimit: false });
    env = await startTestObrol({ database: stack.database, bus: stack.bus, clock, plugins: [WhatsAppPlugin] });
    const created = await env.api('POST', '/api/v1/channels', {
      plugin: 'whatsapp',
      name: 'WhatsApp',
      config: { phoneNumberId: sim.config.phoneNumberId, wabaId: sim.config.wabaId, accessToken, appSecret, verifyToken: 'verify-me', graphApiBaseUrl: sim.url },
    });
    expect(created.status).toBe(201);
    expect(created.body.restriction).toBeNull();
    channelId = created.body.id;
    sim.setWebhookUrl(`${env.url}/webhooks/whatsapp/${channelId}`);
  });
  afterAll(async () => {
    await sim?.close();
    await env?.close();
  });

  const restriction = async () => (await env.api('GET', `/api/v1/channels/${channelId}`)).body.restriction as Restriction | null;
  /** Announces (or lifts, with no types) and waits until the number says so. */
  async function announce(types: string[], until: Date, expected: (r: Restriction | null) => boolean) {
    // A second later than the last announcement: WhatsApp's `time` orders them.
    clock.advance(1_000);
    sim.announceRestriction(types, until);
    await sim.whenIdle();
    return eventually(async () => {
      const r = await restriction();
      return expected(r) ? { restriction: r } : null;
    }, 30_000, `the number to say ${types.join(', ') || 'nothing is restricted'}`);
  }
  /** Meta's expiration is in whole seconds. */
  const isoOf = (at: Date) => new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString();
  async function conversationFor(phone: string) {
    return eventually(async () => {
      const r = await env.api('GET', `/api/v1/conversations?channelAccountId=${channelId}`);
      return (r.body.items as { id: string; contact: { phone: string | null } }[]).find((c) => c.contact.phone === phone);
    }, 30_000, `the conversation with ${phone}`);
  }
  const storedMessages = async (conversationId: string) => (await env.api('GET', `/api/v1/conversations/${conversationId}/messages?limit=200`)).body.items as { id: string; direction: string }[];
  const reply = (conversationId: string, text: string) => env.api('POST', `/api/v1/conversations/${conversationId}/messages`, { content: { type: 'text', text } });
  const orderUpdate = (name: string) => ({ name: 'order_update', language: 'en_US', parameters: { body: [{ type: 'text', text: name }, { type: 'text', text: '#1042' }, { type: 'text', text: 'ready for pickup' }] } });
  const contactsNamed = async (digits: string) => (await env.api('GET', `/api/v1/contacts?q=${digits}`)).body.items as unknown[];
  /** The `channel.restriction_lifted` facts recorded for the number, oldest first: what each lifted. */
  async function liftFacts() {
    type Lift = { channelAccountId: string; businessInitiated: boolean; customerInitiated: boolean };
    const rows: { payload: string | Lift }[] = await env.app.app.get(MikroORM).em.fork().getConnection().execute("select payload from outbox_events where subject like '%.channel.restriction_lifted' order by id");
    return rows
      .map((row): Lift => (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload))
      .filter((fact) => fact.channelAccountId === channelId)
      .map(({ businessInitiated, customerInitiated }) => ({ businessInitiated, customerInitiated }));
  }
  it('refuses replies with CHANNEL_RESTRICTED while customers may not be answered, stores nothing, and replies again once WhatsApp lifts it', async () => {
    const phone = '+6281400000001';
    sim.customers.send(phone, 'Pesanan saya sudah dikirim?', { name: 'Dewi' });
    const conversation = await conversationFor(phone);
    const until = new Date(clock.now().getTime() + 6 * HOUR);
    const { restriction: kept } = await announce(['RESTRICTED_CUSTOMER_INITIATED_MESSAGING'], until, (r) => !!r?.customerInitiated);
    expect(kept).toMatchObject({ businessInitiated: false, customerInitiated: true, until: isoOf(until) });
    const before = await storedMessages(conversation.id);

    const refused = await reply(conversation.id, 'Sudah kak, resinya JNE123');
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'CHANNEL_RESTRICTED', details: { customerInitiated: true, until: isoOf(until) } });
    expect(refused.body.message).toBe(`WhatsApp restricted this number from answering customers until ${isoOf(until)}, so no reply can be sent. An admin must check WhatsApp Manager.`);
    // The notification API passes the same gate, for a known customer and a new one alike.
    const viaApi = await env.api('POST', '/api/v1/messages', { channelAccountId: channelId, to: phone, content: { type: 'text', text: 'Pesanan dikirim' } });
    expect(viaApi.body).toMatchObject({ code: 'CHANNEL_RESTRICTED' });
    const newcomer = await env.api('POST', '/api/v1/messages', { channelAccountId: channelId, to: '+6281400000091', content: { type: 'text', text: 'Halo' } });
    expect(newcomer.body).toMatchObject({ code: 'CHANNEL_RESTRICTED' });
    // Nothing half-written: no message, no contact, nothing sent.
    expect(await storedMessages(conversation.id)).toEqual(before);
    expect(await contactsNamed('6281400000091')).toEqual([]);
    expect(sim.inbox(phone)).toHaveLength(0);
    // Starting conversations is not restricted: a template still goes.
    expect((await env.api('POST', `/api/v1/conversations/${conversation.id}/messages`, { template: orderUpdate('Dewi') })).status).toBe(202);
    await eventually(() => sim.inbox(phone).length === 1, 30_000, 'the template');

    await announce([], until, (r) => r === null);
    expect((await reply(conversation.id, 'Sudah kak, resinya JNE123')).status).toBe(202);
    await eventually(() => sim.inbox(phone).length === 2, 30_000, 'the reply after the lift');
  });

  it('counts a restriction as lifted once its end has passed, without a word from WhatsApp', async () => {
    const phone = '+6281400000002';
    sim.customers.send(phone, 'Bisa COD?', { name: 'Raka' });
    const conversation = await conversationFor(phone);
    const until = new Date(clock.now().getTime() + 2 * HOUR);
    await announce(['RESTRICTED_CUSTOMER_INITIATED_MESSAGING'], until, (r) => !!r?.customerInitiated);

    clock.set(new Date(until.getTime() - 1_000));
    expect((await reply(conversation.id, 'Bisa kak')).body.code).toBe('CHANNEL_RESTRICTED');
    clock.set(new Date(until.getTime() + 1_000));
    expect(await restriction()).toBeNull();
    expect((await reply(conversation.id, 'Bisa kak')).status).toBe(202);
    await eventually(() => sim.inbox(phone).length === 1, 30_000, 'the reply after the end');
  });

  it('refuses a template to a closed window while conversations may not be started; inside an open window replies and templates go', async () => {
    const phone = '+6281400000003';
    sim.customers.send(phone, 'Stok ada?', { name: 'Sinta' });
    const conversation = await conversationFor(phone);
    const until = new Date(clock.now().getTime() + 3 * HOUR);
    await announce(['RESTRICTED_BIZ_INITIATED_MESSAGING'], until, (r) => !!r?.businessInitiated && !r.customerInitiated);

    expect((await reply(conversation.id, 'Ada kak')).status).toBe(202);
    expect((await env.api('POST', `/api/v1/conversations/${conversation.id}/messages`, { template: orderUpdate('Sinta') })).status).toBe(202);
    await eventually(() => sim.inbox(phone).length === 2, 30_000, 'the reply and the template in the open window');

    const cold = await env.api('POST', '/api/v1/messages', { channelAccountId: channelId, to: '+6281400000092', template: orderUpdate('Budi') });
    expect(cold.status).toBe(422);
    expect(cold.body).toMatchObject({ code: 'CHANNEL_RESTRICTED', details: { businessInitiated: true, until: isoOf(until) } });
    expect(cold.body.message).toContain('from starting conversations until');
    expect(await contactsNamed('6281400000092')).toEqual([]);

    await announce([], until, (r) => r === null);
    expect((await env.api('POST', '/api/v1/messages', { channelAccountId: channelId, to: '+6281400000092', template: orderUpdate('Budi') })).status).toBe(202);
    await eventually(() => sim.inbox('+6281400000092').length === 1, 30_000, 'the template after the lift');
  });

  it('records the lifting of what was restricted as a fact, which outbound webhooks carry; an announcement lifting nothing records none', async () => {
    const received: { type: string; data: Record<string, unknown> }[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(200).end('thanks');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
      expect((await env.api('POST', '/api/v1/webhook-endpoints', { url, events: ['channel.*'] })).status).toBe(201);
      // The lifts of the tests before.
      const earlier = (await liftFacts()).length;
      const liftFactsNow = async () => (await liftFacts()).slice(earlier);
      const until = new Date(clock.now().getTime() + 4 * HOUR);
      // Nothing was restricted: a restriction on adding numbers lifts nothing.
      await announce(['RESTRICTED_ADD_PHONE_NUMBER_ACTION'], until, (r) => r === null);
      expect(await liftFactsNow()).toEqual([]);

      await announce(['RESTRICTED_BIZ_INITIATED_MESSAGING', 'RESTRICTED_CUSTOMER_INITIATED_MESSAGING'], until, (r) => !!r?.businessInitiated && !!r.customerInitiated);
      expect(await liftFactsNow()).toEqual([]);
      // Starting conversations is allowed again, answering customers not yet: one of each fact.
      await announce(['RESTRICTED_CUSTOMER_INITIATED_MESSAGING'], until, (r) => !r?.businessInitiated && !!r?.customerInitiated);
      expect(await liftFactsNow()).toEqual([{ businessInitiated: true, customerInitiated: false }]);
      await announce([], until, (r) => r === null);
      expect(await liftFactsNow()).toEqual([
        { businessInitiated: true, customerInitiated: false },
        { businessInitiated: false, customerInitiated: true },
      ]);

      const delivered = await eventually(() => {
        const lifts = received.filter((r) => r.type === 'channel.restriction_lifted');
        return received.filter((r) => r.type === 'channel.restricted').length === 2 && lifts.length === 2 ? lifts : null;
      }, 30_000, 'the facts at the receiver');
      expect(delivered.map((r) => r.data)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ channelAccountId: channelId, businessInitiated: true, customerInitiated: false, description: expect.stringContaining('may not answer customers') }),
          expect.objectContaining({ channelAccountId: channelId, businessInitiated: false, customerInitiated: true, description: expect.stringContaining('Nothing restricts') }),
        ]),
      );
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
