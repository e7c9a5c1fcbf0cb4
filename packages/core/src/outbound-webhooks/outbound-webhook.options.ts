import { DEFAULT_RETRY_SCHEDULE, type RetrySchedule } from './delivery-backoff.policy.js';

/** How outbound webhooks are delivered (`CoreOptions.outboundWebhooks`). */
export interface OutboundWebhookOptions {
  /** Let endpoints point at loopback and private networks (default false: SSRF protection). */
  allowPrivateAddresses: boolean;
  /** How long one delivery waits for the receiver's answer (default 10 s). */
  requestTimeoutMs: number;
  /** Deliveries in flight at once per process (default 8). */
  concurrency: number;
  /** How often a worker looks for due deliveries (default 5 s); new ones are also sent at once. */
  pollIntervalMs: number;
  retry: RetrySchedule;
}

export type OutboundWebhookSettings = Partial<Omit<OutboundWebhookOptions, 'retry'>> & { retry?: Partial<RetrySchedule> };

export function outboundWebhookOptions(given: OutboundWebhookSettings = {}): OutboundWebhookOptions {
  return {
    allowPrivateAddresses: given.allowPrivateAddresses ?? false,
    requestTimeoutMs: given.requestTimeoutMs ?? 10_000,
    concurrency: given.concurrency ?? 8,
    pollIntervalMs: given.pollIntervalMs ?? 5_000,
    retry: { ...DEFAULT_RETRY_SCHEDULE, ...given.retry },
  };
}
