import { createHmac, randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { BENCH_APP_SECRET, BENCH_PHONE_NUMBER_ID, BENCH_WABA_ID, type ObrolTarget } from './obrol-target.fixture.js';

export interface ThroughputFigures {
  name: string;
  requestsPerSecond: number;
  ok: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  /** Events that reached the agent's socket (Obrol runs only). */
  eventsPublished?: number;
  /** From the first request until the last event arrived. */
  eventsPerSecond?: number;
}

/** One Meta webhook with one text message from one of many customers, with a unique wamid. */
function webhookBody(seq: number): string {
  const from = `62812${String(seq % 5000).padStart(7, '0')}`;
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: BENCH_WABA_ID,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: BENCH_PHONE_NUMBER_ID },
              contacts: [{ profile: { name: `Customer ${seq % 5000}` }, wa_id: from }],
              messages: [{ from, id: `wamid.bench${seq}${randomBytes(4).toString('hex')}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: `Halo, ini pesan nomor ${seq}` } }],
            },
            field: 'messages',
          },
        ],
      },
    ],
  });
}

/** Customers' messages as fast as they are answered for `seconds` (closed loop over `connections`). */
export async function loadInbound(name: string, url: string, seconds: number, connections: number): Promise<ThroughputFigures & { startedAt: number }> {
  let seq = 0;
  const startedAt = Date.now();
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => {
          const body = webhookBody(seq++);
          return {
            ...request,
            body,
            headers: { ...request.headers, 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', BENCH_APP_SECRET).update(body).digest('hex')}` },
          };
        },
      },
    ],
  });
  return {
    name,
    startedAt,
    requestsPerSecond: Math.round(result['2xx'] / seconds),
    ok: result['2xx'],
    errors: result.non2xx + result.errors + result.timeouts,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}

/** Inbound throughput end to end: every acknowledged webhook must come out on the agent's socket. */
export async function runInboundThroughput(target: ObrolTarget, seconds: number, connections: number): Promise<ThroughputFigures> {
  let events = 0;
  let lastEventAt = 0;
  const unsubscribe = target.onLive((frame) => {
    if (frame.type === 'message.created') {
      events++;
      lastEventAt = Date.now();
    }
  });
  const figures = await loadInbound(target.name, target.webhookUrl, seconds, connections);
  const deadline = Date.now() + 60_000;
  while (events < figures.ok && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  unsubscribe();
  return { ...figures, eventsPublished: events, eventsPerSecond: Math.round(events / ((lastEventAt - figures.startedAt) / 1000)) };
}
