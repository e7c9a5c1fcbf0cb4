import { createObrolPinia, useSessionStore } from '@obrol/client';

export interface FakeCall {
  method: string;
  path: string;
  body: unknown;
  query: URLSearchParams;
}

/** A Pinia wired to a fake API: `routes['GET /api/v1/x']` answers; every call is recorded. */
export function fakeServer(routes: Record<string, (body: unknown, query: URLSearchParams) => unknown>) {
  const calls: FakeCall[] = [];
  const listeners: ((frame: string) => void)[] = [];
  const fetch = (async (url: RequestInfo | URL, init?: RequestInit) => {
    const u = new URL(String(url), 'http://test');
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' && init.body.startsWith('{') ? JSON.parse(init.body) : init?.body;
    calls.push({ method, path: u.pathname, body, query: u.searchParams });
    const route = routes[`${method} ${u.pathname}`];
    if (!route) return new Response(JSON.stringify({ code: 'NOT_FOUND', message: u.pathname }), { status: 404 });
    return new Response(JSON.stringify(route(body, u.searchParams)), { status: 200 });
  }) as typeof globalThis.fetch;
  const socket = { readyState: 1, onopen: null, onmessage: null as ((e: { data: unknown }) => void) | null, onclose: null, onerror: null, send() {}, close() {} };
  const pinia = createObrolPinia({ tokenStorage: null, fetch, realtimeUrl: 'ws://test', createSocket: () => socket });
  useSessionStore(pinia).token = 'tok';
  return { pinia, calls, socket, listeners, routes };
}
