import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { createObrolPinia, useConnectionStore } from './connection.store.js';
import type { SocketLike } from './realtime-client.js';
import { TOKEN_KEY, useSessionStore } from './session.store.js';

const agent = { id: 'a1', name: 'Ayu', email: 'ayu@example.test', role: 'agent' };

function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  return { items, getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v), removeItem: (k: string) => void items.delete(k) };
}

function setup(answer: (path: string) => { status: number; body?: unknown }, storage = memoryStorage()) {
  const sockets: SocketLike[] = [];
  const fetch = (async (url: RequestInfo | URL) => {
    const r = answer(String(url));
    return new Response(r.body === undefined ? null : JSON.stringify(r.body), { status: r.status });
  }) as typeof globalThis.fetch;
  const pinia = createObrolPinia({
    tokenStorage: storage,
    fetch,
    realtimeUrl: 'ws://test/api/v1/realtime',
    createSocket: () => {
      const s = { readyState: 0, onopen: null, onmessage: null, onclose: null, onerror: null, send() {}, close() {} };
      sockets.push(s);
      return s;
    },
  });
  return { session: useSessionStore(pinia), storage, sockets };
}

describe('session store', () => {
  it('logs in: keeps the token in the storage and opens the realtime socket', async () => {
    const { session, storage, sockets } = setup(() => ({ status: 200, body: { token: 'tok-1', expiresAt: '2099-01-01T00:00:00.000Z', agent } }));
    expect(session.isAuthenticated).toBe(false);
    await session.login('ayu@example.test', 'secret');
    expect(session.isAuthenticated).toBe(true);
    expect(session.agent?.name).toBe('Ayu');
    expect(storage.items.get(TOKEN_KEY)).toBe('tok-1');
    expect(sockets).toHaveLength(1);
  });

  it('restores the agent behind a stored token', async () => {
    const { session } = setup((url) => (url.endsWith('/api/v1/me') ? { status: 200, body: { ...agent, kind: 'agent' } } : { status: 404, body: {} }), memoryStorage({ [TOKEN_KEY]: 'tok-2' }));
    expect(session.token).toBe('tok-2');
    expect(await session.restore()).toBe(true);
    expect(session.agent).toEqual(agent);
  });

  it('forgets the session when the API refuses its token', async () => {
    const storage = memoryStorage({ [TOKEN_KEY]: 'revoked' });
    const { session } = setup(() => ({ status: 401, body: { statusCode: 401, code: 'UNAUTHENTICATED', message: 'Session expired' } }), storage);
    expect(await session.restore()).toBe(false);
    expect(session.isAuthenticated).toBe(false);
    expect(storage.items.has(TOKEN_KEY)).toBe(false);
  });
});

describe('connection store', () => {
  it('is configured once', () => {
    const pinia = createObrolPinia({ tokenStorage: null });
    expect(() => useConnectionStore(pinia).configure({ tokenStorage: null })).toThrow(/already configured/);
  });

  it('says how to configure it when a store is used without it', () => {
    expect(() => useSessionStore(createPinia())).toThrow(/createObrolPinia/);
  });
});
