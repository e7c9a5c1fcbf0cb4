import { Agent, FormData as UndiciFormData, request } from 'undici';

/** What the Graph client reads of an HTTP answer. */
export interface GraphHttpResponse {
  status: number;
  /** A response header (case-insensitive); the first value when repeated. */
  header(name: string): string | undefined;
  text(): Promise<string>;
  bytes(): Promise<Buffer>;
}

export interface GraphHttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  headers: Record<string, string>;
  body: string | FormData | Uint8Array | undefined;
}

/** How the Graph client talks HTTP: pooled undici in production, an injected `fetch` in tests. */
export type GraphHttp = (url: string, init: GraphHttpRequest) => Promise<GraphHttpResponse>;

/**
 * Sockets at most per Graph origin, opened only as calls overlap. A send takes 100–500 ms at
 * Meta, so 512 sockets carry 1,000 messages a second (a number's ceiling) even at half a second
 * each; a burst beyond that waits for a socket instead of opening one per message.
 */
export const GRAPH_CONNECTIONS_PER_ORIGIN = 512;

/**
 * The default Graph HTTP: undici's `request` over one keep-alive pool per origin. It costs a
 * fraction of the CPU of `fetch` per call (no WHATWG Request, Response or streams), which a
 * broadcast at 1,000 messages a second notices.
 */
export function pooledGraphHttp(connections = GRAPH_CONNECTIONS_PER_ORIGIN): GraphHttp {
  const pool = new Agent({ connections, keepAliveTimeout: 30_000 });
  return async (url, init) => {
    const answer = await request(url, {
      method: init.method,
      headers: init.headers,
      body: init.body instanceof FormData ? toUndiciForm(init.body) : init.body,
      dispatcher: pool,
    });
    return {
      status: answer.statusCode,
      header: (name) => {
        const value = answer.headers[name.toLowerCase()];
        return Array.isArray(value) ? value[0] : value;
      },
      text: () => answer.body.text(),
      bytes: async () => Buffer.from(await answer.body.arrayBuffer()),
    };
  };
}

/** A `fetch` (tests inject a fake one) as the Graph client's HTTP. */
export function fetchGraphHttp(fetchFn: typeof fetch): GraphHttp {
  return async (url, init) => {
    const response = await fetchFn(url, init);
    return {
      status: response.status,
      header: (name) => response.headers.get(name) ?? undefined,
      text: () => response.text(),
      bytes: async () => Buffer.from(await response.arrayBuffer()),
    };
  };
}

/** Node's global FormData belongs to its bundled undici; the pool encodes its own package's. */
function toUndiciForm(form: FormData): UndiciFormData {
  const copy = new UndiciFormData();
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') copy.append(name, value);
    else copy.append(name, value, value.name);
  }
  return copy;
}
