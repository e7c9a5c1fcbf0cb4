import { MikroORM } from '@obrol/core';
import { IngestBatch, MessageIngestWriter } from '@obrol/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEvents } from '../test-channel/test-webhook.js';
import { TestClock } from '../test-clock.js';
import { type TestObrol, eventually, startTestObrol } from '../test-env.js';
import { availableStacks } from './stacks.js';

const stacks = await availableStacks();
const HOUR = 60 * 60 * 1000;

interface ListedConversation {
  id: string;
  status: string;
  unreadCount: number;
  lastInboundAt: string | null;
  lastMessageAt: string | null;
  lastMessagePreview: string | null;
  contact: { externalId: string; name: string | null; phone: string | null };
}

/**
 * What a customer's message does to their contact and conversation on the ingest path, whose
 * rows are found, created and moved with set-based statements (ADR 0037): the conversation
 * moves by the provider's time, forward only, within one delivery and across them, and a
 * change made after a batch read a conversation is kept.
 */
for (const stack of stacks) describe.skipIf(!stack.run)(`ingest of contacts and conversations on ${stack.name}`, () => {
  const clock = new TestClock(new Date('2026-11-30T09:00:00.000Z'));
  let env: TestObrol;
  let inbox: { id: string; webhookSecret: string };
  let n = 0;

  beforeAll(async () => {
    env = await startTestObrol({ database: stack.database, bus: stack.bus, clock });
    inbox = await env.createTestChannel('Ingest');
  });
  afterAll(async () => {
    await env?.close();
  });

  const at = (seconds: number) => new Date(clock.now().getTime() + seconds * 1000);
  const text = (from: { id: string; name?: string; phone?: string }, body: string, seconds: number) => testEvents.text(`ingest-${++n}`, from, body, at(seconds));
  const post = async (events: object[]) => expect((await env.postWebhook(inbox.id, inbox.webhookSecret, { events } as never)).status).toBe(200);
  const conversationOf = async (externalId: string): Promise<ListedConversation | undefined> =>
    ((await env.api('GET', '/api/v1/conversations?limit=100')).body.items as ListedConversation[]).find((c) => c.contact.externalId === externalId);
  const storedWindowOf = async (id: string): Promise<Date | null> => {
    const [row] = (await env.app.app.get(MikroORM).em.fork().getConnection().execute('select window_expires_at from conversations where id = ?', [id])) as { window_expires_at: unknown }[];
    const value = row!.window_expires_at;
    return value === null ? null : new Date(typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : (value as string | number | Date));
  };
  const openedFactsOf = async (conversationId: string): Promise<number> => {
    const rows = (await env.app.app.get(MikroORM).em.fork().getConnection().execute(`select payload from outbox_events where subject like '%.conversation.opened'`)) as { payload: unknown }[];
    return rows.map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as { conversationId: string }).filter((p) => p.conversationId === conversationId).length;
  };

  it('counts every message unread and moves the window and the preview by the provider time, forward only', async () => {
    const customer = { id: '6281300000001' };
    // One delivery, the later message first.
    await post([text(customer, 'kedua', 10), text(customer, 'pertama', 5)]);
    let c = (await eventually(() => conversationOf(customer.id), 10_000, 'the conversation'))!;
    expect(c).toMatchObject({ unreadCount: 2, lastInboundAt: at(10).toISOString(), lastMessageAt: at(10).toISOString(), lastMessagePreview: 'kedua' });
    expect(await storedWindowOf(c.id)).toEqual(new Date(at(10).getTime() + 24 * HOUR));

    // A later delivery with an older message: stored and counted, the window and preview stay.
    await post([text(customer, 'terlambat', 2)]);
    c = (await conversationOf(customer.id))!;
    expect(c).toMatchObject({ unreadCount: 3, lastInboundAt: at(10).toISOString(), lastMessagePreview: 'kedua' });
    expect(await storedWindowOf(c.id)).toEqual(new Date(at(10).getTime() + 24 * HOUR));

    // A system notice is the last message but opens no window.
    await post([{ ...text(customer, 'nomor diganti', 20), system: true }]);
    c = (await conversationOf(customer.id))!;
    expect(c).toMatchObject({ unreadCount: 4, lastInboundAt: at(10).toISOString(), lastMessageAt: at(20).toISOString(), lastMessagePreview: 'nomor diganti' });
    // Two messages in the same second: the one that came later is the preview.
    await post([text(customer, 'sama detik 1', 30), text(customer, 'sama detik 2', 30)]);
    expect(await conversationOf(customer.id)).toMatchObject({ unreadCount: 6, lastInboundAt: at(30).toISOString(), lastMessagePreview: 'sama detik 2' });
  });

  it('reopens a resolved conversation once for a delivery of several messages, and leaves a pending one pending', async () => {
    const resolved = { id: '6281300000002' };
    const pending = { id: '6281300000003' };
    await post([text(resolved, 'halo', 0), text(pending, 'halo', 0)]);
    const a = (await eventually(() => conversationOf(resolved.id), 10_000, 'the conversation'))!;
    const b = (await conversationOf(pending.id))!;
    expect(await openedFactsOf(a.id)).toBe(1);
    expect((await env.api('PATCH', `/api/v1/conversations/${a.id}`, { status: 'resolved', markRead: true })).status).toBe(200);
    expect((await env.api('PATCH', `/api/v1/conversations/${b.id}`, { status: 'pending' })).status).toBe(200);
    const pendingOpened = await openedFactsOf(b.id);

    await post([text(resolved, 'masih ada?', 40), text(resolved, 'tolong', 41), text(pending, 'ditunggu', 40)]);
    expect(await conversationOf(resolved.id)).toMatchObject({ status: 'open', unreadCount: 2, lastMessagePreview: 'tolong' });
    expect(await conversationOf(pending.id)).toMatchObject({ status: 'pending', unreadCount: 2 });
    expect(await openedFactsOf(a.id)).toBe(2);
    expect(await openedFactsOf(b.id)).toBe(pendingOpened);
  });

  it("takes the customer's latest profile name and phone, and keeps them when a message carries none", async () => {
    const id = '6281300000004';
    await post([text({ id, name: 'Sari' }, 'halo', 0)]);
    expect((await eventually(() => conversationOf(id), 10_000, 'the conversation'))!.contact).toMatchObject({ name: 'Sari', phone: null });
    // Two names in one delivery: the later one wins.
    await post([text({ id, name: 'Sari W.', phone: '+6281300000004' }, 'ganti nama', 1), text({ id, name: 'Sari Wulandari' }, 'lagi', 2)]);
    expect((await conversationOf(id))!.contact).toMatchObject({ name: 'Sari Wulandari', phone: '+6281300000004' });
    await post([text({ id }, 'tanpa nama', 3)]);
    expect((await conversationOf(id))!.contact).toMatchObject({ name: 'Sari Wulandari', phone: '+6281300000004' });
  });

  it('keeps what changed after a batch read the conversation: the unread count grows, the window and preview move only forward', async () => {
    const customer = { id: '6281300000005' };
    await post([text(customer, 'halo', 100)]);
    const c = (await eventually(() => conversationOf(customer.id), 10_000, 'the conversation'))!;
    const writer = env.app.app.get(MessageIngestWriter);
    const orm = env.app.app.get(MikroORM);
    // A batch that read the conversation before its first message, with two older messages.
    const stale = { id: c.id, lastInboundAt: at(50), windowExpiresAt: new Date(at(50).getTime() + 24 * HOUR), lastMessageAt: at(50), lastMessagePreview: 'basi' };
    const batch = new IngestBatch();
    Object.assign(batch.touch(stale), { messages: 2, windowMoved: true, lastMessageMoved: true });
    // Meanwhile the customer wrote again (2 unread) and an agent resolved the conversation.
    await post([text(customer, 'halo lagi', 120)]);
    expect((await env.api('PATCH', `/api/v1/conversations/${c.id}`, { status: 'resolved' })).status).toBe(200);
    await orm.em.fork().transactional((em) => writer.write(em, batch));
    expect(await conversationOf(customer.id)).toMatchObject({ status: 'open', unreadCount: 4, lastInboundAt: at(120).toISOString(), lastMessagePreview: 'halo lagi' });
    expect(await storedWindowOf(c.id)).toEqual(new Date(at(120).getTime() + 24 * HOUR));

    // A later one moves them.
    const later = new IngestBatch();
    Object.assign(later.touch({ ...stale, lastInboundAt: at(200), windowExpiresAt: new Date(at(200).getTime() + 24 * HOUR), lastMessageAt: at(200), lastMessagePreview: 'baru' }), { messages: 1, windowMoved: true, lastMessageMoved: true });
    await orm.em.fork().transactional((em) => writer.write(em, later));
    expect(await conversationOf(customer.id)).toMatchObject({ unreadCount: 5, lastInboundAt: at(200).toISOString(), lastMessagePreview: 'baru' });
    expect(await storedWindowOf(c.id)).toEqual(new Date(at(200).getTime() + 24 * HOUR));
  });
});
