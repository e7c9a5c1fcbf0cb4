import { MikroORM } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEvents } from '../test-channel/test-webhook.js';
import { type TestObrol, eventually, startTestObrol } from '../test-env.js';
import { availableStacks } from './stacks.js';

const stacks = await availableStacks();

/** The opt-out register: customers' keywords and buttons, the confirmation reply, and the /api/v1/opt-outs API. */
for (const stack of stacks) describe.skipIf(!stack.run)(`opt-out register on ${stack.name}`, () => {
  let env: TestObrol;
  let inbox: { id: string; webhookSecret: string };
  let other: { id: string; webhookSecret: string };
  const tokens: Record<'agent' | 'marketer', string> = {} as never;
  let n = 0;

  const customerWrites = (phone: string, text: string, name?: string) => env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text(`oo-${++n}`, { id: phone, phone: `+${phone}`, name }, text)] });
  const register = async (query = '', token?: string) => (await env.api('GET', `/api/v1/opt-outs${query}`, undefined, token ? { token } : {})).body;
  const textsTo = (phone: string) => env.provider.sent.filter((s) => s.message.to.externalId === phone).map((s) => (s.message.content.type === 'text' ? s.message.content.text : s.message.content.type));

  beforeAll(async () => {
    env = await startTestObrol({ database: stack.database, bus: stack.bus, optOut: { optOutReply: 'Berhenti berlangganan.', optInReply: '' } });
    inbox = await env.createTestChannel('Promo');
    other = await env.createTestChannel('Other');
    for (const role of ['agent', 'marketer'] as const) {
      const r = await env.api('POST', '/api/v1/agents', { email: `${role}@example.test`, name: role, password: 'a-long-enough-password', role, inboxIds: [inbox.id] });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      tokens[role] = await env.login(`${role}@example.test`, 'a-long-enough-password');
    }
  });
  afterAll(async () => {
    await env?.close();
  });

  it('a stop keyword opts the customer out with its source, tells them once, and START opts them back in silently', async () => {
    await customerWrites('6281200000001', 'Stop Promo!', 'Sari');
    const entry = await eventually(async () => (await register()).items.find((i: { phone: string }) => i.phone === '+6281200000001'), 10_000, 'opt-out recorded');
    expect(entry).toMatchObject({ name: 'Sari', channelAccountId: inbox.id, source: 'keyword', reason: 'Stop Promo!' });
    await eventually(async () => textsTo('6281200000001').length === 1 || undefined, 10_000, 'confirmation sent');
    expect(textsTo('6281200000001')).toEqual(['Berhenti berlangganan.']);

    // A second STOP changes nothing and is not answered again.
    await customerWrites('6281200000001', 'STOP');
    await customerWrites('6281200000001', 'halo');
    await eventually(async () => (await env.api('GET', `/api/v1/conversations`)).body.items.find((c: { lastMessagePreview: string }) => c.lastMessagePreview === 'halo'), 10_000, 'later message');
    expect(textsTo('6281200000001')).toEqual(['Berhenti berlangganan.']);
    const contact = (await env.api('GET', `/api/v1/contacts/${entry.contactId}`)).body;
    expect(contact).toMatchObject({ optedOutSource: 'keyword', optedOutReason: 'Stop Promo!' });
    expect(contact.optedOutAt).toBe(entry.optedOutAt);

    await customerWrites('6281200000001', 'start');
    await eventually(async () => ((await register()).items.some((i: { contactId: string }) => i.contactId === entry.contactId) ? undefined : true), 10_000, 'opted back in');
    expect((await env.api('GET', `/api/v1/contacts/${entry.contactId}`)).body).toMatchObject({ optedOutAt: null, optedOutSource: null, optedOutReason: null });
    expect(textsTo('6281200000001')).toEqual(['Berhenti berlangganan.']);
  });

  it('a quick-reply button titled with a stop keyword counts as a button opt-out', async () => {
    await env.postWebhook(inbox.id, inbox.webhookSecret, {
      events: [testEvents.content(`oo-${++n}`, { id: '6281200000002', phone: '+6281200000002' }, { type: 'interactive_reply', reply: { kind: 'template_button', id: 'optout', title: 'Stop promotions' } })],
    });
    await env.postWebhook(inbox.id, inbox.webhookSecret, {
      events: [testEvents.content(`oo-${++n}`, { id: '6281200000002', phone: '+6281200000002' }, { type: 'interactive_reply', reply: { kind: 'template_button', id: 'optout', title: 'Stop promo' } })],
    });
    const entry = await eventually(async () => (await register('?q=%2B6281200000002')).items[0], 10_000, 'button opt-out');
    expect(entry).toMatchObject({ source: 'button', reason: 'Stop promo' });
  });

  it("the provider's marketing opt-out (WhatsApp user_preferences) feeds the same register, without a reply", async () => {
    await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.preference({ id: '6281200000009', phone: '+6281200000009' }, 'stop', 'User requested to stop marketing messages')] });
    const entry = await eventually(async () => (await register('?q=%2B6281200000009')).items[0], 10_000, 'meta opt-out');
    expect(entry).toMatchObject({ source: 'meta', reason: 'User requested to stop marketing messages', channelAccountId: inbox.id });
    expect(textsTo('6281200000009')).toEqual([]);
    await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.preference({ id: '6281200000009' }, 'resume')] });
    await eventually(async () => ((await register('?q=%2B6281200000009')).items.length === 0 ? true : undefined), 10_000, 'meta resume');
  });

  it('agents add by phone (creating the contact) or contact id; search by local or E.164 number and name; filter by channel', async () => {
    const added = await env.api('POST', '/api/v1/opt-outs', { channelAccountId: inbox.id, phone: '+6285700000003', reason: 'Asked on the phone' }, { token: tokens.agent });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body).toMatchObject({ phone: '+6285700000003', source: 'agent', reason: 'Asked on the phone', channelAccountId: inbox.id });
    const again = await env.api('POST', '/api/v1/opt-outs', { channelAccountId: inbox.id, phone: '+6285700000003' }, { token: tokens.agent });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ contactId: added.body.contactId, reason: 'Asked on the phone', optedOutAt: added.body.optedOutAt });

    await customerWrites('6281200000004', 'halo', 'Budi Santoso');
    const budi = await eventually(async () => (await env.api('GET', '/api/v1/contacts?q=Budi')).body.items[0], 10_000, 'contact');
    const key = (await env.api('POST', '/api/v1/api-keys', { name: 'crm' })).body.key;
    const byId = await env.api('POST', '/api/v1/opt-outs', { contactId: budi.id }, { token: key });
    expect(byId.status).toBe(201);
    expect(byId.body).toMatchObject({ source: 'api', reason: null, name: 'Budi Santoso' });
    const viaKey = await env.api('POST', '/api/v1/opt-outs', { channelAccountId: other.id, phone: '+6281200000005' });
    expect(viaKey.body).toMatchObject({ channelAccountId: other.id });

    expect((await register('?q=0857-0000-0003')).items.map((i: { contactId: string }) => i.contactId)).toEqual([added.body.contactId]);
    expect((await register('?q=%2B6285700000003')).items.map((i: { contactId: string }) => i.contactId)).toEqual([added.body.contactId]);
    expect((await register('?q=santoso')).items.map((i: { contactId: string }) => i.contactId)).toEqual([budi.id]);
    expect((await register(`?channelAccountId=${other.id}`)).items.map((i: { phone: string }) => i.phone)).toEqual(['+6281200000005']);
    // The agent sees only their inbox.
    expect((await register('', tokens.agent)).items.every((i: { channelAccountId: string }) => i.channelAccountId === inbox.id)).toBe(true);
    expect((await env.api('GET', `/api/v1/opt-outs?channelAccountId=${other.id}`, undefined, { token: tokens.agent })).status).toBe(404);

    // Cursor pagination walks the whole register, newest first, without repeats.
    const all = (await register('?limit=200')).items.map((i: { contactId: string }) => i.contactId);
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { contactId: string }[]; nextCursor: string | null } = await register(`?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      walked.push(...page.items.map((i) => i.contactId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(walked).toEqual(all);
    expect(all.length).toBeGreaterThanOrEqual(4);
  });

  it('bad input answers 400 with the field; unknown contacts 404', async () => {
    const bad = await env.api('POST', '/api/v1/opt-outs', { channelAccountId: inbox.id, phone: '0812345' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect((await env.api('POST', '/api/v1/opt-outs', { contactId: '01900000-0000-7000-8000-000000000000' })).status).toBe(404);
    expect((await env.api('DELETE', '/api/v1/opt-outs/01900000-0000-7000-8000-000000000000')).status).toBe(404);
    expect((await env.api('GET', '/api/v1/opt-outs?cursor=nonsense')).status).toBe(400);
  });

  it('only admins and marketers opt a customer back in; each change is in the audit log', async () => {
    const entry = (await register('?q=0857-0000-0003')).items[0];
    const denied = await env.api('DELETE', `/api/v1/opt-outs/${entry.contactId}`, undefined, { token: tokens.agent });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('FORBIDDEN');
    expect((await env.api('DELETE', `/api/v1/opt-outs/${entry.contactId}`, undefined, { token: tokens.marketer })).status).toBe(204);
    expect((await env.api('DELETE', `/api/v1/opt-outs/${entry.contactId}`, undefined, { token: tokens.marketer })).status).toBe(404);
    expect((await env.api('GET', `/api/v1/contacts/${entry.contactId}`)).body).toMatchObject({ optedOutAt: null });
    const audit: { action: string; actor: string }[] = await env.app.app.get(MikroORM).em.fork().getConnection().execute('select action, actor from audit_logs where target_id = ? order by id', [entry.contactId]);
    expect(audit.map((a) => a.action)).toEqual(['opt_out.added', 'opt_out.removed']);
    expect(audit[0]!.actor).toMatch(/^agent:/);
  });

  it('exports every opted-out contact as CSV with when, source and reason', async () => {
    const expected = (await register('?limit=200')).items;
    const r = await env.api('GET', '/api/v1/opt-outs/export.csv');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(r.headers.get('content-disposition')).toContain('opt-outs.csv');
    const lines = (r.body as string).trim().split('\n');
    expect(lines[0]).toBe('phone,name,channelAccountId,contactId,optedOutAt,source,reason');
    expect(lines).toHaveLength(expected.length + 1);
    expect(lines).toContain(`+6281200000002,,${inbox.id},${expected.find((e: { phone: string }) => e.phone === '+6281200000002').contactId},${expected.find((e: { phone: string }) => e.phone === '+6281200000002').optedOutAt},button,Stop promo`);
    const onlyOther = await env.api('GET', `/api/v1/opt-outs/export.csv?channelAccountId=${other.id}`);
    expect((onlyOther.body as string).trim().split('\n')).toHaveLength(2);
  });
});
