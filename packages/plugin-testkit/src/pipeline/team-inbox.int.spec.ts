import { SnoozeJob } from '@obrol/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEvents } from '../test-channel/test-webhook.js';
import { TestClock } from '../test-clock.js';
import { type TestObrol, eventually, startTestObrol } from '../test-env.js';
import { availableStacks } from './stacks.js';

const stacks = await availableStacks();
const HOUR = 60 * 60 * 1000;

/** Working together: status apart from the window, snooze, assignment and auto-assignment, notes with mentions, collision. */
for (const stack of stacks) describe.skipIf(!stack.run)(`team inbox on ${stack.name}`, () => {
  let env: TestObrol;
  const clock = new TestClock(new Date('2026-11-30T09:00:00Z'));
  let inbox: { id: string; webhookSecret: string };
  const agents: Record<'ani' | 'budi' | 'citra', { id: string; token: string }> = {} as never;
  let n = 0;

  /** A customer writes; the conversation's id once it exists. */
  const customerWrites = async (phone: string, text = 'halo') => {
    await env.postWebhook(inbox.id, inbox.webhookSecret, { events: [testEvents.text(`team-${++n}`, { id: phone }, text, clock.now())] });
    return eventually(async () => (await env.api('GET', '/api/v1/conversations')).body.items.find((c: { contact: { externalId: string } }) => c.contact.externalId === phone), 10_000, 'conversation');
  };
  const as = (who: keyof typeof agents) => ({ token: agents[who].token });

  beforeAll(async () => {
    env = await startTestObrol({ database: stack.database, bus: stack.bus, clock });
    inbox = await env.createTestChannel('Support');
    for (const name of ['ani', 'budi', 'citra'] as const) {
      const password = 'a-long-enough-password';
      const r = await env.api('POST', '/api/v1/agents', { email: `${name}@example.test`, name: name[0]!.toUpperCase() + name.slice(1), password, inboxIds: name === 'citra' ? [] : [inbox.id] });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      agents[name] = { id: r.body.id, token: await env.login(`${name}@example.test`, password) };
    }
  });
  afterAll(async () => {
    await env?.close();
  });

  it('status is apart from the window: the open list leaves out resolved and snoozed conversations, the job wakes them', async () => {
    const c = await customerWrites('6281100000001');
    expect(c).toMatchObject({ status: 'open', snoozedUntil: null, window: { open: true } });
    const ids = async (status?: string) => (await env.api('GET', `/api/v1/conversations${status ? `?status=${status}` : ''}`)).body.items.map((x: { id: string }) => x.id);

    const past = await env.api('PATCH', `/api/v1/conversations/${c.id}`, { snoozedUntil: new Date(clock.now().getTime() - 1000).toISOString() });
    expect(past.body).toMatchObject({ code: 'VALIDATION_FAILED', details: { problems: [{ field: 'snoozedUntil' }] } });
    const until = new Date(clock.now().getTime() + HOUR).toISOString();
    const snoozed = await env.api('PATCH', `/api/v1/conversations/${c.id}`, { snoozedUntil: until });
    expect(snoozed.body).toMatchObject({ status: 'open', snoozedUntil: until });
    expect(await ids('open')).not.toContain(c.id);
    expect(await ids('snoozed')).toContain(c.id);

    clock.advance(HOUR + 1000);
    const socket = await env.realtime(await env.adminToken());
    expect(await env.app.app.get(SnoozeJob).wake()).toBe(1);
    await socket.waitFor((f) => f.type === 'conversation.updated' && f.conversationId === c.id && f.data.conversation.snoozedUntil === null);
    socket.close();
    expect(await ids('open')).toContain(c.id);
    expect(await ids('snoozed')).not.toContain(c.id);

    await env.api('PATCH', `/api/v1/conversations/${c.id}`, { status: 'resolved' });
    expect(await ids('open')).not.toContain(c.id);
    expect(await ids('resolved')).toContain(c.id);
    expect((await env.api('PATCH', `/api/v1/conversations/${c.id}`, { snoozedUntil: until.replace('10:00', '23:00') })).body.code).toBe('VALIDATION_FAILED');
    // The customer writing reopens it, and wakes a snoozed one.
    await customerWrites('6281100000001', 'masih ada?');
    expect(await ids('open')).toContain(c.id);
    await env.api('PATCH', `/api/v1/conversations/${c.id}`, { snoozedUntil: new Date(clock.now().getTime() + HOUR).toISOString() });
    await customerWrites('6281100000001', 'halo lagi');
    expect(await ids('open')).toContain(c.id);
  });

  it('lists teammates with names and presence; agents set themselves online or away', async () => {
    const team = await env.api('GET', '/api/v1/team', undefined, as('ani'));
    expect(team.status).toBe(200);
    const names = team.body.items.map((a: { name: string }) => a.name);
    expect(names).toEqual(expect.arrayContaining(['Ani', 'Budi']));
    expect(names).not.toContain('Citra');
    expect(team.body.items.find((a: { name: string }) => a.name === 'Ani')).toMatchObject({ presence: 'away', inboxIds: [inbox.id] });
    expect((await env.api('PUT', '/api/v1/me/presence', { presence: 'online' }, as('ani'))).body).toMatchObject({ id: agents.ani.id, presence: 'online' });
    expect((await env.api('PUT', '/api/v1/me/presence', { presence: 'busy' }, as('ani'))).body.code).toBe('VALIDATION_FAILED');
  });

  it('assigns, hands over and unassigns, only to agents of the inbox', async () => {
    const c = await customerWrites('6281100000002');
    expect((await env.api('PATCH', `/api/v1/conversations/${c.id}`, { assigneeId: agents.ani.id }, as('ani'))).body.assigneeId).toBe(agents.ani.id);
    expect((await env.api('PATCH', `/api/v1/conversations/${c.id}`, { assigneeId: agents.budi.id }, as('ani'))).body.assigneeId).toBe(agents.budi.id);
    expect((await env.api('PATCH', `/api/v1/conversations/${c.id}`, { assigneeId: agents.citra.id }, as('ani'))).body.code).toBe('VALIDATION_FAILED');
    expect((await env.api('PATCH', `/api/v1/conversations/${c.id}`, { assigneeId: null }, as('budi'))).body.assigneeId).toBeNull();
  });

  it('auto-assigns round-robin among online agents of the inbox, within the limit', async () => {
    const off = await customerWrites('6281100000003');
    await new Promise((r) => setTimeout(r, 200));
    expect((await env.api('GET', `/api/v1/conversations/${off.id}`)).body.assigneeId).toBeNull();

    const updated = await env.api('PATCH', `/api/v1/channels/${inbox.id}`, { autoAssign: true, autoAssignLimit: 2 });
    expect(updated.body).toMatchObject({ autoAssign: true, autoAssignLimit: 2 });
    await env.api('PUT', '/api/v1/me/presence', { presence: 'online' }, as('ani'));
    await env.api('PUT', '/api/v1/me/presence', { presence: 'online' }, as('budi'));
    // Clear what earlier tests left assigned, so the limit counts only these.
    for (const c of (await env.api('GET', '/api/v1/conversations')).body.items) await env.api('PATCH', `/api/v1/conversations/${c.id}`, { status: 'resolved', assigneeId: null });

    const assigneeOf = async (phone: string) => {
      clock.advance(1000);
      const c = await customerWrites(phone);
      return eventually(async () => (await env.api('GET', `/api/v1/conversations/${c.id}`)).body.assigneeId, 10_000, `assignee of ${phone}`);
    };
    const first = await assigneeOf('6281100000004');
    const second = await assigneeOf('6281100000005');
    expect(new Set([first, second])).toEqual(new Set([agents.ani.id, agents.budi.id]));
    expect(await assigneeOf('6281100000006')).toBe(first);
    expect(await assigneeOf('6281100000007')).toBe(second);
    // Both hold two unresolved conversations: the next one waits unassigned.
    const full = await customerWrites('6281100000008');
    await new Promise((r) => setTimeout(r, 300));
    expect((await env.api('GET', `/api/v1/conversations/${full.id}`)).body.assigneeId).toBeNull();
    // Away agents get nothing.
    await env.api('PUT', '/api/v1/me/presence', { presence: 'away' }, as('ani'));
    await env.api('PATCH', `/api/v1/channels/${inbox.id}`, { autoAssignLimit: 10 });
    expect(await assigneeOf('6281100000009')).toBe(agents.budi.id);
    await env.api('PATCH', `/api/v1/channels/${inbox.id}`, { autoAssign: false });
  });

  it('tells only the new assignee when a colleague assigns them, not when they take it themself', async () => {
    const c = await customerWrites('6281100000011');
    const budiSocket = await env.realtime(agents.budi.token);
    const aniSocket = await env.realtime(agents.ani.token);
    await env.api('PATCH', `/api/v1/conversations/${c.id}`, { assigneeId: agents.budi.id }, as('ani'));
    const told = await budiSocket.waitFor((f) => f.type === 'agent.assigned' && f.conversationId === c.id);
    expect(told).toMatchObject({ recipientAgentId: agents.budi.id, data: { byAgentId: agents.ani.id, conversation: { id: c.id, assigneeId: agents.budi.id } } });

    await env.api('PATCH', `/api/v1/conversations/${c.id}`, { assigneeId: agents.ani.id }, as('ani'));
    // A note written after it marks that everything the assignment pushed has arrived.
    const marker = await env.api('POST', `/api/v1/conversations/${c.id}/notes`, { text: 'taken' }, as('ani'));
    await aniSocket.waitFor((f) => f.type === 'note.created' && f.data.note.id === marker.body.id);
    expect(aniSocket.frames.some((f) => f.type === 'agent.assigned')).toBe(false);
    expect(budiSocket.frames.filter((f) => f.type === 'agent.assigned')).toHaveLength(1);
    budiSocket.close();
    aniSocket.close();
  });

  it('private notes: stored apart from messages, pushed live, and a mention notifies only the mentioned agent', async () => {
    const c = await customerWrites('6281100000010');
    const budiSocket = await env.realtime(agents.budi.token);
    const adminSocket = await env.realtime(await env.adminToken());
    const note = await env.api('POST', `/api/v1/conversations/${c.id}/notes`, { text: '@Budi can you take this? VIP', mentionedAgentIds: [agents.budi.id] }, as('ani'));
    expect(note.status, JSON.stringify(note.body)).toBe(201);
    expect(note.body).toMatchObject({ conversationId: c.id, authorId: agents.ani.id, authorName: 'Ani', mentionedAgentIds: [agents.budi.id] });

    const mention = await budiSocket.waitFor((f) => f.type === 'agent.mentioned');
    expect(mention).toMatchObject({ conversationId: c.id, recipientAgentId: agents.budi.id, data: { note: { id: note.body.id } } });
    await adminSocket.waitFor((f) => f.type === 'note.created' && f.data.note.id === note.body.id);
    expect(adminSocket.frames.some((f) => f.type === 'agent.mentioned')).toBe(false);

    expect((await env.api('GET', `/api/v1/conversations/${c.id}/notes`, undefined, as('budi'))).body.items.map((x: { text: string }) => x.text)).toEqual(['@Budi can you take this? VIP']);
    const messages = await env.api('GET', `/api/v1/conversations/${c.id}/messages`);
    expect(JSON.stringify(messages.body)).not.toContain('VIP');
    expect(env.provider.sent.some((s) => JSON.stringify(s).includes('VIP'))).toBe(false);

    const outsider = await env.api('POST', `/api/v1/conversations/${c.id}/notes`, { text: '@Citra', mentionedAgentIds: [agents.citra.id] }, as('ani'));
    expect(outsider.body).toMatchObject({ code: 'VALIDATION_FAILED', details: { problems: [{ field: 'mentionedAgentIds' }] } });
    expect((await env.api('POST', `/api/v1/conversations/${c.id}/notes`, { text: '  ' }, as('ani'))).body.code).toBe('VALIDATION_FAILED');
    budiSocket.close();
    adminSocket.close();
  });

  it('collision: other agents see who is viewing and typing, and when they leave; never the agent themself', async () => {
    const c = await customerWrites('6281100000011');
    const ani = await env.realtime(agents.ani.token);
    const budi = await env.realtime(agents.budi.token);
    const citra = await env.realtime(agents.citra.token);
    ani.send({ type: 'activity', conversationId: c.id, state: 'viewing' });
    await budi.waitFor((f) => f.type === 'conversation.activity' && f.data.state === 'viewing');
    ani.send({ type: 'activity', conversationId: c.id, state: 'typing' });
    const typing = await budi.waitFor((f) => f.type === 'conversation.activity' && f.data.state === 'typing');
    expect(typing).toMatchObject({ conversationId: c.id, channelAccountId: inbox.id, data: { agentId: agents.ani.id, agentName: 'Ani' } });
    ani.close();
    await budi.waitFor((f) => f.type === 'conversation.activity' && f.data.state === 'left');
    // A conversation outside Citra's inboxes: she hears nothing, and may not announce herself there.
    citra.send({ type: 'activity', conversationId: c.id, state: 'viewing' });
    await new Promise((r) => setTimeout(r, 300));
    expect(citra.frames.some((f) => f.type === 'conversation.activity')).toBe(false);
    expect(budi.frames.filter((f) => f.type === 'conversation.activity').every((f) => f.data.agentId === agents.ani.id)).toBe(true);
    expect(ani.frames.some((f) => f.type === 'conversation.activity')).toBe(false);
    budi.close();
    citra.close();
  });

  it('who is online: an agent with the app open is online or away as they chose, offline with a last-seen time once it closes; pushed live to their team only', async () => {
    const teammate = async (who: keyof typeof agents) => (await env.api('GET', '/api/v1/team')).body.items.find((a: { id: string }) => a.id === agents[who].id);
    const admin = await env.realtime(await env.adminToken());
    const citra = await env.realtime(agents.citra.token);
    await env.api('PUT', '/api/v1/me/presence', { presence: 'away' }, as('budi'));
    expect(await teammate('budi')).toMatchObject({ availability: 'offline' });

    const budi = await env.realtime(agents.budi.token);
    const opened = await admin.waitFor((f) => f.type === 'agent.presence' && f.data.id === agents.budi.id && f.data.availability === 'away');
    expect(opened.data).toMatchObject({ name: 'Budi', presence: 'away', lastSeenAt: clock.now().toISOString(), inboxIds: [inbox.id] });
    expect(await teammate('budi')).toMatchObject({ availability: 'away', lastSeenAt: clock.now().toISOString() });

    await env.api('PUT', '/api/v1/me/presence', { presence: 'online' }, as('budi'));
    await admin.waitFor((f) => f.type === 'agent.presence' && f.data.id === agents.budi.id && f.data.availability === 'online');

    clock.advance(5 * 60_000);
    budi.close();
    const closed = await admin.waitFor((f) => f.type === 'agent.presence' && f.data.id === agents.budi.id && f.data.availability === 'offline' && f.data.lastSeenAt === clock.now().toISOString());
    expect(closed.data).toMatchObject({ presence: 'online' });
    expect(await teammate('budi')).toMatchObject({ availability: 'offline', presence: 'online', lastSeenAt: clock.now().toISOString() });
    // Citra shares no inbox with Budi: his comings and goings are not hers to see.
    expect(citra.frames.some((f) => f.type === 'agent.presence' && f.data.id === agents.budi.id)).toBe(false);
    admin.close();
    citra.close();
  });

  it('canned responses: admins manage them, every agent reads them', async () => {
    const created = await env.api('POST', '/api/v1/canned-responses', { shortcut: 'Resi', text: 'Halo {{contact.name}}, resi Anda {{contact.resi}}.' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ shortcut: 'resi', text: 'Halo {{contact.name}}, resi Anda {{contact.resi}}.' });
    expect((await env.api('POST', '/api/v1/canned-responses', { shortcut: 'resi', text: 'x' })).body.code).toBe('CONFLICT');
    expect((await env.api('POST', '/api/v1/canned-responses', { shortcut: 'two words', text: 'x' })).body.code).toBe('VALIDATION_FAILED');
    expect((await env.api('POST', '/api/v1/canned-responses', { shortcut: 'salam', text: 'x' }, as('ani'))).body.code).toBe('FORBIDDEN');
    expect((await env.api('GET', '/api/v1/canned-responses', undefined, as('ani'))).body.items.map((c: { shortcut: string }) => c.shortcut)).toEqual(['resi']);
    expect((await env.api('PATCH', `/api/v1/canned-responses/${created.body.id}`, { text: 'Resi: {{contact.resi}}' })).body.text).toBe('Resi: {{contact.resi}}');
    expect((await env.api('DELETE', `/api/v1/canned-responses/${created.body.id}`)).status).toBe(204);
    expect((await env.api('DELETE', `/api/v1/canned-responses/${created.body.id}`)).body.code).toBe('NOT_FOUND');
  });
});
