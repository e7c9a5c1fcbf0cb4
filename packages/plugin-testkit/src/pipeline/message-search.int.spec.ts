import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEvents } from '../test-channel/test-webhook.js';
import { type TestObrol, eventually, startTestObrol } from '../test-env.js';
import { availableStacks } from './stacks.js';

const stacks = await availableStacks();

interface Hit {
  messageId: string;
  direction: string;
  snippet: { text: string; marks: { start: number; end: number }[] };
  conversation: { id: string; channelAccountId: string; contact: { phone: string | null } };
}

/** Full-text search over every message (ADR 0022): old messages by a word, codes, local phone numbers, inbox scope, bad queries. */
for (const stack of stacks) describe.skipIf(!stack.run)(`message search on ${stack.name}`, () => {
  let env: TestObrol;
  let support: { id: string; webhookSecret: string };
  let sales: { id: string; webhookSecret: string };
  const tokens: Record<'ani' | 'dodi' | 'citra', string> = {} as never;
  let supportConversation: string;
  let n = 0;
  // Within the reply window, one second apart.
  const start = Date.now() - 60 * 60 * 1000;

  const write = (inbox: { id: string; webhookSecret: string }, from: { id: string; phone?: string }, ...texts: string[]) =>
    env.postWebhook(inbox.id, inbox.webhookSecret, { events: texts.map((text, i) => testEvents.text(`search-${++n}`, from, text, new Date(start + (n + i) * 1000))) });
  const search = async (q: string, token?: string, extra = '') => {
    const r = await env.api('GET', `/api/v1/search/messages?q=${encodeURIComponent(q)}${extra}`, undefined, token ? { token } : {});
    return r.status === 200 ? { status: 200, hits: r.body.items as Hit[], nextCursor: r.body.nextCursor as string | null } : { status: r.status, body: r.body, hits: [] as Hit[], nextCursor: null };
  };
  const marked = (hit: Hit) => hit.snippet.marks.map((m) => hit.snippet.text.slice(m.start, m.end));

  beforeAll(async () => {
    env = await startTestObrol({ database: stack.database, bus: stack.bus });
    support = await env.createTestChannel('Support');
    sales = await env.createTestChannel('Sales');
    const inboxesOf = { ani: [support.id], dodi: [sales.id], citra: [] };
    for (const name of ['ani', 'dodi', 'citra'] as const) {
      const password = 'a-long-enough-password';
      const r = await env.api('POST', '/api/v1/agents', { email: `${name}@example.test`, name, password, inboxIds: inboxesOf[name] });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      tokens[name] = await env.login(`${name}@example.test`, password);
    }
    const customer = { id: '6281234567890', phone: '+6281234567890' };
    // The old message, buried under forty newer ones.
    await write(support, customer, 'Paket JNE123456 belum sampai, tolong dicek ya kak');
    await write(support, customer, ...Array.from({ length: 40 }, (_, i) => `pesan lain nomor ${i}`));
    await write(support, { id: '6281299990000', phone: '+6281299990000' }, 'Tolong hubungi istri saya di +6281377778888');
    await write(sales, { id: '6285600001111', phone: '+6285600001111' }, 'Paket JNE777 rusak');
    supportConversation = await eventually(async () => {
      const items = (await env.api('GET', '/api/v1/conversations')).body.items as { id: string; contact: { externalId: string } }[];
      const count = (await env.api('GET', `/api/v1/search/messages?q=lain`)).body.items?.length;
      return items.length === 3 && count === 20 ? items.find((c) => c.contact.externalId === customer.id)!.id : null;
    }, 15_000, 'the messages');
  });
  afterAll(async () => {
    await env?.close();
  });

  it('finds an old message by a word and by a code, with the match marked and its conversation', async () => {
    const byCode = await search('jne123456');
    expect(byCode.hits).toHaveLength(1);
    expect(byCode.hits[0]).toMatchObject({ direction: 'inbound', conversation: { id: supportConversation, channelAccountId: support.id } });
    expect(marked(byCode.hits[0]!)).toEqual(['JNE123456']);
    const byWord = await search('BELUM sampai');
    expect(byWord.hits.map((h) => h.messageId)).toEqual([byCode.hits[0]!.messageId]);
    expect(marked(byWord.hits[0]!)).toEqual(['belum', 'sampai']);
    // By the beginning of a word, as typed in a search box.
    expect((await search('dice')).hits.map((h) => h.messageId)).toEqual([byCode.hits[0]!.messageId]);
    expect((await search('paket')).hits.map((h) => h.conversation.channelAccountId).sort()).toEqual([support.id, sales.id].sort());
  });

  it('finds what agents send too (messages the ORM writes)', async () => {
    const sent = await env.api('POST', `/api/v1/conversations/${supportConversation}/messages`, { content: { type: 'text', text: 'Resi pengganti: SICEPAT000777' } });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    const hits = (await search('sicepat000777')).hits;
    expect(hits.map((h) => [h.messageId, h.direction])).toEqual([[sent.body.id, 'outbound']]);
  });

  it('finds a phone number written in a local format, in messages and in the conversation list', async () => {
    const hits = (await search('0813-7777-8888')).hits;
    expect(hits).toHaveLength(1);
    expect(marked(hits[0]!)).toEqual(['6281377778888']);
    const list = (await env.api('GET', `/api/v1/conversations?q=${encodeURIComponent('0812 3456 7890')}`)).body.items as { id: string }[];
    expect(list.map((c) => c.id)).toEqual([supportConversation]);
  });

  it('pages by cursor, newest first, without repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await search('lain', undefined, `&limit=15${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.hits.map((h) => h.messageId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(40);
    expect(new Set(seen).size).toBe(40);
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  it("finds only in the agent's inboxes: an agent outside an inbox finds nothing there", async () => {
    expect((await search('paket', tokens.ani)).hits.map((h) => h.conversation.channelAccountId)).toEqual([support.id]);
    expect((await search('paket', tokens.dodi)).hits.map((h) => h.conversation.channelAccountId)).toEqual([sales.id]);
    expect((await search('jne123456', tokens.dodi)).hits).toEqual([]);
    expect((await search('paket', tokens.citra)).hits).toEqual([]);
  });

  it('refuses bad queries with a 400 and a stable code', async () => {
    expect(await search('!!! ***')).toMatchObject({ status: 400, body: { code: 'SEARCH_QUERY_INVALID' } });
    expect(await search(Array.from({ length: 11 }, (_, i) => `kata${i}`).join(' '))).toMatchObject({ status: 400, body: { code: 'SEARCH_QUERY_INVALID' } });
    expect(await search('')).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect(await search('x'.repeat(201))).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect(await search('paket', undefined, '&cursor=not-a-cursor')).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
  });
});
