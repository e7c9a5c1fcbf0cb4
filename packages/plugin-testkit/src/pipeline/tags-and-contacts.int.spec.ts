import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEvents } from '../test-channel/test-webhook.js';
import { type TestObrol, eventually, startTestObrol } from '../test-env.js';
import { availableStacks } from './stacks.js';

const stacks = await availableStacks();

/** A loopback receiver of outbound webhooks: the facts as a subscribed back-end system gets them. */
async function startReceiver() {
  const received: { type: string; data: Record<string, any> }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Tags on conversations and contacts (validated, suggested, filtered on), and contact edits from the contact panel. */
for (const stack of stacks) describe.skipIf(!stack.run)(`tags and contacts on ${stack.name}`, () => {
  let env: TestObrol;
  let inbox: { id: string; webhookSecret: string };
  let other: { id: string; webhookSecret: string };
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let n = 0;

  const customerWrites = async (to: { id: string; webhookSecret: string }, phone: string, text = 'halo') => {
    await env.postWebhook(to.id, to.webhookSecret, { events: [testEvents.text(`tags-${++n}`, { id: phone, phone: `+${phone}` }, text)] });
    return eventually(
      async () => (await env.api('GET', `/api/v1/conversations?channelAccountId=${to.id}`)).body.items.find((c: { contact: { externalId: string } }) => c.contact.externalId === phone),
      10_000,
      'conversation',
    );
  };
  const listIds = async (query: string) => (await env.api('GET', `/api/v1/conversations?${query}`)).body.items.map((c: { id: string }) => c.id);

  beforeAll(async () => {
    env = await startTestObrol({ database: stack.database, bus: stack.bus, outboundWebhooks: { pollIntervalMs: 100, retry: { baseDelayMs: 50, maxDelayMs: 200 } } });
    inbox = await env.createTestChannel('Support');
    other = await env.createTestChannel('Sales');
    receiver = await startReceiver();
    expect((await env.api('POST', '/api/v1/webhook-endpoints', { url: receiver.url, events: ['conversation.tagged', 'contact.updated'] })).status).toBe(201);
  });
  afterAll(async () => {
    await env?.close();
    await receiver?.close();
  });

  it('sets, adds and removes conversation tags, normalised, with the change pushed live and recorded as a fact', async () => {
    const c = await customerWrites(inbox, '6281200000001');
    expect(c.tags).toEqual([]);
    const socket = await env.realtime(await env.adminToken());
    const set = await env.api('PATCH', `/api/v1/conversations/${c.id}`, { tags: ['  VIP Customer ', 'refund', 'vip-customer'] });
    expect(set.status).toBe(200);
    expect(set.body.tags).toEqual(['vip-customer', 'refund']);
    await socket.waitFor((f) => f.type === 'conversation.updated' && f.conversationId === c.id && f.data.conversation.tags.includes('refund'));
    socket.close();

    const changed = await env.api('PATCH', `/api/v1/conversations/${c.id}`, { addTags: ['Urgent', 'refund'], removeTags: ['vip-customer'] });
    expect(changed.body.tags).toEqual(['refund', 'urgent']);
    expect((await env.api('GET', `/api/v1/conversations/${c.id}`)).body.tags).toEqual(['refund', 'urgent']);

    const fact = await eventually(() => receiver.received.find((r) => r.type === 'conversation.tagged' && r.data.added?.includes('urgent')), 15_000, 'conversation.tagged');
    expect(fact.data).toMatchObject({ conversationId: c.id, channelAccountId: inbox.id, tags: ['refund', 'urgent'], added: ['urgent'], removed: ['vip-customer'] });
  });

  it('refuses a bad tag with TAG_INVALID and says what was wrong, leaving the tags as they were', async () => {
    const c = await customerWrites(inbox, '6281200000002');
    for (const [tag, words] of [['', 'is empty'], ['x'.repeat(33), 'longer than 32'], ['#promo!', 'letters, digits']] as const) {
      const r = await env.api('PATCH', `/api/v1/conversations/${c.id}`, { addTags: [tag] });
      expect(r.status, tag).toBe(400);
      expect(r.body.code).toBe('TAG_INVALID');
      expect(r.body.message).toContain(words);
    }
    const many = await env.api('PATCH', `/api/v1/conversations/${c.id}`, { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) });
    expect(many.body).toMatchObject({ code: 'TAG_INVALID', message: expect.stringContaining('At most 20') });
    expect((await env.api('GET', `/api/v1/conversations/${c.id}`)).body.tags).toEqual([]);
    // Indonesian and other scripts are letters too.
    expect((await env.api('PATCH', `/api/v1/conversations/${c.id}`, { tags: ['Pengiriman', 'ブ'] })).body.tags).toEqual(['pengiriman', 'ブ']);
  });

  it("filters the list by a conversation's tag or its contact's tag, on this database", async () => {
    const tagged = await customerWrites(inbox, '6281200000003');
    const byContact = await customerWrites(inbox, '6281200000004');
    const neither = await customerWrites(inbox, '6281200000005');
    await env.api('PATCH', `/api/v1/conversations/${tagged.id}`, { tags: ['gold'] });
    await env.api('PATCH', `/api/v1/contacts/${byContact.contact.id}`, { tags: ['gold'] });
    // A tag that only contains the word is not the tag.
    await env.api('PATCH', `/api/v1/conversations/${neither.id}`, { tags: ['golden'] });
    const ids = await listIds('tag=Gold');
    expect(ids).toEqual(expect.arrayContaining([tagged.id, byContact.id]));
    expect(ids).not.toContain(neither.id);
    expect(await listIds('tag=gold&status=resolved')).toEqual([]);
    // The contact list filters by a contact's tag in the database too, a page at a time.
    const contacts = await env.api('GET', '/api/v1/contacts?tag=gold&limit=1');
    expect(contacts.body.items.map((c: { id: string }) => c.id)).toEqual([byContact.contact.id]);
    expect(contacts.body.nextCursor).toBeNull();

    const suggestions = (await env.api('GET', '/api/v1/tags?q=gol')).body.items;
    expect(suggestions).toEqual(expect.arrayContaining([{ tag: 'gold', conversations: 1, contacts: 1 }, { tag: 'golden', conversations: 1, contacts: 0 }]));
    expect(suggestions.map((s: { tag: string }) => s.tag)).not.toContain('refund');
  });

  it('edits a contact: name, attributes added, changed and removed, tags; pushed live and recorded', async () => {
    const c = await customerWrites(inbox, '6281200000006');
    const id = c.contact.id;
    const socket = await env.realtime(await env.adminToken());
    const first = await env.api('PATCH', `/api/v1/contacts/${id}`, { name: 'Sari Dewi', attributes: { city: 'Bandung', plan: 'gold' }, addTags: ['Reseller'] });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ name: 'Sari Dewi', attributes: { city: 'Bandung', plan: 'gold' }, tags: ['reseller'] });
    const live = await socket.waitFor((f) => f.type === 'contact.updated' && f.contactId === id);
    expect(live.data.contact).toMatchObject({ name: 'Sari Dewi', tags: ['reseller'] });
    socket.close();

    const second = await env.api('PATCH', `/api/v1/contacts/${id}`, { attributes: { city: 'Jakarta', plan: null } });
    expect(second.body.attributes).toEqual({ city: 'Jakarta' });
    expect((await env.api('GET', `/api/v1/contacts/${id}`)).body).toMatchObject({ name: 'Sari Dewi', attributes: { city: 'Jakarta' }, tags: ['reseller'] });
    const fact = await eventually(() => receiver.received.find((r) => r.type === 'contact.updated' && r.data.contactId === id && r.data.changed.includes('attributes') && !r.data.changed.includes('name')), 15_000, 'contact.updated');
    expect(fact.data.contact.attributes).toEqual({ city: 'Jakarta' });

    expect((await env.api('PATCH', `/api/v1/contacts/${id}`, { addTags: ['no spaces allowed?'] })).body.code).toBe('TAG_INVALID');
    expect((await env.api('PATCH', `/api/v1/contacts/${id}`, { attributes: { '': 'x' } })).body.code).toBe('VALIDATION_FAILED');
  });

  it("lists a contact's conversations across inboxes by phone, and the broadcasts it received", async () => {
    const here = await customerWrites(inbox, '6281200000007');
    const there = await customerWrites(other, '6281200000007');
    const activity = await env.api('GET', `/api/v1/contacts/${here.contact.id}/activity`);
    expect(activity.status).toBe(200);
    expect(activity.body.conversations.map((c: { id: string }) => c.id).sort()).toEqual([here.id, there.id].sort());
    expect(activity.body.conversations.find((c: { id: string }) => c.id === there.id)).toMatchObject({ channelAccountId: other.id, status: 'open' });
    expect(activity.body.broadcasts).toEqual([]);
    expect((await env.api('GET', '/api/v1/contacts/nope/activity')).status).toBe(404);
  });
});
