import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pooledGraphHttp } from './graph-http.js';

/** A local HTTP server that counts the sockets it was opened on and answers with `handler`. */
async function graphStandIn(handler: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void) {
  let sockets = 0;
  let inFlight = 0;
  let mostInFlight = 0;
  const server: Server = createServer((req, res) => {
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () =>
      // Answers a moment later, so concurrent calls overlap.
      setTimeout(() => {
        inFlight--;
        handler(req, Buffer.concat(chunks), res);
      }, 20),
    );
  });
  server.on('connection', () => sockets++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    stats: () => ({ sockets, mostInFlight }),
    // The pool keeps its sockets open: close them too, or the server waits for their keep-alive to end.
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

describe('pooledGraphHttp', () => {
  let standIn: Awaited<ReturnType<typeof graphStandIn>> | undefined;
  afterEach(async () => {
    await standIn?.close();
    standIn = undefined;
  });

  it('queues a burst for the pool’s sockets instead of opening one per call', async () => {
    standIn = await graphStandIn((_req, body, res) => res.setHeader('content-type', 'application/json').end(body));
    const http = pooledGraphHttp(3);
    const answers = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const response = await http(`${standIn!.url}/v25.0/1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ i }) });
        return { status: response.status, body: JSON.parse(await response.text()) as { i: number } };
      }),
    );
    expect(answers.map((a) => a.body.i)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(standIn.stats().sockets).toBeLessThanOrEqual(3);
    expect(standIn.stats().mostInFlight).toBeLessThanOrEqual(3);
  });

  it('reads headers by any case, error answers and bytes', async () => {
    standIn = await graphStandIn((req, _body, res) => {
      if (req.url?.endsWith('/busy')) res.writeHead(429, { 'Retry-After': '7', 'content-type': 'application/json' }).end('{"error":{"code":130429}}');
      else res.writeHead(200, { 'Content-Type': 'image/png' }).end(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    });
    const http = pooledGraphHttp();
    const busy = await http(`${standIn.url}/busy`, { method: 'GET', headers: {}, body: undefined });
    expect([busy.status, busy.header('retry-after'), busy.header('Retry-After'), JSON.parse(await busy.text())]).toEqual([429, '7', '7', { error: { code: 130429 } }]);
    const image = await http(`${standIn.url}/image`, { method: 'GET', headers: {}, body: undefined });
    expect(image.header('content-type')).toBe('image/png');
    expect([...(await image.bytes())]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it('sends a multipart form with its file, as media uploads do', async () => {
    let received: { type: string | undefined; body: string } | undefined;
    standIn = await graphStandIn((req, body, res) => {
      received = { type: req.headers['content-type'], body: body.toString('latin1') };
      res.setHeader('content-type', 'application/json').end('{"id":"media-1"}');
    });
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('file', new Blob([Buffer.from('%PDF-1.4 katalog')], { type: 'application/pdf' }), 'katalog.pdf');
    const answer = await pooledGraphHttp()(`${standIn.url}/v25.0/1/media`, { method: 'POST', headers: {}, body: form });
    expect(JSON.parse(await answer.text())).toEqual({ id: 'media-1' });
    expect(received?.type).toMatch(/^multipart\/form-data; boundary=/);
    expect(received?.body).toContain('name="messaging_product"\r\n\r\nwhatsapp');
    expect(received?.body).toContain('filename="katalog.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 katalog');
  });
});
