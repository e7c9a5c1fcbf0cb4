import { EventEmitter2 } from '@nestjs/event-emitter';
import { isStatusAdvance, type MessageStatus } from '@obrol/contracts';
import { ChannelsService, MikroORM, statusAdvanceSql } from '@obrol/core';
import { InboundQueue } from '@obrol/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../test-clock.js';
import { testEvents } from '../test-channel/test-webhook.js';
import { TestProvider } from '../test-channel/test-provider.js';
import { type TestObrol, eventually, startTestObrol } from '../test-env.js';
import { availableStacks } from './stacks.js';

const stacks = await availableStacks();

/**
 * The webhook ingest path under a flood: deliveries that share a group commit, duplicates and
 * out-of-order statuses inside one batch, and one delivery the database refuses among others.
 * The batch's messages, statuses and outbox rows are written with set-based statements
 * (`MessageIngestWriter`, ADR 0017): the facts and what is stored must be those of applying
 * each event in turn.
 */
for (const stack of stacks) describe.skipIf(!stack.run)(`webhook ingest batches on ${stack.name}`, () => {
  const clock = new TestClock(new Date('2026-11-20T08:00:00.000Z'));
  const provider = new TestProvider();
  let env: TestObrol;
  let inbox: { id: string; webhookSecret: string };
  let token: string;

  beforeAll(async () => {
    env = await startTestObrol({ database: stack.database, bus: stack.bus, clock, provider });
    inbox = await env.createTestChannel('Flood');
    token = await env.adminToken();
  });
  afterAll(async () => {
    await env?.close();
  });

  const post = (events: object[]) => env.postWebhook(inbox.id, inbox.webhookSecret, { events } as never);

  async function conversationOf(contactExternalId: string) {
    const list = await env.api('GET', '/api/v1/conversations', undefined, { token });
    return (list.body.items as { id: string; contact: { externalId: string } }[]).find((c) => c.contact.externalId === contactExternalId);
  }

  async function messagesOf(contactExternalId: string): Promise<{ id: string; externalId: string; status: string; direction: string }[]> {
    const conversation = await conversationOf(contactExternalId);
    if (!conversation) return [];
    return (await env.api('GET', `/api/v1/conversations/${conversation.id}/messages?limit=100`, undefined, { token })).body.items;
  }

  /** An outbound message the provider accepted, with its external id recorded. */
  async function sentMessage(customer: { id: string }, text: string): Promise<{ id: string; externalId: string }> {
    expect((await post([testEvents.text(`opener-${customer.id}-${text}`, customer, 'halo', clock.now())])).status).toBe(200);
    const conversation = await eventually(() => conversationOf(customer.id), 10_000, 'the conversation');
    const sent = await env.api('POST', `/api/v1/conversations/${conversation.id}/messages`, { content: { type: 'text', text } }, { token });
    expect(sent.status).toBe(202);
    return eventually(async () => (await messagesOf(customer.id)).find((m) => m.id === sent.body.id && m.status === 'sent'), 10_000, 'the send to be recorded');
  }

  /** The `message.status` facts of one message, as stored in the outbox, oldest first. */
  async function statusFactsOf(messageId: string): Promise<{ status: string; error: unknown }[]> {
    const rows = (await env.app.app.get(MikroORM).em.fork().getConnection().execute(`select subject, payload from outbox_events where subject like '%.message.status' order by id`)) as { payload: unknown }[];
    return rows
      .map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as { message: { id: string; status: string; error: unknown } })
      .filter((p) => p.message.id === messageId)
      .map((p) => ({ status: p.message.status, error: p.message.error }));
  }

  it('moves statuses in SQL by the order clients use (isStatusAdvance), for every pair', async () => {
    const all: MessageStatus[] = ['received', 'queued', 'sent', 'delivered', 'read', 'failed'];
    const pairs = all.flatMap((current) => all.map((next) => [current, next] as const));
    const connection = env.app.app.get(MikroORM).em.fork().getConnection();
    const rows = (await connection.execute(
      `with p (cur, nxt) as (values ${pairs.map(() => '(?, ?)').join(', ')}) select cur, nxt, ${statusAdvanceSql('cur', 'nxt')} as advance from p`,
      pairs.flat(),
    )) as { cur: MessageStatus; nxt: MessageStatus; advance: boolean | number }[];
    expect(rows).toHaveLength(pairs.length);
    for (const row of rows) expect([row.cur, row.nxt, Boolean(row.advance)]).toEqual([row.cur, row.nxt, isStatusAdvance(row.cur, row.nxt)]);
  });

  it('records one message.status fact per step forward, once, however the statuses are repeated and ordered', async () => {
    const customer = { id: '6281200000007' };
    const sent = await sentMessage(customer, 'fakta status');
    const heard: string[] = [];
    const hear = (payload: { message: { id: string; status: string } }) => void (payload.message.id === sent.id && heard.push(payload.message.status));
    const emitter = env.app.app.get(EventEmitter2);
    emitter.on('message.status', hear);
    try {
      const status = (s: 'sent' | 'delivered' | 'read') => testEvents.status(sent.externalId, s, clock.now());
      // One delivery: repeated and out of order.
      expect((await post([status('delivered'), status('sent'), status('delivered'), status('read'), status('delivered')])).status).toBe(200);
      // Later batches: nothing new.
      expect((await post([status('read'), status('delivered')])).status).toBe(200);
      expect((await Promise.all([post([status('read')]), post([status('sent')])])).map((a) => a.status)).toEqual([200, 200]);
      expect((await messagesOf(customer.id)).find((m) => m.id === sent.id)!.status).toBe('read');
      expect((await statusFactsOf(sent.id)).map((f) => f.status)).toEqual(['delivered', 'read']);
      // …and heard in-process (`@OnEvent`) after the commit, once each.
      await eventually(() => heard.length === 2, 5_000, 'the in-process facts');
      expect(heard).toEqual(['delivered', 'read']);
    } finally {
      emitter.off('message.status', hear);
    }
  });

  it('stores a failure with its error, and clears it when proof of arrival follows in the same batch', async () => {
    const customer = { id: '6281200000008' };
    const sent = await sentMessage(customer, 'gagal lalu sampai');
    const failure = { code: 'RECIPIENT_UNDELIVERABLE', message: 'the phone was off' };
    const failed = testEvents.status(sent.externalId, 'failed', clock.now(), failure);
    expect((await post([failed])).status).toBe(200);
    const stored = (await messagesOf(customer.id)).find((m) => m.id === sent.id) as unknown as { status: string; error: { code: string } | null };
    expect(stored.status).toBe('failed');
    expect(stored.error?.code).toBe('RECIPIENT_UNDELIVERABLE');
    const next = new Date(clock.now().getTime() + 1000);
    expect((await post([testEvents.status(sent.externalId, 'delivered', next), testEvents.status(sent.externalId, 'failed', next, failure)])).status).toBe(200);
    const after = (await messagesOf(customer.id)).find((m) => m.id === sent.id) as unknown as { status: string; error: unknown };
    expect(after).toMatchObject({ status: 'delivered', error: null });
    const factsOf = await statusFactsOf(sent.id);
    expect(factsOf.map((f) => f.status)).toEqual(['failed', 'delivered']);
    expect(factsOf[0]!.error).toMatchObject({ code: 'RECIPIENT_UNDELIVERABLE' });
    expect(factsOf[1]!.error).toBeNull();
  });

  it('stores a message once when one delivery carries it three times', async () => {
    const customer = { id: '6281200000001', name: 'Ayu' };
    const message = testEvents.text('dup-in-one', customer, 'sekali saja', clock.now());
    expect((await post([message, message, message])).status).toBe(200);
    expect((await messagesOf(customer.id)).filter((m) => m.externalId === 'dup-in-one')).toHaveLength(1);
  });

  it('stores each message once when concurrent deliveries (one batch) and later ones (other batches) repeat them', async () => {
    const customer = { id: '6281200000002', name: 'Bayu' };
    const events = [1, 2, 3].map((n) => testEvents.text(`dup-across-${n}`, customer, `pesan ${n}`, clock.now()));
    const answers = await Promise.all([...events, ...events, ...events].map((e) => post([e])));
    expect(answers.map((a) => a.status)).toEqual(Array(9).fill(200));
    for (const e of events) expect((await post([e])).status).toBe(200);
    const stored = (await messagesOf(customer.id)).filter((m) => m.externalId.startsWith('dup-across-'));
    expect(stored.map((m) => m.externalId).sort()).toEqual(['dup-across-1', 'dup-across-2', 'dup-across-3']);
  });

  it('keeps the furthest status when one delivery reports read, sent and delivered in that order, twice', async () => {
    const customer = { id: '6281200000003' };
    const sent = await sentMessage(customer, 'urutan terbalik');
    const statuses = ['read', 'sent', 'delivered'].map((s) => testEvents.status(sent.externalId, s as 'read', clock.now()));
    expect((await post([...statuses, ...statuses])).status).toBe(200);
    expect((await messagesOf(customer.id)).find((m) => m.id === sent.id)!.status).toBe('read');
  });

  it('applies the furthest of the statuses that concurrent deliveries report for one message', async () => {
    const customer = { id: '6281200000004' };
    const sent = await sentMessage(customer, 'banjir status');
    const answers = await Promise.all(['delivered', 'read', 'sent', 'delivered', 'read'].map((s) => post([testEvents.status(sent.externalId, s as 'read', clock.now())])));
    expect(answers.map((a) => a.status)).toEqual(Array(5).fill(200));
    expect((await messagesOf(customer.id)).find((m) => m.id === sent.id)!.status).toBe('read');
    // A failure after delivery does not undo it.
    expect((await post([testEvents.status(sent.externalId, 'failed', clock.now(), { code: 'RECIPIENT_UNDELIVERABLE', message: 'late' })])).status).toBe(200);
    expect((await messagesOf(customer.id)).find((m) => m.id === sent.id)!.status).toBe('read');
  });

  it('keeps a status that comes before its message in the same batch, and applies it once the message exists', async () => {
    const customer = { id: '6281200000005' };
    const opener = testEvents.text('opener-early', customer, 'halo', clock.now());
    const nextExternalId = `test-out-${provider.sent.length + 1}`;
    const answers = await Promise.all([post([opener]), post([testEvents.status(nextExternalId, 'delivered', clock.now())])]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const conversation = await eventually(() => conversationOf(customer.id), 10_000, 'the conversation');
    const sent = await env.api('POST', `/api/v1/conversations/${conversation.id}/messages`, { content: { type: 'text', text: 'status lebih dulu' } }, { token });
    await eventually(async () => (await messagesOf(customer.id)).find((m) => m.id === sent.body.id && m.status === 'delivered'), 15_000, 'the early status');
    expect((await messagesOf(customer.id)).find((m) => m.id === sent.body.id)!.externalId).toBe(nextExternalId);
  });

  it('lands the other deliveries of a batch when the database refuses one, and the refused one once it accepts it', async () => {
    const orm = env.app.app.get(MikroORM);
    const connection = orm.em.getConnection();
    const poison =
      stack.database === 'sqlite'
        ? [`create trigger refuse_poison before insert on messages when new.external_id = 'poisoned-1' begin select raise(abort, 'refused by the test'); end`]
        : [
            `create function refuse_poison() returns trigger language plpgsql as $$ begin if new.external_id = 'poisoned-1' then raise exception 'refused by the test'; end if; return new; end $$`,
            'create trigger refuse_poison before insert on messages for each row execute function refuse_poison()',
          ];
    for (const sql of poison) await connection.execute(sql);
    const customer = { id: '6281200000006', name: 'Citra' };
    const ids = ['healthy-1', 'healthy-2', 'poisoned-1', 'healthy-3', 'healthy-4'];
    try {
      const answers = await Promise.all(ids.map((id) => post([testEvents.text(id, customer, id, clock.now())])));
      expect(answers.map((a) => a.status)).toEqual(Array(5).fill(200));
      const stored = (await messagesOf(customer.id)).map((m) => m.externalId).sort();
      expect(stored).toEqual(['healthy-1', 'healthy-2', 'healthy-3', 'healthy-4']);
      // Kept for a retry with the database's reason, never the statement's values (the customer's text).
      const kept = (await connection.execute(`select last_error from inbound_webhooks where state = 'pending'`)) as { last_error: string }[];
      expect(kept).toHaveLength(1);
      expect(kept[0]!.last_error).toContain('refused by the test');
      expect(kept[0]!.last_error).not.toContain('poisoned-1');
    } finally {
      await connection.execute(stack.database === 'sqlite' ? 'drop trigger refuse_poison' : 'drop trigger refuse_poison on messages');
      if (stack.database === 'postgres') await connection.execute('drop function refuse_poison()');
    }
    await eventually(async () => (await messagesOf(customer.id)).some((m) => m.externalId === 'poisoned-1'), 15_000, 'the refused delivery to land on retry');
    expect((await messagesOf(customer.id)).map((m) => m.externalId).sort()).toEqual([...ids].sort());
  });

  it("applies a customer's message before the receipts waiting ahead of it: a broadcast's flood of statuses never holds a reply back", async () => {
    const customer = { id: '6281200000011' };
    const sent = await sentMessage(customer, 'struk belanja');
    const queue = env.app.app.get(InboundQueue);
    const resolved = await env.app.app.get(ChannelsService).resolve(inbox.id);
    const applied: string[] = [];
    // Handed over in one turn, as a flood is: 600 deliveries of receipts, then the reply.
    const receipts = Array.from({ length: 600 }, (_, i) =>
      queue.enqueue({ resolved, events: [{ kind: 'status', externalId: sent.externalId, status: i < 300 ? 'delivered' : 'read', timestamp: clock.now() }] }).then(() => applied.push('receipt')),
    );
    const reply = queue
      .enqueue({ resolved, events: [{ kind: 'inbound_message', externalId: `reply-${customer.id}`, from: { externalId: customer.id }, timestamp: clock.now(), content: { type: 'text', text: 'stop kirim struk' }, opensWindow: true }] })
      .then(() => applied.push('reply'));
    await Promise.all([...receipts, reply]);
    // In the first transaction, ahead of the receipts (a batch holds 256 deliveries). On
    // PostgreSQL a second transaction, of receipts, is written beside it and may commit first.
    expect(applied.indexOf('reply')).toBeLessThanOrEqual(stack.database === 'postgres' ? 256 : 0);
    expect(applied).toHaveLength(601);
    const messages = await messagesOf(customer.id);
    expect(messages.filter((m) => m.externalId === `reply-${customer.id}`)).toHaveLength(1);
    expect(messages.find((m) => m.id === sent.id)!.status).toBe('read');
  });
});
