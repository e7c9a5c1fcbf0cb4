import { createObrolPinia, type SocketLike, useConnectionStore, useSessionStore, useTeamStore } from '@obrol/client';
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { createInboxI18n } from '../../i18n';
import ConversationThread from './ConversationThread.vue';

// happy-dom lays nothing out: every element gets the size a browser would measure, so the
// virtualised thread renders its rows.
Object.defineProperty(HTMLElement.prototype, 'offsetHeight', { configurable: true, get: () => 600 });
Object.defineProperty(HTMLElement.prototype, 'offsetWidth', { configurable: true, get: () => 600 });

const conversation = { id: 'c1', channelAccountId: 'ch1', contact: { id: 'k1', name: 'Sari', phone: '+62811', externalId: '62811' }, status: 'open', assigneeId: 'a1', snoozedUntil: null, tags: [],
  lastInboundAt: '2026-01-01T09:00:00.000Z', lastMessageAt: '2026-01-01T09:00:00.000Z', lastMessagePreview: 'Halo', unreadCount: 0,
  window: { open: true, expiresAt: '2099-01-01T00:00:00.000Z', closingSoon: false }, canReply: true, createdAt: '2026-01-01T08:00:00.000Z' };
const message = (id: string, at: string) => ({ id, conversationId: 'c1', channelAccountId: 'ch1', direction: 'inbound', content: { type: 'text', text: `msg ${id}` }, status: 'received', error: null, externalId: id, replyToExternalId: null, sentByAgentId: null, createdAt: at, providerTimestamp: null });
const note = (id: string, at: string, text: string, mentionedAgentIds: string[] = []) => ({ id, conversationId: 'c1', authorId: 'a1', authorName: 'Ani', text, mentionedAgentIds, createdAt: at });
const team = [
  { id: 'a1', name: 'Ani', role: 'agent', presence: 'online', inboxIds: ['ch1'] },
  { id: 'a2', name: 'Budi', role: 'agent', presence: 'away', inboxIds: ['ch1'] },
  { id: 'a3', name: 'Citra', role: 'agent', presence: 'online', inboxIds: ['ch2'] },
];

async function setup() {
  const requests: { method: string; path: string; body?: unknown }[] = [];
  const socket = { readyState: 1, onopen: null, onmessage: null, onclose: null, onerror: null, close() {}, sent: [] as unknown[] } as unknown as SocketLike & { sent: unknown[] };
  socket.send = (data: string) => socket.sent.push(JSON.parse(data));
  let current = { ...conversation };
  const fetch = (async (url: RequestInfo | URL, init?: RequestInit) => {
    const path = String(url).replace(/\?.*$/, '');
    const method = init?.method ?? 'GET';
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    requests.push({ method, path, body });
    const json = (status: number, b: unknown) => new Response(JSON.stringify(b), { status });
    if (path === '/api/v1/conversations/c1' && method === 'PATCH') return json(200, (current = { ...current, ...body }));
    if (path === '/api/v1/conversations/c1') return json(200, current);
    if (path === '/api/v1/conversations/c1/messages') return json(200, { items: [message('m2', '2026-01-01T09:02:00.000Z'), message('m1', '2026-01-01T09:00:00.000Z')], nextCursor: null });
    if (path === '/api/v1/conversations/c1/notes' && method === 'POST') return json(201, note('n2', '2026-01-01T09:03:00.000Z', body.text, body.mentionedAgentIds));
    if (path === '/api/v1/conversations/c1/notes') return json(200, { items: [note('n1', '2026-01-01T09:01:00.000Z', 'VIP customer')] });
    if (path === '/api/v1/team') return json(200, { items: team });
    if (path === '/api/v1/channels/ch1/templates') return json(200, { items: [] });
    return json(404, { statusCode: 404, code: 'NOT_FOUND', message: path });
  }) as typeof globalThis.fetch;
  const pinia = createObrolPinia({ tokenStorage: null, fetch, realtimeUrl: 'ws://test', createSocket: () => socket });
  const session = useSessionStore(pinia);
  session.token = 'tok';
  session.agent = { id: 'a1', email: 'ani@x', name: 'Ani', role: 'agent', active: true, inboxIds: ['ch1'], locale: null, notifications: { newConversationSound: true, assignedToMe: true, everyMessage: false, desktop: false, messageSound: false }, createdAt: '2026-01-01T00:00:00.000Z' };
  useConnectionStore(pinia).realtime.connect();
  socket.onopen?.({});
  await useTeamStore(pinia).load();
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', name: 'inbox', component: { template: '<div/>' } }] });
  const w = mount(ConversationThread, { props: { id: 'c1' }, global: { plugins: [pinia, router, createInboxI18n('en')] } });
  await flushPromises();
  const emit = (frame: unknown) => socket.onmessage?.({ data: JSON.stringify(frame) });
  return { w, requests, socket, emit };
}

describe('working together in a thread', () => {
  it('shows notes between messages in time order, visibly apart', async () => {
    const { w } = await setup();
    const order = w.findAll('[data-testid="message"], [data-testid="note"]').map((el) => el.attributes('data-testid'));
    expect(order).toEqual(['message', 'note', 'message']);
    expect(w.find('[data-testid="note"]').text()).toContain('Private note · Ani');
  });

  it('writes a private note mentioning a teammate of the inbox, never through the reply endpoint', async () => {
    const { w, requests } = await setup();
    await w.find('[data-testid="mode-note"]').trigger('click');
    expect(w.find('[data-testid="composer-input"]').exists()).toBe(false);
    await w.find('[data-testid="note-input"]').setValue('Over to @b');
    // Teammates of this inbox only, and not the author.
    expect(w.findAll('[data-testid="mention-option"]').map((o) => o.text())).toEqual(['@Budi']);
    await w.find('[data-testid="note-input"]').trigger('keydown', { key: 'Enter' });
    await w.find('[data-testid="note-input"]').trigger('keydown', { key: 'Enter' });
    await flushPromises();
    expect(requests.filter((r) => r.method === 'POST').map((r) => [r.path, r.body])).toEqual([['/api/v1/conversations/c1/notes', { text: 'Over to @Budi', mentionedAgentIds: ['a2'] }]]);
    expect(w.findAll('[data-testid="note"]').at(-1)!.find('strong').text()).toBe('@Budi');
    expect((w.find('[data-testid="note-input"]').element as HTMLTextAreaElement).value).toBe('');
  });

  it('names the assignee, hands over, snoozes and resolves; status is shown apart from the window', async () => {
    const { w, requests } = await setup();
    const select = w.find('[data-testid="assignee-select"]');
    expect(select.findAll('option').map((o) => o.text())).toEqual(['Unassigned', 'Ani', 'Budi (away)']);
    expect((select.element as HTMLSelectElement).value).toBe('a1');
    expect(w.find('[data-testid="conversation-status"]').text()).toBe('Unresolved');
    expect(w.find('[data-testid="assign-to-me"]').exists()).toBe(false);
    await select.setValue('a2');
    await flushPromises();
    expect(requests.at(-1)).toMatchObject({ method: 'PATCH', body: { assigneeId: 'a2' } });
    expect(w.find('[data-testid="assign-to-me"]').exists()).toBe(true);

    await w.find('[data-testid="snooze-select"]').setValue('3h');
    await flushPromises();
    const until = Date.parse((requests.at(-1)!.body as { snoozedUntil: string }).snoozedUntil);
    expect(until - Date.now()).toBeGreaterThan(2.9 * 3600_000);
    expect(w.find('[data-testid="conversation-status"]').attributes('data-status')).toBe('snoozed');

    await w.find('[data-testid="resolve"]').trigger('click');
    await flushPromises();
    expect(requests.at(-1)).toMatchObject({ method: 'PATCH', body: { status: 'resolved' } });
    expect(w.find('[data-testid="conversation-status"]').text()).toBe('Resolved');
    expect(w.find('[data-testid="reopen"]').exists()).toBe(true);
  });

  it('announces viewing and typing, and shows who else is viewing or typing', async () => {
    const { w, socket, emit } = await setup();
    expect(socket.sent).toContainEqual({ type: 'activity', conversationId: 'c1', state: 'viewing' });
    await w.find('[data-testid="composer-input"]').setValue('Sebentar ya');
    expect(socket.sent).toContainEqual({ type: 'activity', conversationId: 'c1', state: 'typing' });
    emit({ type: 'conversation.activity', channelAccountId: 'ch1', conversationId: 'c1', data: { agentId: 'a2', agentName: 'Budi', state: 'typing' } });
    await flushPromises();
    expect(w.find('[data-testid="collision-typing"]').text()).toBe('Budi typing…');
    emit({ type: 'conversation.activity', channelAccountId: 'ch1', conversationId: 'c1', data: { agentId: 'a2', agentName: 'Budi', state: 'left' } });
    await flushPromises();
    expect(w.find('[data-testid="collision"]').exists()).toBe(false);
  });
});
