import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the receiver got, with the raw bytes kept for signature checks. */
export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  json: any;
  answeredWith: number;
}

/** A node:http server standing in for the plugin's webhook endpoint. */
export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Status codes to answer with next, in order; 200 once exhausted. */
  respondWith(...codes: number[]): void;
  /** The verify token its GET handshake accepts. */
  verifyToken: string;
  close(): Promise<void>;
}

export async function startWebhookReceiver(verifyToken = 'verify-me'): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const planned: number[] = [];
  const server: Server = createServer((request, response) => {
    if (request.method === 'GET') {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const ok = url.searchParams.get('hub.mode') === 'subscribe' && url.searchParams.get('hub.verify_token') === verifyToken;
      response.writeHead(ok ? 200 : 403).end(ok ? url.searchParams.get('hub.challenge') : 'forbidden');
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const answeredWith = planned.shift() ?? 200;
      received.push({ headers: request.headers, raw, json: JSON.parse(raw.toString('utf8')), answeredWith });
      response.writeHead(answeredWith).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/whatsapp/test`,
    received,
    verifyToken,
    respondWith: (...codes) => planned.push(...codes),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls `condition` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, condition: () => T | undefined | false | null, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A clock tests can move. */
export function manualClock(start = Date.UTC(2026, 4, 4, 9, 0, 0)) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms), set: (date: Date) => void (now = date.getTime()) };
}
