import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Pinia } from 'pinia';
import { createApp, defineComponent, h, nextTick, ref } from 'vue';
import { createObrolPinia } from './connection.store.js';
import type { SocketLike } from './realtime-client.js';
import { useSessionStore } from './session.store.js';
import { useAccount } from './use-account.js';
import { useAgentsAdmin } from './use-agents-admin.js';
import { useApiKeys } from './use-api-keys.js';
import { useTemplateLint } from './use-template-lint.js';

const flush = async () => {
  for (let i = 0; i < 5; i++) {
    await Promise.resolve();
    await nextTick();
  }
};

type Handler = (body: unknown) => unknown;

/** A server of canned answers by `METHOD path`, recording what was asked. */
function setup(routes: Record<string, Handler>) {
  const calls: { route: string; body: unknown }[] = [];
  const fetch = (async (url: RequestInfo | URL, init?: RequestInit) => {
    const route = `${init?.method ?? 'GET'} ${String(url).replace(/\?.*$/, '')}`;
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ route, body });
    const handler = routes[route];
    if (!handler) return new Response(JSON.stringify({ statusCode: 404, code: 'ROUTE_NOT_FOUND', message: route }), { status: 404 });
    const answer = await handler(body);
    return answer === undefined ? new Response(null, { status: 204 }) : new Response(JSON.stringify(answer), { status: 200 });
  }) as typeof globalThis.fetch;
  const pinia = createObrolPinia({
    tokenStorage: null,
    fetch,
    realtimeUrl: 'ws://test/api/v1/realtime',
    createSocket: () => ({ readyState: 0, onopen: null, onmessage: null, onclose: null, onerror: null, send() {}, close() {} }) as unknown as SocketLike,
  });
  useSessionStore(pinia).token = 'tok';
  return { pinia, calls };
}

const mounted: ReturnType<typeof createApp>[] = [];
function mount<T>(pinia: Pinia, use: () => T): T {
  let result!: T;
  const app = createApp(defineComponent({ setup: () => ((result = use()), () => h('div')) }));
  app.use(pinia);
  app.mount(document.createElement('div'));
  mounted.push(app);
  return result;
}
afterEach(() => {
  mounted.splice(0).forEach((a) => a.unmount());
  vi.useRealTimers();
});

const agent = (over: Record<string, unknown> = {}) => ({ id: 'a1', email: 'sari@example.test', name: 'Sari', role: 'agent', active: true, inboxIds: [], locale: null, notifications: { newConversationSound: true, assignedToMe: true, everyMessage: false }, createdAt: '2026-01-01T00:00:00Z', ...over });

describe('admin composables', () => {
  it('useTemplateLint lints once the typing pauses, and a late answer to an older draft never wins', async () => {
    vi.useFakeTimers();
    const answers: ((v: unknown) => void)[] = [];
    const { pinia, calls } = setup({ 'POST /api/v1/channels/ch1/templates/lint': () => new Promise((resolve) => answers.push(resolve)) });
    const draft = ref<{ body: string }>({ body: '{{1}} hi' });
    const lint = mount(pinia, () => useTemplateLint('ch1', draft, 300));
    draft.value = { body: '{{1}} hi there' };
    await flush();
    await vi.advanceTimersByTimeAsync(299);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => c.body)).toEqual([{ draft: { body: '{{1}} hi there' } }]);
    draft.value = { body: 'Hi {{1}}, there' };
    await vi.advanceTimersByTimeAsync(300);
    expect(calls).toHaveLength(2);
    answers[1]!({ problems: [] });
    await flush();
    answers[0]!({ problems: [{ path: 'components.body.text', rule: 'body.dangling-variable', message: 'starts with a variable' }] });
    await flush();
    expect(lint.problems.value).toEqual([]);
    expect(lint.checking.value).toBe(false);
  });

  it('useAccount saves settings into the session and passes a refused password change on', async () => {
    const { pinia, calls } = setup({
      'PATCH /api/v1/me': (body) => agent(body as Record<string, unknown>),
      'POST /api/v1/me/password': () => {
        throw new Error('unreachable');
      },
    });
    const session = useSessionStore(pinia);
    const account = mount(pinia, () => useAccount());
    await account.update({ locale: 'id' });
    expect(session.agent?.locale).toBe('id');
    await expect(account.changePassword('old', 'new-password-1')).rejects.toThrow();
    expect(calls.at(-1)).toEqual({ route: 'POST /api/v1/me/password', body: { currentPassword: 'old', newPassword: 'new-password-1' } });
  });

  it('useAgentsAdmin invites with the chosen inboxes and hands back the one-time link', async () => {
    const team = [agent({ id: 'admin', role: 'admin', name: 'Admin' })];
    const { pinia, calls } = setup({
      'GET /api/v1/agents': () => ({ items: team }),
      'GET /api/v1/channels': () => ({ items: [{ id: 'ch1', name: 'Sales' }] }),
      'POST /api/v1/agents': (body) => {
        team.push(agent({ ...(body as object), id: 'a2' }));
        return { ...team.at(-1), setPasswordLink: { url: 'http://x/#/set-password/obp_abc', purpose: 'invite', expiresAt: '2026-01-08T00:00:00Z' } };
      },
    });
    const admin = mount(pinia, () => useAgentsAdmin());
    await flush();
    expect(admin.inboxes.value.map((i) => i.name)).toEqual(['Sales']);
    const link = await admin.invite({ email: 'ana@example.test', name: 'Ana', role: 'marketer', inboxIds: ['ch1'] });
    expect(link?.url).toBe('http://x/#/set-password/obp_abc');
    expect(calls.find((c) => c.route === 'POST /api/v1/agents')!.body).toEqual({ email: 'ana@example.test', name: 'Ana', role: 'marketer', inboxIds: ['ch1'] });
    expect(admin.agents.value.map((a) => a.name)).toEqual(['Admin', 'Ana']);
  });

  it('useApiKeys returns the key once and lists keys again after create and revoke', async () => {
    const keys: Record<string, unknown>[] = [];
    const { pinia } = setup({
      'GET /api/v1/api-keys': () => ({ items: keys }),
      'POST /api/v1/api-keys': (body) => {
        keys.push({ id: 'k1', prefix: 'obk_abcdefgh', revokedAt: null, lastUsedAt: null, createdAt: '2026-01-01T00:00:00Z', ...(body as object) });
        return { ...keys[0], key: 'obk_secret' };
      },
      'DELETE /api/v1/api-keys/k1': () => {
        keys[0]!.revokedAt = '2026-01-02T00:00:00Z';
        return undefined;
      },
    });
    const apiKeys = mount(pinia, () => useApiKeys());
    expect(await apiKeys.create({ name: 'Shop', scopes: ['send'], inboxIds: null })).toBe('obk_secret');
    expect(apiKeys.keys.value).toMatchObject([{ name: 'Shop', scopes: ['send'] }]);
    expect(JSON.stringify(apiKeys.keys.value)).not.toContain('obk_secret');
    await apiKeys.revoke('k1');
    expect(apiKeys.keys.value[0]!.revokedAt).not.toBeNull();
  });
});
