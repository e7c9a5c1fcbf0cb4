import { summariseLatencies, type LatencySummary } from './latency-stats.js';
import type { ObrolTarget } from './obrol-target.fixture.js';
import { settledCounts } from './stored-messages.probe.js';
import { describeWebhook, planFlood, type FloodWebhook } from './status-flood.plan.js';
import { type ServicesCpuPerUnit, servicesCpu, servicesCpuPer } from './services-cpu.js';
import { ackLatencies, acknowledged, deliverAsFastAsAnswered } from './webhook.loader.js';

export interface StatusFloodFigures {
  /** Messages Obrol sent before the flood (each brings sent, delivered, read). */
  broadcast: number;
  statusWebhooks: number;
  duplicateWebhooks: number;
  inboundWebhooks: number;
  /** Webhooks acknowledged (200) per second, from the first to the last answer. */
  webhooksPerSecond: number;
  statusesPerSecond: number;
  errors: number;
  ack: LatencySummary;
  /** From a status webhook's first copy to the changed status on the agent's socket (stored, then published). */
  statusLag: LatencySummary;
  /** Customers' replies mixed into the flood: webhook sent → shown on the agent's socket (ms). */
  replyLag: LatencySummary;
  /** From the last answer until the store held every status and message (0: stored when acknowledged). */
  storeTailMs: number;
  /** Broadcast messages whose final status (read) is stored, against `broadcast`. */
  readStored: number;
  /** Customers' messages stored during the flood, against `inboundWebhooks`. */
  inboundStored: number;
  /** CPU time of the Obrol process per webhook posted (µs), load-independent where rates are not; undefined off Linux. */
  cpuUsPerWebhook: number | undefined;
  /** CPU per webhook of the database and bus servers and of the bench's own process (load and simulator), µs. */
  servicesCpuPerWebhook: ServicesCpuPerUnit;
}

const RECIPIENTS = 500;
const phoneOf = (i: number) => `+62813${String(i % RECIPIENTS).padStart(7, '0')}`;

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  console.log(`  (gave up waiting for ${what} after ${timeoutMs / 1000} s)`);
  return false;
}

/** Obrol sends `count` template messages through its real send path to the simulator, which queues their statuses. */
async function sendBroadcast(target: ObrolTarget, count: number): Promise<void> {
  await target.api('POST', `/api/v1/channels/${target.channelId}/templates/sync`);
  const before = (await target.store.counts()).get('outbound:sent') ?? 0;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await target.api('POST', '/api/v1/messages', { channelAccountId: target.channelId, to: phoneOf(i), template: { name: 'hello_world', language: 'en_US' } });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  await waitFor('Obrol to send the broadcast', async () => ((await target.store.counts()).get('outbound:sent') ?? 0) - before >= count, 120_000);
}

/**
 * A broadcast's status flood: Obrol sends `broadcast` messages through the simulator, which
 * queues sent, delivered and read for each; the bench posts them with a share of duplicates and
 * the recipients' replies, all shuffled, over `connections` connections, then counts what the
 * store holds against what was sent.
 */
export async function runStatusFlood(target: ObrolTarget, broadcast: number, connections: number): Promise<StatusFloodFigures> {
  const firstDelivery = (target.sim.deliveries.at(-1)?.id ?? 0) + 1;
  await sendBroadcast(target, broadcast);
  await waitFor('the simulator to queue every status', () => target.sim.deliveries.filter((d) => d.id >= firstDelivery && d.kind === 'status').length >= broadcast * 3, 30_000);
  const inboundBefore = (await settledCounts(target.store)).get('inbound:received') ?? 0;
  const replies = Math.round(broadcast / 3);
  for (let i = 0; i < replies; i++) target.sim.customers.send(phoneOf(i * 7), `Terima kasih, saya balas pesan nomor ${i}`);
  const queued = target.sim.deliveries
    .filter((d) => d.id >= firstDelivery)
    .map((d) => describeWebhook(d.payload, { body: d.body, signature: d.signature }))
    .filter((w): w is FloodWebhook => w !== undefined);
  const plan = planFlood(queued, 0.1, Math.random);

  const seen = new Map<string, number>();
  const replySeen = new Map<string, number>();
  const unsubscribe = target.onLive((frame, at) => {
    const message = frame.data?.message;
    if (frame.type === 'message.updated' && message?.externalId) {
      const key = `${message.externalId}:${message.status}`;
      if (!seen.has(key)) seen.set(key, at);
    }
    if (frame.type === 'message.created' && message?.externalId && !replySeen.has(message.externalId)) replySeen.set(message.externalId, at);
  });
  const cpuBefore = target.cpuMs();
  const servicesBefore = servicesCpu();
  let counts = await target.store.counts();
  const expectedInbound = inboundBefore + queued.filter((w) => w.kind === 'message').length;
  const stored = () => (counts.get('outbound:read') ?? 0) >= broadcast && (counts.get('inbound:received') ?? 0) >= expectedInbound;
  const { times, answeredAll } = await target.phase('status flood', async () => {
    const times = await deliverAsFastAsAnswered(target.webhookUrl, plan, connections);
    const answeredAll = performance.now();
    await waitFor('every status and message to be stored', async () => {
      counts = await target.store.counts();
      return stored();
    }, 60_000);
    return { times, answeredAll };
  });
  const storeTailMs = stored() ? Math.max(0, performance.now() - answeredAll - 50) : Number.NaN;
  const cpuAfter = target.cpuMs();
  const servicesAfter = servicesCpu();
  // Pushes trail the commit slightly; give the socket a moment before reading the lags.
  await new Promise((resolve) => setTimeout(resolve, 500));
  unsubscribe();

  const firstSent = new Map<string, number>();
  const replySent = new Map<string, number>();
  plan.forEach((w, i) => {
    const key = w.kind === 'status' ? `${w.wamid}:${w.status}` : w.wamid;
    const sent = w.kind === 'status' ? firstSent : replySent;
    const at = times.sentAt[i]!;
    if (!(sent.get(key)! <= at)) sent.set(key, at);
  });
  const replyLags = [...replySent].flatMap(([wamid, sentAt]) => (replySeen.has(wamid) ? [replySeen.get(wamid)! - sentAt] : []));
  const lags: number[] = [];
  for (const [key, sentAt] of firstSent) {
    const at = seen.get(key);
    if (at !== undefined) lags.push(at - sentAt);
  }
  const seconds = times.elapsedMs / 1000;
  const statusAcks = plan.filter((w, i) => w.kind === 'status' && times.statusCodes[i] === 200).length;
  return {
    broadcast,
    statusWebhooks: plan.filter((w) => w.kind === 'status' && !w.duplicate).length,
    duplicateWebhooks: plan.filter((w) => w.duplicate).length,
    inboundWebhooks: queued.filter((w) => w.kind === 'message').length,
    webhooksPerSecond: Math.round(acknowledged(times) / seconds),
    statusesPerSecond: Math.round(statusAcks / seconds),
    errors: plan.length - acknowledged(times),
    ack: summariseLatencies(ackLatencies(times)),
    statusLag: summariseLatencies(lags),
    replyLag: summariseLatencies(replyLags),
    storeTailMs: Math.round(storeTailMs),
    readStored: counts.get('outbound:read') ?? 0,
    inboundStored: (counts.get('inbound:received') ?? 0) - inboundBefore,
    cpuUsPerWebhook: cpuBefore === undefined || cpuAfter === undefined ? undefined : Math.round(((cpuAfter - cpuBefore) * 1000) / plan.length),
    servicesCpuPerWebhook: servicesCpuPer(servicesBefore, servicesAfter, plan.length),
  };
}
