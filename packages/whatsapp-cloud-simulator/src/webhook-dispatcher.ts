import { createHmac } from 'node:crypto';
import { Agent, request } from 'undici';
import Queue from 'yocto-queue';
import type { Scheduler } from './scheduler.js';
import type { WebhookRetry } from './simulator-options.js';
import { serialiseLikeMeta } from './webhook-payloads.js';

/** What a webhook carries, for filtering the delivery log. */
export type WebhookKind = 'message' | 'status' | 'template' | 'account';

/** One POST attempt to the webhook URL. */
export interface DeliveryAttempt {
  at: Date;
  url: string;
  /** HTTP status of the receiver's answer; undefined when the request itself failed. */
  statusCode?: number;
  error?: string;
  durationMs: number;
}

/** A webhook and its delivery history. */
export interface WebhookDelivery {
  id: number;
  kind: WebhookKind;
  payload: unknown;
  /** The exact bytes sent and signed. */
  body: Buffer;
  signature: string;
  /** `pending` until a 200; `failed` once every attempt failed; `waiting-for-url` until a URL is set. */
  state: 'waiting-for-url' | 'pending' | 'delivered' | 'failed';
  attempts: DeliveryAttempt[];
  /** True for the extra copy sent by `duplicateWebhooks`. */
  duplicate: boolean;
}

export interface WebhookDispatcherOptions {
  appSecret: string;
  retry: WebhookRetry;
  /** POSTs in flight at once; the rest wait for a free slot, in the order they were ready. */
  concurrency: number;
  scheduler: Scheduler;
  now: () => Date;
  /** Probability of sending a delivered webhook once more. */
  duplicateProbability: number;
  random: () => number;
  logLimit: number;
}

/**
 * Signs and POSTs webhooks. Deliveries with the same ordering key go one after another
 * (retries included); others go concurrently, as Meta delivers them, up to `concurrency`
 * POSTs in flight (a delivery waiting for its retry holds no slot).
 */
export class WebhookDispatcher {
  private url: string | undefined;
  private nextId = 1;
  private readonly log: WebhookDelivery[] = [];
  private readonly waiting: Array<() => void> = [];
  private readonly chains = new Map<string, Promise<void>>();
  private readonly controllers = new Set<AbortController>();
  private inFlight = 0;
  /**
   * POSTs waiting for a slot. A broadcast's backlog is hundreds of thousands: `shift()` on an
   * array that long moves every element each time.
   */
  private readonly slotQueue = new Queue<() => void>();
  /** Deliveries still pending, and finished ones still in the log: a backlog of any size costs no scan. */
  private pending = 0;
  private finishedInLog = 0;
  /** One keep-alive socket per slot; undici's `request` costs the simulator far less CPU than `fetch`. */
  private readonly pool: Agent;

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.pool = new Agent({ connections: options.concurrency, keepAliveTimeout: 30_000 });
  }

  get deliveries(): readonly WebhookDelivery[] {
    return this.log;
  }

  get webhookUrl(): string | undefined {
    return this.url;
  }

  setUrl(url: string | undefined): void {
    this.url = url;
    if (url) for (const release of this.waiting.splice(0)) release();
  }

  /** Queues a webhook; the returned delivery is updated in place as attempts are made. */
  dispatch(kind: WebhookKind, payload: unknown, orderingKey?: string, duplicate = false): WebhookDelivery {
    const body = serialiseLikeMeta(payload);
    const delivery: WebhookDelivery = {
      id: this.nextId++,
      kind,
      payload,
      body,
      signature: `sha256=${createHmac('sha256', this.options.appSecret).update(body).digest('hex')}`,
      state: this.url ? 'pending' : 'waiting-for-url',
      attempts: [],
      duplicate,
    };
    if (delivery.state === 'pending') this.pending++;
    this.remember(delivery);
    const previous = (orderingKey && this.chains.get(orderingKey)) || Promise.resolve();
    const run = previous.then(() => this.deliver(delivery));
    if (orderingKey) {
      this.chains.set(orderingKey, run);
      void run.then(() => {
        if (this.chains.get(orderingKey) === run) this.chains.delete(orderingKey);
      });
    }
    return delivery;
  }

  /** Resolves once no delivery is pending (deliveries waiting for a URL do not count). */
  async whenIdle(): Promise<void> {
    while (!this.options.scheduler.isClosed && this.pending > 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  close(): void {
    for (const controller of this.controllers) controller.abort();
    for (const release of this.waiting.splice(0)) release();
    void this.pool.close().catch(() => undefined);
  }

  private async deliver(delivery: WebhookDelivery): Promise<void> {
    if (!this.url) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
      if (this.options.scheduler.isClosed) return;
      delivery.state = 'pending';
      this.pending++;
    }
    for (let attempt = 1; attempt <= this.options.retry.maxAttempts; attempt++) {
      if (this.options.scheduler.isClosed) return;
      if (await this.attempt(delivery)) {
        this.finish(delivery, 'delivered');
        if (!delivery.duplicate && this.options.duplicateProbability > 0 && this.options.random() < this.options.duplicateProbability)
          this.dispatch(delivery.kind, delivery.payload, undefined, true);
        return;
      }
      if (attempt < this.options.retry.maxAttempts) await this.sleep(this.backoff(attempt));
    }
    this.finish(delivery, 'failed');
  }

  private finish(delivery: WebhookDelivery, state: 'delivered' | 'failed'): void {
    delivery.state = state;
    this.pending--;
    this.finishedInLog++;
    this.trim();
  }

  /** First retry is immediate, then `base * 2^(n-1)`, capped: "decreasing frequency". */
  private backoff(failedAttempts: number): number {
    if (failedAttempts === 1) return 0;
    return Math.min(this.options.retry.maxDelayMs, this.options.retry.baseDelayMs * 2 ** (failedAttempts - 2));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (ms === 0) return resolve();
      this.options.scheduler.after(ms, resolve);
      if (this.options.scheduler.isClosed) resolve();
    });
  }

  private async attempt(delivery: WebhookDelivery): Promise<boolean> {
    // A finished POST hands its slot straight to the next waiter, so no newcomer slips in between.
    if (this.inFlight < this.options.concurrency) this.inFlight++;
    else await new Promise<void>((resolve) => this.slotQueue.enqueue(resolve));
    try {
      return this.options.scheduler.isClosed ? false : await this.post(delivery);
    } finally {
      const next = this.slotQueue.dequeue();
      if (next) next();
      else this.inFlight--;
    }
  }

  private async post(delivery: WebhookDelivery): Promise<boolean> {
    const url = this.url!;
    const started = Date.now();
    const record: DeliveryAttempt = { at: this.options.now(), url, durationMs: 0 };
    delivery.attempts.push(record);
    const controller = new AbortController();
    this.controllers.add(controller);
    const timeout = setTimeout(() => controller.abort(), 10_000);
    try {
      const response = await request(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': delivery.signature,
          'user-agent': 'facebookexternalua',
        },
        body: delivery.body,
        signal: controller.signal,
        dispatcher: this.pool,
      });
      record.statusCode = response.statusCode;
      await response.body.dump().catch(() => undefined);
      return response.statusCode === 200;
    } catch (error) {
      record.error = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      return false;
    } finally {
      clearTimeout(timeout);
      this.controllers.delete(controller);
      record.durationMs = Date.now() - started;
    }
  }

  private remember(delivery: WebhookDelivery): void {
    this.log.push(delivery);
    this.trim();
  }

  /**
   * Keeps about `logLimit` deliveries, dropping the oldest finished ones (pending ones stay).
   * Trimmed in place (callers may hold the array), in one pass once enough can go: a tenth of the
   * limit over it, and finished ones a quarter of the log, so a pass costs O(1) per delivery
   * however long the pending backlog (a broadcast's statuses are 300,000 at once).
   */
  private trim(): void {
    const { logLimit } = this.options;
    const slack = Math.max(1, Math.floor(logLimit / 10));
    let drop = this.log.length - logLimit;
    if (drop < slack || this.finishedInLog < Math.max(slack, this.log.length >> 2)) return;
    let kept = 0;
    for (const entry of this.log) {
      if (drop > 0 && (entry.state === 'delivered' || entry.state === 'failed')) {
        drop--;
        this.finishedInLog--;
        continue;
      }
      this.log[kept++] = entry;
    }
    this.log.length = kept;
  }
}
