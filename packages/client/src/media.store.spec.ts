import { describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import { createObrolPinia } from './connection.store.js';
import { useMediaStore } from './media.store.js';

describe('media store', () => {
  it('fetches a stored file once with the token, then gives its object URL', async () => {
    const requests: { url: string; authorization: string | undefined }[] = [];
    const fetch = (async (url: RequestInfo | URL, init?: RequestInit) => {
      requests.push({ url: String(url), authorization: (init?.headers as Record<string, string>)?.authorization });
      return String(url).endsWith('/media/missing') ? new Response(JSON.stringify({ statusCode: 404, code: 'NOT_FOUND', message: 'gone' }), { status: 404 }) : new Response(new Blob(['png']), { status: 200 });
    }) as typeof globalThis.fetch;
    const pinia = createObrolPinia({ tokenStorage: { getItem: () => 'tok', setItem() {}, removeItem() {} }, fetch, createSocket: () => ({ readyState: 0, onopen: null, onmessage: null, onclose: null, onerror: null, send() {}, close() {} }) });
    const media = useMediaStore(pinia);

    expect(media.url('med1')).toBeUndefined();
    expect(media.url('med1')).toBeUndefined();
    expect(media.url('missing')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 0));
    await nextTick();
    expect(media.url('med1')).toMatch(/^blob:/);
    expect(media.url('missing')).toBeUndefined();
    expect(requests.filter((r) => r.url.includes('med1'))).toHaveLength(1);
    expect(requests[0]!.authorization).toBe('Bearer tok');
  });
});
