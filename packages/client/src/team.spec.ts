import { afterEach, describe, expect, it } from 'vitest';
import type { Pinia } from 'pinia';
import { createApp, defineComponent, h, nextTick } from 'vue';
import { createObrolPinia, useConnectionStore } from './connection.store.js';
import type { SocketLike } from './realtime-client.js';
import { useSessionStore } from './session.store.js';
import { useTeamStore } from './team.store.js';
import { useCollision } from './use-collision.js';
import { useMentions } from './use-mentions.js';
import { useNotes } from './use-notes.js';
import type { NoteView, TeammateView } from './views.js';

const flush = async () => {
  for (let i = 0; i < 5; i++) {
    await Promise.resolve();
    await nextTick();
  }
  await new Promise((r) => setTimeout(r, 0));
};

type FakeSocket = SocketLike & { emit(frame: unknown): void; sent: unknown[] };
const note = (id: string, createdAt: string, text = id): NoteView => ({ id, conversationId: 'c1', authorId: 'a1', authorName: 'Ani', text, mentionedAgentIds: [], createdAt });
const mate = (id: string, name: string, inboxIds: string[], role: TeammateView['role'] = 'agent'): TeammateView => ({ id, name, role, presence: 'away', availability: 'offline', lastSeenAt: null, inboxIds });

function setup(routes: Record<string, unknown>) {
  const sockets: FakeSocket[] = [];
  const requests: { method: string; url: string; body?: unknown }[] = [];
  const fetch = (async (url: RequestInfo | URL, init?: RequestInit) => {
    const path = String(url).replace(/\?.*$/, '');
    const method = init?.method ?? 'GET';
    requests.push({ method, url: path, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    const body = routes[`${method} ${path}`];
    return new Response(JSON.stringify(body ?? { statusCode: 404, code: 'NOT_FOUND', message: 'nope' }), { status: body ? 200 : 404 });
  }) as typeof globalThis.fetch;
  const pinia = createObrolPinia({
    tokenStorage: null,
    fetch,
    realtimeUrl: 'ws://test/api/v1/realtime',
    createSocket: () => {
      const s = { readyState: 1, onopen: null, onmessage: null, onclose: null, onerror: null, close() {}, sent: [] as unknown[] } as unknown as FakeSocket;
      s.send = (data: string) => s.sent.push(JSON.parse(data));
      s.emit = (frame) => s.onmessage?.({ data: JSON.stringify(frame) });
      sockets.push(s);
      return s;
    },
  });
  useSessionStore(pinia).token = 'tok';
  useConnectionStore(pinia).realtime.connect();
  sockets[0]!.onopen?.({});
  return { pinia, sockets, requests };
}

const mounted: ReturnType<typeof createApp>[] = [];
function mount<T>(pinia: Pinia, use: () => T): { result: T; unmount: () => void } {
  let result!: T;
  const app = createApp(defineComponent({ setup: () => ((result = use()), () => h('div')) }));
  app.use(pinia);
  app.mount(document.createElement('div'));
  mounted.push(app);
  return { result, unmount: () => app.unmount() };
}
afterEach(() => mounted.splice(0).forEach((a) => a.unmount()));

describe('working together', () => {
  it('the team store knows names, who may take a conversation of an inbox, and sets presence', async () => {
    const { pinia, requests } = setup({
      'GET /api/v1/team': { items: [mate('a1', 'Ani', ['ch1']), mate('a2', 'Budi', ['ch2']), mate('a3', 'Admin', [], 'admin')] },
      'PUT /api/v1/me/presence': { ...mate('a1', 'Ani', ['ch1']), presence: 'online' },
    });
    const team = mount(pinia, () => useTeamStore()).result;
    await team.load();
    expect(team.nameOf('a2')).toBe('Budi');
    expect(team.nameOf('zz')).toBeNull();
    expect(team.of('ch1').map((m) => m.name)).toEqual(['Ani', 'Admin']);
    await team.setPresence('online');
    expect(requests.at(-1)).toMatchObject({ method: 'PUT', url: '/api/v1/me/presence', body: { presence: 'online' } });
    expect(team.byId.get('a1')?.presence).toBe('online');
  });

  it('the team store follows who is online, away or offline as presence events arrive', async () => {
    const { pinia, sockets } = setup({ 'GET /api/v1/team': { items: [mate('a1', 'Ani', ['ch1']), mate('a2', 'Budi', ['ch1'])] } });
    const team = mount(pinia, () => useTeamStore()).result;
    await team.load();
    sockets[0]!.emit({ type: 'agent.presence', data: { ...mate('a2', 'Budi', ['ch1']), availability: 'away', lastSeenAt: '2026-01-01T10:00:00.000Z' } });
    await flush();
    expect(team.byId.get('a2')).toMatchObject({ availability: 'away', lastSeenAt: '2026-01-01T10:00:00.000Z' });
    expect(team.byId.get('a1')?.availability).toBe('offline');
  });

  it('notes load oldest first, merge live notes of this conversation only, and add writes one', async () => {
    const { pinia, sockets, requests } = setup({
      'GET /api/v1/conversations/c1/notes': { items: [note('n1', '2026-01-01T10:00:00Z')] },
      'POST /api/v1/conversations/c1/notes': note('n3', '2026-01-01T10:02:00Z', '@Budi lihat'),
    });
    const { notes, add } = mount(pinia, () => useNotes('c1')).result;
    await flush();
    sockets[0]!.emit({ type: 'note.created', channelAccountId: 'ch1', conversationId: 'c1', data: { note: note('n2', '2026-01-01T10:01:00Z') } });
    sockets[0]!.emit({ type: 'note.created', channelAccountId: 'ch1', conversationId: 'c9', data: { note: { ...note('x', '2026-01-01T10:01:00Z'), conversationId: 'c9' } } });
    await add({ text: '@Budi lihat', mentionedAgentIds: ['a2'] });
    expect(requests.at(-1)).toMatchObject({ method: 'POST', body: { text: '@Budi lihat', mentionedAgentIds: ['a2'] } });
    // The live copy of the note this agent wrote does not show twice.
    sockets[0]!.emit({ type: 'note.created', channelAccountId: 'ch1', conversationId: 'c1', data: { note: note('n3', '2026-01-01T10:02:00Z', '@Budi lihat') } });
    expect(notes.value.map((n) => n.id)).toEqual(['n1', 'n2', 'n3']);
  });

  it('a mention calls back with the note', async () => {
    const { pinia, sockets } = setup({});
    const heard: string[] = [];
    mount(pinia, () => useMentions(({ conversationId, note: n }) => heard.push(`${conversationId}:${n.text}`)));
    sockets[0]!.emit({ type: 'agent.mentioned', channelAccountId: 'ch1', conversationId: 'c1', recipientAgentId: 'me', data: { note: note('n1', '2026-01-01T10:00:00Z', '@Me tolong') } });
    expect(heard).toEqual(['c1:@Me tolong']);
  });

  it('collision: announces viewing, typing (throttled) and leaving; lists others viewing and typing, typing fades', async () => {
    const { pinia, sockets } = setup({});
    let clock = 1_000_000;
    const { result: collision, unmount } = mount(pinia, () => useCollision('c1', () => clock));
    const socket = sockets[0]!;
    expect(socket.sent).toEqual([{ type: 'activity', conversationId: 'c1', state: 'viewing' }]);
    collision.typed();
    collision.typed();
    clock += 3_000;
    collision.typed();
    expect(socket.sent.filter((f) => (f as { state: string }).state === 'typing')).toHaveLength(2);

    const activity = (agentId: string, state: string, conversationId = 'c1') =>
      socket.emit({ type: 'conversation.activity', channelAccountId: 'ch1', conversationId, data: { agentId, agentName: agentId.toUpperCase(), state } });
    activity('b', 'viewing');
    activity('c', 'typing');
    activity('d', 'typing', 'c9');
    expect(collision.viewing.value.map((o) => o.agentName)).toEqual(['B']);
    expect(collision.typing.value.map((o) => o.agentName)).toEqual(['C']);
    clock += 7_000;
    activity('b', 'left');
    expect(collision.typing.value).toEqual([]);
    expect(collision.viewing.value.map((o) => o.agentName)).toEqual(['C']);

    // After a reconnect the viewing is announced again; closing the thread says "left".
    socket.onclose?.({ code: 1006 });
    await new Promise((r) => setTimeout(r, 1300));
    const again = sockets.at(-1)!;
    again.onopen?.({});
    expect(again.sent).toEqual([{ type: 'activity', conversationId: 'c1', state: 'viewing' }]);
    unmount();
    expect(again.sent.at(-1)).toEqual({ type: 'activity', conversationId: 'c1', state: 'left' });
  });
});
