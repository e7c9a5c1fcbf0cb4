/** One request the fake Graph API received. */
export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Headers;
  /** JSON bodies parsed; multipart bodies as FormData; undefined for none. */
  json?: unknown;
  form?: FormData;
}

export type FakeReply = { status?: number; json?: unknown; body?: string | Uint8Array; headers?: Record<string, string> } | Error;

/**
 * An injectable `fetch` that records every request and answers from a handler, so tests can
 * assert the exact JSON the plugin sends to Meta.
 */
export function fakeGraphFetch(handler: (req: RecordedRequest) => FakeReply = () => ({ json: {} })) {
  const requests: RecordedRequest[] = [];
  const fetchFn: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const recorded: RecordedRequest = { method: request.method, url: new URL(request.url), headers: request.headers };
    const type = request.headers.get('content-type') ?? '';
    if (type.includes('application/json')) recorded.json = JSON.parse(await request.text());
    else if (type.includes('multipart/form-data')) recorded.form = await request.formData();
    requests.push(recorded);
    const reply = handler(recorded);
    if (reply instanceof Error) throw reply;
    const body = reply.json !== undefined ? JSON.stringify(reply.json) : reply.body;
    return new Response(body, {
      status: reply.status ?? 200,
      headers: { 'content-type': reply.json !== undefined ? 'application/json' : 'application/octet-stream', ...reply.headers },
    });
  };
  return { fetch: fetchFn, requests };
}

/** Meta's answer to a successful send. */
export function sendAccepted(wamid = 'wamid.OUT1', waId = '16505551234') {
  return { json: { messaging_product: 'whatsapp', contacts: [{ input: `+${waId}`, wa_id: waId }], messages: [{ id: wamid }] } };
}

/** Meta's synchronous error envelope. */
export function graphError(code: number, message: string, status = 400, extra: Record<string, unknown> = {}) {
  return {
    status,
    json: {
      error: {
        message: `(#${code}) ${message}`,
        type: 'OAuthException',
        code,
        error_data: { messaging_product: 'whatsapp', details: message },
        fbtrace_id: 'Az8or2yhqkZfEZ-_4Qn_Bam',
        ...extra,
      },
    },
  };
}
