import { describe, expect, it, vi } from 'vitest';
import { ApiClient, type XhrLike } from './api-client.js';
import { ApiError } from './api-error.js';

function fakeFetch(...responses: (Response | Error)[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fn = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    const next = responses.shift();
    if (!next) throw new Error('no more responses');
    if (next instanceof Error) throw next;
    return next;
  });
  return { fetch: fn as unknown as typeof fetch, calls };
}
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('ApiClient', () => {
  it('sends the bearer token and the filters as a query, skipping empty ones', async () => {
    const { fetch, calls } = fakeFetch(json(200, { items: [], nextCursor: null }));
    const api = new ApiClient({ getToken: () => 'tok', fetch });
    await api.listConversations({ assignee: 'me', window: 'closing', q: '  ' }, { limit: 20, cursor: 'abc' });
    expect(calls[0]!.url).toBe('/api/v1/conversations?assignee=me&window=closing&limit=20&cursor=abc');
    expect((calls[0]!.init.headers as Record<string, string>).authorization).toBe('Bearer tok');
  });

  it('maps an API error body to an ApiError with its code', async () => {
    const { fetch } = fakeFetch(json(422, { statusCode: 422, code: 'WINDOW_CLOSED', message: 'The 24-hour window has closed.' }));
    const api = new ApiClient({ getToken: () => 'tok', fetch });
    const error = await api.sendMessage('c1', { content: { type: 'text', text: 'hi' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'WINDOW_CLOSED', statusCode: 422, message: 'The 24-hour window has closed.' });
  });

  it('maps a body without a code, and a failed fetch, to client codes', async () => {
    const { fetch } = fakeFetch(new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }), new TypeError('Failed to fetch'));
    const api = new ApiClient({ getToken: () => null, fetch });
    await expect(api.me()).rejects.toMatchObject({ code: 'INTERNAL', statusCode: 502 });
    await expect(api.me()).rejects.toMatchObject({ code: 'NETWORK_ERROR', statusCode: 0 });
  });

  it('tells the app when the API refuses the token', async () => {
    const onUnauthenticated = vi.fn();
    const { fetch } = fakeFetch(json(401, { statusCode: 401, code: 'TOKEN_EXPIRED', message: 'expired' }));
    const api = new ApiClient({ getToken: () => 'old', fetch, onUnauthenticated });
    await expect(api.me()).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
    expect(onUnauthenticated).toHaveBeenCalledOnce();
  });

  it('follows cursors page by page until nextCursor is null', async () => {
    const { fetch, calls } = fakeFetch(
      json(200, { items: [{ id: 'm3' }, { id: 'm2' }], nextCursor: 'c2' }),
      json(200, { items: [{ id: 'm1' }], nextCursor: null }),
    );
    const api = new ApiClient({ getToken: () => 't', fetch });
    const seen: string[] = [];
    for await (const items of api.pages((cursor) => api.listMessages('conv', { cursor, limit: 2 }))) seen.push(...items.map((m) => m.id));
    expect(seen).toEqual(['m3', 'm2', 'm1']);
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/conversations/conv/messages?limit=2', '/api/v1/conversations/conv/messages?cursor=c2&limit=2']);
  });

  it('sends templates in the API shape', async () => {
    const { fetch, calls } = fakeFetch(json(202, { id: 'm1', status: 'queued' }));
    const api = new ApiClient({ baseUrl: 'https://obrol.example/', getToken: () => 'a b', fetch });
    const template = { name: 'order_update', language: 'en_US', parameters: { body: [{ type: 'text' as const, text: 'Sari' }] } };
    await api.sendMessage('c1', { template });
    expect(JSON.parse(String(calls[0]!.init.body))).toEqual({ template });
    expect(calls[0]!.init.method).toBe('POST');
  });

  it('speaks the outbound webhook routes: lists unwrap data, deliveries keep their cursor', async () => {
    const endpoint = { id: 'e1', url: 'https://crm.example.com/hooks', description: null, events: ['message.*'], enabled: true, createdAt: 'x', updatedAt: 'x', lastDelivery: null };
    const { fetch, calls } = fakeFetch(
      json(200, { data: [{ type: 'message.received', description: 'd' }] }),
      json(201, { ...endpoint, secret: 'whsec_1' }),
      json(200, { ...endpoint, enabled: false }),
      json(200, { data: [], nextCursor: 'next' }),
      json(200, { id: 'd1', status: 'succeeded' }),
      new Response(null, { status: 204 }),
    );
    const api = new ApiClient({ getToken: () => 'tok', fetch });
    expect(await api.listWebhookEvents()).toEqual([{ type: 'message.received', description: 'd' }]);
    expect((await api.createWebhookEndpoint({ url: endpoint.url, events: ['message.*'] })).secret).toBe('whsec_1');
    expect((await api.updateWebhookEndpoint('e1', { enabled: false })).enabled).toBe(false);
    expect(await api.listWebhookDeliveries('e1', { status: 'failed', cursor: 'c' })).toEqual({ data: [], nextCursor: 'next' });
    await api.replayWebhookDelivery('d1');
    await api.deleteWebhookEndpoint('e1');
    expect(calls.map((c) => `${c.init.method} ${c.url}`)).toEqual([
      'GET /api/v1/webhook-events',
      'POST /api/v1/webhook-endpoints',
      'PATCH /api/v1/webhook-endpoints/e1',
      'GET /api/v1/webhook-endpoints/e1/deliveries?status=failed&cursor=c',
      'POST /api/v1/webhook-deliveries/d1/replay',
      'DELETE /api/v1/webhook-endpoints/e1',
    ]);
    expect(JSON.parse(calls[1]!.init.body as string)).toEqual({ url: endpoint.url, events: ['message.*'] });
  });

  it('uploads a file as multipart/form-data with progress, and turns a refusal into an ApiError', async () => {
    type FakeXhr = Omit<XhrLike, 'status' | 'responseText'> & { status: number; responseText: string; sentBody: FormData | null; headers: Record<string, string>; url: string; answer(status: number, body: unknown): void };
    const xhrs: FakeXhr[] = [];
    const createXhr = () => {
      const xhr = {
        status: 0, responseText: '', url: '', headers: {} as Record<string, string>, sentBody: null as FormData | null,
        upload: { onprogress: null }, onload: null, onerror: null,
        open(_m: string, url: string) { xhr.url = url; },
        setRequestHeader(name: string, value: string) { xhr.headers[name] = value; },
        send(body: FormData) { xhr.sentBody = body; },
        answer(status: number, body: unknown) { xhr.status = status; xhr.responseText = JSON.stringify(body); xhr.onload?.(); },
      } as unknown as FakeXhr;
      xhrs.push(xhr);
      return xhr as XhrLike;
    };
    const api = new ApiClient({ getToken: () => 'tok', createXhr });
    const progress: number[] = [];
    const pending = api.uploadMedia('ch1', new Blob(['png'], { type: 'image/png' }), 'resi.png', (f) => progress.push(f));
    const xhr = xhrs[0]!;
    expect(xhr.url).toBe('/api/v1/media?channelAccountId=ch1');
    expect(xhr.headers.authorization).toBe('Bearer tok');
    expect(xhr.sentBody!.get('file')).toBeInstanceOf(Blob);
    xhr.upload.onprogress!({ loaded: 1, total: 4, lengthComputable: true });
    xhr.answer(201, { mediaId: 'm1', mimeType: 'image/png', sizeBytes: 3, sha256: 'x', filename: 'resi.png' });
    expect(await pending).toMatchObject({ mediaId: 'm1' });
    expect(progress).toEqual([0.25, 1]);

    const refused = api.uploadMedia('ch1', new Blob(['gif'], { type: 'image/gif' }), 'x.gif');
    xhrs[1]!.answer(415, { statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'no gif' });
    await expect(refused).rejects.toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', statusCode: 415 });
  });
});
