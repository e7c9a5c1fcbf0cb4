import { createObrolPinia, type SocketLike, useConnectionStore, useSessionStore, useTeamStore } from '@obrol/client';
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { createInboxI18n } from '../../i18n';
import ConversationThread from '../conversations/ConversationThread.vue';
import ConversationsPane from '../conversations/ConversationsPane.vue';
import ShortcutSheet from './ShortcutSheet.vue';
import { shortcutFor } from './use-shortcuts';

/** c1 wrote last, so the list reads c1, c2, c3. */
const conversation = (id: string, name: string, assigneeId: string | null = null) => ({
  id, channelAccountId: 'ch1', contact: { id: `k-${id}`, name, phone: '+62811', externalId: '62811' }, status: 'open', assigneeId, snoozedUntil: null, tags: [],
  lastInboundAt: '2026-01-01T09:00:00.000Z', lastMessageAt: `2026-01-01T09:0${4 - Number(id.slice(1))}:00.000Z`, lastMessagePreview: 'Halo', unreadCount: 0,
  window: { open: true, expiresAt: '2099-01-01T00:00:00.000Z', closingSoon: false }, canReply: true, createdAt: '2026-01-01T08:00:00.000Z',
});
const team = [
  { id: 'a1', name: 'Ani', role: 'agent', presence: 'online', availability: 'online', lastSeenAt: null, inboxIds: ['ch1'] },
  { id: 'a2', name: 'Budi', role: 'agent', presence: 'away', availability: 'offline', lastSeenAt: null, inboxIds: ['ch1'] },
];

/** The inbox on a fake server: three conversations, c1 assigned to Budi; the agent is Ani. */
async function inbox(component: typeof ConversationThread | typeof ConversationsPane, props: { id: string } | { selectedId: string | null }) {
  const requests: { method: string; path: string; body?: unknown }[] = [];
  let c1 = conversation('c1', 'Sari', 'a2');
  const list = () => [c1, conversation('c2', 'Budi Customer'), conversation('c3', 'Citra Customer')];
  const fetch = (async (url: RequestInfo | URL, init?: RequestInit) => {
    const path = String(url).replace(/\?.*$/, '');
    const method = init?.method ?? 'GET';
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    requests.push({ method, path, body });
    const json = (status: number, b: unknown) => new Response(JSON.stringify(b), { status });
    if (path === '/api/v1/conversations') return json(200, { items: list(), nextCursor: null });
    if (path === '/api/v1/conversations/c1' && method === 'PATCH') return json(200, (c1 = { ...c1, ...body }));
    if (path === '/api/v1/conversations/c1') return json(200, c1);
    if (path === '/api/v1/conversations/c1/messages') return json(200, { items: [], nextCursor: null });
    if (path === '/api/v1/conversations/c1/notes') return json(200, { items: [] });
    if (path === '/api/v1/team') return json(200, { items: team });
    if (path === '/api/v1/channels/ch1/templates' || path === '/api/v1/canned-responses') return json(200, { items: [] });
    return json(404, { statusCode: 404, code: 'NOT_FOUND', message: path });
  }) as typeof globalThis.fetch;
  const socket = { readyState: 1, onopen: null, onmessage: null, onclose: null, onerror: null, close() {}, send() {} } as unknown as SocketLike;
  const pinia = createObrolPinia({ tokenStorage: null, fetch, realtimeUrl: 'ws://test', createSocket: () => socket });
  const session = useSessionStore(pinia);
  session.token = 'tok';
  session.agent = { id: 'a1', email: 'ani@x', name: 'Ani', role: 'agent', active: true, inboxIds: ['ch1'], locale: null, notifications: { newConversationSound: true, assignedToMe: true, everyMessage: false, desktop: false, messageSound: false }, createdAt: '2026-01-01T00:00:00.000Z' };
  useConnectionStore(pinia).realtime.connect();
  await useTeamStore(pinia).load();
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/', name: 'inbox', component: { template: '<div/>' } }, { path: '/c/:id', name: 'conversation', component: { template: '<div/>' } }] });
  const w = mount(component, { props, attachTo: document.body, global: { plugins: [pinia, router, createInboxI18n('en')] } });
  mounted.push(w);
  await flushPromises();
  return { w, router, requests };
}
const mounted: { unmount(): void }[] = [];
afterEach(() => mounted.splice(0).forEach((w) => w.unmount()));

const press = async (key: string, options: KeyboardEventInit = {}, target: EventTarget = window) => {
  target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...options }));
  await flushPromises();
};

describe('keyboard shortcuts', () => {
  it('letters are shortcuts only outside fields; Alt with a key works everywhere; Ctrl and Cmd stay the browser\'s', () => {
    const shortcuts = [{ key: 'j', run() {} }, { key: 'ArrowDown', alt: true, run() {} }];
    const field = document.createElement('textarea');
    const at = (key: string, target: EventTarget | null, extra: Partial<KeyboardEvent> = {}) =>
      shortcutFor({ key, target, altKey: false, ctrlKey: false, metaKey: false, defaultPrevented: false, isComposing: false, ...extra }, shortcuts)?.key;
    expect(at('j', document.body)).toBe('j');
    expect(at('j', field)).toBeUndefined();
    expect(at('ArrowDown', field, { altKey: true })).toBe('ArrowDown');
    expect(at('ArrowDown', document.body)).toBeUndefined();
    expect(at('j', document.body, { ctrlKey: true })).toBeUndefined();
  });

  it('j / k and Alt+↓ / Alt+↑ open the next and previous conversation', async () => {
    const { w, router } = await inbox(ConversationsPane, { selectedId: null });
    await press('j');
    expect(router.currentRoute.value.params.id).toBe('c1');
    await w.setProps({ selectedId: 'c1' });
    await press('j');
    expect(router.currentRoute.value.params.id).toBe('c2');
    await w.setProps({ selectedId: 'c2' });
    await press('k');
    expect(router.currentRoute.value.params.id).toBe('c1');
    // Typing a search, j is a letter; Alt+↓ still moves.
    const search = w.find('[data-testid="filter-search"]').element;
    await press('j', {}, search);
    expect(router.currentRoute.value.params.id).toBe('c1');
    await w.setProps({ selectedId: 'c1' });
    await press('ArrowDown', { altKey: true }, search);
    expect(router.currentRoute.value.params.id).toBe('c2');
  });

  it('r focuses the reply box, a assigns the conversation to me, e resolves it; typed into the box they are letters', async () => {
    const { w, requests } = await inbox(ConversationThread, { id: 'c1' });
    const box = w.find('[data-testid="composer-input"]').element as HTMLTextAreaElement;
    await press('r');
    expect(document.activeElement).toBe(box);
    await press('e', {}, box);
    expect(requests.some((r) => r.method === 'PATCH')).toBe(false);
    box.blur();
    await press('a');
    await press('e');
    expect(requests.filter((r) => r.method === 'PATCH').map((r) => r.body)).toEqual([{ assigneeId: 'a1' }, { status: 'resolved' }]);
  });

  it('lists the shortcuts in English and Indonesian', () => {
    const en = mount(ShortcutSheet, { props: { open: true }, global: { plugins: [createInboxI18n('en')] } });
    expect(en.findAll('[data-testid="shortcut-row"]').map((r) => r.text())).toContain('Assign the conversation to me');
    const id = mount(ShortcutSheet, { props: { open: true }, global: { plugins: [createInboxI18n('id')] } });
    expect(id.findAll('[data-testid="shortcut-row"]').map((r) => r.text())).toContain('Tugaskan percakapan ke saya');
    expect(id.find('[role="dialog"]').attributes('aria-labelledby')).toBe('shortcut-sheet-title');
  });
});
