import { summariseLatencies, type LatencySummary } from './latency-stats.js';
import type { ObrolTarget } from './obrol-target.fixture.js';
import { settledCounts } from './stored-messages.probe.js';
import { describeWebhook, type FloodWebhook } from './status-flood.plan.js';
import { ackLatencies, acknowledged, deliverAtFixedRate } from './webhook.loader.js';

export interface LiveLatencyFigures {
  perSecond: number;
  sent: number;
  errors: number;
  ack: LatencySummary;
  /** From the webhook to the new message on the agent's WebSocket. */
  toSocket: LatencySummary;
  stored: number;
}

/**
 * Customers' messages at a fixed rate (open loop): acknowledgement latency, and the time from
 * each webhook until the agent's WebSocket shows the message.
 */
export async function runLiveLatency(target: ObrolTarget, perSecond: number, seconds: number): Promise<LiveLatencyFigures> {
  const firstDelivery = (target.sim.deliveries.at(-1)?.id ?? 0) + 1;
  const count = Math.round(perSecond * seconds);
  for (let i = 0; i < count; i++) target.sim.customers.send(`+62814${String(i % 2000).padStart(7, '0')}`, `Halo, pesan nomor ${i}`);
  const webhooks = target.sim.deliveries
    .filter((d) => d.id >= firstDelivery)
    .map((d) => describeWebhook(d.payload, { body: d.body, signature: d.signature }))
    .filter((w): w is FloodWebhook => w?.kind === 'message');
  const storedBefore = (await settledCounts(target.store)).get('inbound:received') ?? 0;

  const seen = new Map<string, number>();
  const unsubscribe = target.onLive((frame, at) => {
    const message = frame.data?.message;
    if (frame.type === 'message.created' && message?.externalId) seen.set(message.externalId, at);
  });
  const times = await deliverAtFixedRate(target.webhookUrl, webhooks, perSecond);
  const deadline = Date.now() + 30_000;
  while (seen.size < acknowledged(times) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  unsubscribe();

  const toSocket: number[] = [];
  webhooks.forEach((w, i) => {
    const at = seen.get(w.wamid);
    if (at !== undefined) toSocket.push(at - times.sentAt[i]!);
  });
  return {
    perSecond,
    sent: webhooks.length,
    errors: webhooks.length - acknowledged(times),
    ack: summariseLatencies(ackLatencies(times)),
    toSocket: summariseLatencies(toSocket),
    stored: ((await settledCounts(target.store)).get('inbound:received') ?? 0) - storedBefore,
  };
}
