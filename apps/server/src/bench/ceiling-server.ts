/**
 * The ceilings the webhook benchmark compares Obrol with: a bare Fastify endpoint on the same
 * machine that parses JSON (`json`), or checks Meta's HMAC on the raw bytes and then parses
 * (`hmac`). Run as a child process: `node ceiling-server.js <json|hmac> <appSecret>`; prints its port.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';

const [mode = 'json', appSecret = ''] = process.argv.slice(2);
const app = Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024 });

app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
app.post('/webhook', async (request, reply) => {
  const raw = request.body as Buffer;
  if (mode === 'hmac') {
    const given = Buffer.from(String(request.headers['x-hub-signature-256'] ?? ''));
    const expected = Buffer.from(`sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}`);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply.code(401).send({ error: 'bad signature' });
  }
  const json = JSON.parse(raw.toString('utf8')) as { entry?: unknown[] };
  return { ok: true, entries: json.entry?.length ?? 0 };
});

const address = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${address}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
