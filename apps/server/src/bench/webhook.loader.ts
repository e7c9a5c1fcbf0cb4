import http from 'node:http';
import autocannon from 'autocannon';

/** A signed webhook, as the simulator queued it: the exact bytes and their `X-Hub-Signature-256`. */
export interface SignedWebhook {
  body: Buffer;
  signature: string;
}

/** When each webhook went out and when (and how) it was answered, by its index in the list. */
export interface DeliveryTimes {
  /** `performance.now()` when the request was written. */
  sentAt: Float64Array;
  /** `performance.now()` when the answer was complete; NaN when there was none. */
  answeredAt: Float64Array;
  statusCodes: Uint16Array;
  /** From the first request to the last answer. */
  elapsedMs: number;
}

export function acknowledged(times: DeliveryTimes): number {
  return times.statusCodes.filter((code) => code === 200).length;
}

export function ackLatencies(times: DeliveryTimes): number[] {
  const latencies: number[] = [];
  for (let i = 0; i < times.sentAt.length; i++) if (times.statusCodes[i] === 200) latencies.push(times.answeredAt[i]! - times.sentAt[i]!);
  return latencies;
}

function emptyTimes(count: number): DeliveryTimes {
  return { sentAt: new Float64Array(count).fill(Number.NaN), answeredAt: new Float64Array(count).fill(Number.NaN), statusCodes: new Uint16Array(count), elapsedMs: 0 };
}

/**
 * Posts every webhook once, as fast as the receiver answers, over `connections` keep-alive
 * connections (Meta delivers concurrently). Closed loop: a connection sends its next webhook
 * when the previous one is answered.
 */
export async function deliverAsFastAsAnswered(url: string, webhooks: readonly SignedWebhook[], connections: number): Promise<DeliveryTimes> {
  const times = emptyTimes(webhooks.length);
  let next = 0;
  const started = performance.now();
  await autocannon({
    url,
    method: 'POST',
    connections: Math.min(connections, webhooks.length),
    amount: webhooks.length,
    timeout: 30,
    requests: [
      {
        setupRequest: (request, context: { index?: number }) => {
          const index = next++;
          const webhook = webhooks[index]!;
          context.index = index;
          times.sentAt[index] = performance.now();
          return { ...request, body: webhook.body, headers: { ...request.headers, 'content-type': 'application/json', 'x-hub-signature-256': webhook.signature } };
        },
        onResponse: (status, _body, context: { index?: number }) => {
          const index = context.index!;
          times.answeredAt[index] = performance.now();
          times.statusCodes[index] = status;
        },
      },
    ],
  });
  // From the first request to the last answer, not to autocannon's end: it reports done on its
  // one-second tick, which rounded a 5.4 s flood up to 6 s.
  times.elapsedMs = lastAnswer(times) - started;
  return times;
}

function lastAnswer(times: DeliveryTimes): number {
  let last = 0;
  for (const at of times.answeredAt) if (at > last) last = at;
  return last;
}

/**
 * Posts the webhooks at a fixed rate whatever the receiver does (open loop, so a slow answer
 * cannot hide the queue behind it), spread evenly over time, on keep-alive connections.
 */
export async function deliverAtFixedRate(url: string, webhooks: readonly SignedWebhook[], perSecond: number): Promise<DeliveryTimes> {
  const times = emptyTimes(webhooks.length);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const target = new URL(url);
  let sent = 0;
  let settled = 0;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const send = (index: number) => {
      const webhook = webhooks[index]!;
      times.sentAt[index] = performance.now();
      const request = http.request(
        { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': webhook.body.length, 'x-hub-signature-256': webhook.signature } },
        (response) => {
          response.resume();
          response.once('end', () => {
            times.answeredAt[index] = performance.now();
            times.statusCodes[index] = response.statusCode ?? 0;
            if (++settled === webhooks.length) resolve();
          });
        },
      );
      request.once('error', () => {
        if (++settled === webhooks.length) resolve();
      });
      request.end(webhook.body);
    };
    const tick = setInterval(() => {
      const due = Math.min(webhooks.length, Math.floor(((performance.now() - started) / 1000) * perSecond));
      while (sent < due) send(sent++);
      if (sent === webhooks.length) clearInterval(tick);
    }, 2);
  });
  times.elapsedMs = performance.now() - started;
  agent.destroy();
  return times;
}
