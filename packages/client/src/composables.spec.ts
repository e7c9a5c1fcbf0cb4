import type { MessageView } from '@obrol/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Pinia } from 'pinia';
import { createApp, defineComponent, h, nextTick } from 'vue';
import { createObrolPinia, useConnectionStore } from './connection.store.js';
import type { SocketLike } from './realtime-client.js';
import { useConversations } from './use-conversations.js';
import { useMessages } from './use-messages.js';
import { useSessionStore } from './session.store.js';
import { useDemo } from './use-demo.js';
import { useTypingIndicator } from './use-typing-indicator.js';
import { ApiError } from './api-error.js';
import { useContact } from './use-contact.js';
import { useTagSuggestions } from './use-tag-suggestions.js';
import type { ConversationView } from './views.js';

const flush = async () => {
  for (let i = 0; i < 5; i++) {
    await Promise.resolve();
    await nextTick();
  }
  await new Promise((r) => setTimeout(r, 0));
};

const msg = (id: string, createdAt: string, status: MessageView['status'] = 'received'): MessageView => ({
  id, conversationId: 'c1', channelAccountId: 'ch1', direction: 'inbound', content: { type: 'text', text: id }, status,
  error: null, externalId: null, replyToExternalId: null, sentByAgentId: null, createdAt, providerTimestamp: null,
});
const conv = (id: string, lastMessageAt: string): ConversationView => ({
  id, channelAccountId: 'ch1', contact: { id: `k${id}`, name: id, phone: null, externalId: id }, status: 'open', assigneeId: null, snoozedUntil: null, tags: [],
  lastInboundAt: lastMessageAt, lastMessageAt, lastMessagePreview: 'x', unreadCount: 1,
  window: { open: true, expiresAt: '2099-01-01T00:00:00.000Z', closingSoon: false }, canReply: true, createdAt: '2026-01-01T00:00:00.000Z',
});

function setup(routes: Record<string, unknown[]>) {
  const sockets: (SocketLike & { emit(frame: unknown): void })[] = [];
  const requested: string[] = [];
  const fetch = (async (url: RequestInfo | URL) => {
    const path = String(url).replace(/\?.*$/, '');
    requested.push(String(url));
    const queue = routes[path];
    const body = queue && queue.length > 1 ? queue.shift() : queue?.[0];
    return new Response(JSON.stringify(body ?? { statusCode: 404, code: 'NOT_FOUND', message: 'nope' }), { status: body ? 200 : 404 });
  }) as typeof globalThis.fetch;
  const pinia = createObrolPinia({
    tokenStorage: null,
    fetch,
    realtimeUrl: 'ws://test/api/v1/realtime',
    createSocket: () => {
      const s = { readyState: 1, onopen: null, onmessage: null, onclose: null, onerror: null, send() {}, close() {} } as unknown as SocketLike & { emit(frame: unknown): void };
      s.emit = (frame) => s.onmessage?.({ data: JSON.stringify(frame) });
      sockets.push(s);
      return s;
    },
  });
  useSessionStore(pinia).token = 'tok';
  return { pinia, sockets, requested, connect: () => useConnectionStore(pinia).realtime.connect() };
}

function mount<T>(pinia: Pinia, use: () => T): T {
  let result!: T;
  const app = createApp(defineComponent({ setup: () => ((result = use()), () => h('div')) }));
  app.use(pinia);
  app.mount(document.createElement('div'));
  mounted.push(app);
  return result;
}
const mounted: ReturnType<typeof createApp>[] = [];
afterEach(() => mounted.splice(0).forEach((a) => a.unmount()));

describe('composables', () => {
  it('useMessages shows the newest page oldest first, loads older pages, merges live events and refetches on reconnect', async () => {
    const { pinia, sockets, requested, connect } = setup({
      '/api/v1/conversations/c1/messages': [
        { items: [msg('m3', '2026-01-01T10:03:00Z'), msg('m2', '2026-01-01T10:02:00Z')], nextCursor: 'older' },
        { items: [msg('m1', '2026-01-01T10:01:00Z')], nextCursor: null },
        { items: [msg('m5', '2026-01-01T10:05:00Z'), msg('m4', '2026-01-01T10:04:00Z', 'read')], nextCursor: 'x' },
      ],
    });
    connect();
    const thread = mount(pinia, () => useMessages('c1', { pageSize: 2 }));
    await flush();
    expect(thread.messages.value.map((m) => m.id)).toEqual(['m2', 'm3']);
    expect(thread.hasOlder.value).toBe(true);
    await thread.loadOlder();
    expect(thread.messages.value.map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
    expect(requested.at(-1)).toContain('cursor=older');
    expect(thread.hasOlder.value).toBe(false);

    sockets[0]!.onopen?.({});
    sockets[0]!.emit({ type: 'message.created', channelAccountId: 'ch1', conversationId: 'c1', data: { message: msg('m4', '2026-01-01T10:04:00Z'), conversation: conv('c1', '2026-01-01T10:04:00Z') } });
    sockets[0]!.emit({ type: 'message.created', channelAccountId: 'ch1', conversationId: 'c9', data: { message: { ...msg('x', '2026-01-01T10:04:00Z'), conversationId: 'c9' }, conversation: conv('c9', '2026-01-01T10:04:00Z') } });
    expect(thread.messages.value.map((m) => m.id)).toEqual(['m1', 'm2', 'm3', 'm4']);

    // The socket drops; events sent meanwhile are lost; after the reconnect the newest page is merged in.
    vi.useFakeTimers();
    sockets[0]!.onclose?.({ code: 1006 });
    vi.advanceTimersByTime(60_000);
    vi.useRealTimers();
    sockets[1]!.onopen?.({});
    await flush();
    expect(thread.messages.value.map((m) => `${m.id}:${m.status}`)).toEqual(['m1:received', 'm2:received', 'm3:received', 'm4:read', 'm5:received']);
  });

  it('useConversations moves a conversation with a new message to the top and adds new ones', async () => {
    const { pinia, sockets, connect } = setup({ '/api/v1/conversations': [{ items: [conv('a', '2026-01-01T10:00:00Z'), conv('b', '2026-01-01T09:00:00Z')], nextCursor: null }] });
    connect();
    const list = mount(pinia, () => useConversations({ status: 'open' }));
    await flush();
    expect(list.items.value.map((c) => c.id)).toEqual(['a', 'b']);
    sockets[0]!.emit({ type: 'message.created', channelAccountId: 'ch1', conversationId: 'b', data: { message: { ...msg('mb', '2026-01-01T11:00:00Z'), conversationId: 'b' }, conversation: conv('b', '2026-01-01T11:00:00Z') } });
    expect(list.items.value.map((c) => c.id)).toEqual(['b', 'a']);
    sockets[0]!.emit({ type: 'message.created', channelAccountId: 'ch1', conversationId: 'c', data: { message: { ...msg('mc', '2026-01-01T12:00:00Z'), conversationId: 'c' }, conversation: conv('c', '2026-01-01T12:00:00Z') } });
    sockets[0]!.emit({ type: 'conversation.updated', channelAccountId: 'ch1', conversationId: 'a', data: { conversation: { ...conv('a', '2026-01-01T10:00:00Z'), status: 'resolved' } } });
    expect(list.items.value.map((c) => c.id)).toEqual(['c', 'b']);
  });

  it('useTypingIndicator asks the API once per 20 s per conversation while the agent types', async () => {
    const { pinia, requested } = setup({ '/api/v1/conversations/c1/typing': [{ sent: true }], '/api/v1/conversations/c2/typing': [{ sent: true }] });
    let now = 1_000_000;
    let conversationId = 'c1';
    const typing = mount(pinia, () => useTypingIndicator(() => conversationId, () => now));
    const asked = () => requested.filter((url) => url.endsWith('/typing'));
    for (let key = 0; key < 5; key++) typing.typed();
    now += 19_999;
    typing.typed();
    expect(asked()).toEqual(['/api/v1/conversations/c1/typing']);
    conversationId = 'c2';
    typing.typed();
    now += 1;
    conversationId = 'c1';
    typing.typed();
    await flush();
    expect(asked()).toEqual(['/api/v1/conversations/c1/typing', '/api/v1/conversations/c2/typing', '/api/v1/conversations/c1/typing']);
  });

  it('useDemo offers the customer page on the host the inbox came from, and nothing on a server without a demo', async () => {
    const demo = setup({ '/api/v1/demo': [{ customerPageUrl: 'http://localhost:3001/', customerPagePort: 3001 }] });
    const remote = mount(demo.pinia, () => useDemo({ hostname: '192.168.1.5' }));
    const local = mount(demo.pinia, () => useDemo(undefined));
    const none = mount(setup({}).pinia, () => useDemo({ hostname: '192.168.1.5' }));
    await flush();
    expect(remote.customerPageUrl.value).toBe('http://192.168.1.5:3001/');
    expect(local.customerPageUrl.value).toBe('http://localhost:3001/');
    expect(none.customerPageUrl.value).toBeNull();
  });
});


describe('contact panel composables', () => {
  const contact = (over: Record<string, unknown> = {}) => ({
    id: 'k1', channelAccountId: 'ch1', externalId: '62811', phone: '+62811', name: 'Sari', attributes: { city: 'Bandung' }, tags: ['vip'],
    optedInAt: null, optedOutAt: null, optedOutSource: null, optedOutReason: null, createdAt: '2026-01-01T00:00:00.000Z', ...over,
  });

  it('useContact loads the contact and its activity, saves an edit, and takes another agent\'s edit live', async () => {
    const { pinia, sockets, requested, connect } = setup({
      '/api/v1/contacts/k1': [contact(), contact({ attributes: { city: 'Bandung', order: 'INV-7' } })],
      '/api/v1/contacts/k1/activity': [{ conversations: [{ id: 'c1', channelAccountId: 'ch1', contactId: 'k1', status: 'open', lastMessageAt: null, lastMessagePreview: null, createdAt: '2026-01-01T00:00:00.000Z' }], broadcasts: [] }],
    });
    connect();
    const panel = mount(pinia, () => useContact('k1'));
    await flush();
    expect(panel.contact.value?.name).toBe('Sari');
    expect(panel.activity.value?.conversations.map((c) => c.id)).toEqual(['c1']);

    expect(await panel.setAttribute('order', 'INV-7')).toBe(true);
    expect(panel.contact.value?.attributes).toEqual({ city: 'Bandung', order: 'INV-7' });

    sockets[0]!.onopen?.({});
    sockets[0]!.emit({ type: 'contact.updated', channelAccountId: 'ch1', contactId: 'k2', data: { contact: contact({ id: 'k2', name: 'Other' }) } });
    expect(panel.contact.value?.name).toBe('Sari');
    sockets[0]!.emit({ type: 'contact.updated', channelAccountId: 'ch1', contactId: 'k1', data: { contact: contact({ name: 'Sari Dewi', tags: ['vip', 'reseller'] }) } });
    expect(panel.contact.value).toMatchObject({ name: 'Sari Dewi', tags: ['vip', 'reseller'] });
    expect(requested.filter((r) => r.includes('/contacts/k1')).length).toBe(3);
  });

  it('useContact keeps a refused edit\'s error and the contact as it was', async () => {
    const { pinia } = setup({ '/api/v1/contacts/k1': [contact()], '/api/v1/contacts/k1/activity': [{ conversations: [], broadcasts: [] }] });
    const panel = mount(pinia, () => useContact('k1'));
    await flush();
    const api = useConnectionStore(pinia).api;
    vi.spyOn(api, 'updateContact').mockRejectedValueOnce(new ApiError('TAG_INVALID', 'Tag "#no" may hold only letters…', 400));
    expect(await panel.addTag('#no')).toBe(false);
    expect(panel.error.value?.code).toBe('TAG_INVALID');
    expect(panel.contact.value?.tags).toEqual(['vip']);
  });

  it('useTagSuggestions shares one list between every input, loaded once', async () => {
    const { pinia, requested } = setup({ '/api/v1/tags': [{ items: [{ tag: 'vip', conversations: 2, contacts: 1 }] }] });
    const first = mount(pinia, () => useTagSuggestions());
    const second = mount(pinia, () => useTagSuggestions());
    await flush();
    expect(second.tags.value.map((t) => t.tag)).toEqual(['vip']);
    expect(first.tags.value).toBe(second.tags.value);
    expect(requested.filter((r) => r.includes('/api/v1/tags')).length).toBe(1);
  });
});
