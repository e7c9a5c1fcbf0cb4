import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import type { Clock } from '@obrol/contracts';
import { SecretBox } from '../channels/secret-box.js';
import { CLOCK } from '../clock/clock.token.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { Every } from '../work/declared-work.js';
import { nextAttemptAt } from './delivery-backoff.policy.js';
import { postDelivery } from './delivery-request.js';
import { type OutboundWebhookOptions, outboundWebhookOptions } from './outbound-webhook.options.js';
import { WebhookDelivery } from './webhook-delivery.entity.js';
import { WebhookEndpoint } from './webhook-endpoint.entity.js';
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signatureHeader } from './webhook-signature.js';

const HOUR = 60 * 60 * 1000;
export const DELIVERY_RETENTION_MS = 30 * 24 * HOUR;

/** What a claim expects a delivery to be, so that only one sender wins it. */
interface Seen {
  status: WebhookDelivery['status'];
  nextAttemptAt: Date | null;
}

/**
 * Sends due deliveries: a worker job looks for them every `pollIntervalMs`, and the fact
 * consumer wakes it when it records new ones. Each delivery is claimed (its `nextAttemptAt`
 * moved past the attempt) before it is sent, so several workers share the work and a row a
 * crashed worker held comes due again.
 */
@Injectable()
export class WebhookDeliverySender implements BeforeApplicationShutdown {
  private readonly logger = new Logger('OutboundWebhooks');
  readonly settings: OutboundWebhookOptions;
  private readonly box: SecretBox;
  private run: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly orm: MikroORM,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CORE_OPTIONS) options: CoreOptions,
  ) {
    this.settings = outboundWebhookOptions(options.outboundWebhooks);
    this.box = new SecretBox(options.secretKey);
  }

  /** Sends everything due now; a call while a run is going makes that run look once more. */
  @Every<WebhookDeliverySender>({ name: 'sending outbound webhooks', intervalMs: (sender) => sender.settings.pollIntervalMs })
  sendDue(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.run) {
      this.again = true;
      return this.run;
    }
    this.run = (async () => {
      try {
        do {
          this.again = false;
          while (!this.stopped && (await this.sendBatch()) > 0);
        } while (this.again && !this.stopped);
      } finally {
        this.run = null;
      }
    })();
    return this.run;
  }

  /** Finished deliveries stay `DELIVERY_RETENTION_MS` (30 days) for admins to read and replay, then go. */
  @Every({ name: 'pruning old outbound webhook deliveries', intervalMs: HOUR })
  async prune(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - DELIVERY_RETENTION_MS);
    return this.orm.em.fork().nativeDelete(WebhookDelivery, { status: { $in: ['succeeded', 'failed'] }, updatedAt: { $lt: before } });
  }

  /** Wakes the sender without waiting for it (new deliveries were recorded). */
  wake(): void {
    this.sendDue().catch((e: Error) => this.logger.warn(`sending outbound webhooks failed: ${e.message}`));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.run?.catch(() => undefined);
  }

  /** One batch of due deliveries, `concurrency` at a time; returns how many were claimed. */
  private async sendBatch(): Promise<number> {
    const due = await this.orm.em
      .fork()
      .find(WebhookDelivery, { status: 'pending', nextAttemptAt: { $lte: this.clock.now() } }, { orderBy: { nextAttemptAt: 'asc' }, limit: this.settings.concurrency * 4, fields: ['id', 'status', 'nextAttemptAt'] });
    let next = 0;
    let claimed = 0;
    const lane = async () => {
      while (next < due.length && !this.stopped) {
        const row = due[next++]!;
        if (await this.attempt(row.id, row, { retry: true })) claimed++;
      }
    };
    await Promise.all(Array.from({ length: this.settings.concurrency }, lane));
    return claimed;
  }

  /**
   * Claims a delivery in the state `seen`, sends it once and records the outcome. A failure is
   * retried on the backoff schedule while `retry` holds and the retry window is open, otherwise
   * it is final. Returns the updated delivery, or null when another sender had claimed it.
   */
  async attempt(id: string, seen: Seen, options: { retry: boolean }): Promise<WebhookDelivery | null> {
    const em = this.orm.em.fork();
    const now = this.clock.now();
    const lease = new Date(now.getTime() + this.settings.requestTimeoutMs + 60_000);
    const won = await em.nativeUpdate(WebhookDelivery, { id, status: seen.status, nextAttemptAt: seen.nextAttemptAt }, { status: 'pending', nextAttemptAt: lease });
    if (won !== 1) return null;
    const delivery = await em.findOneOrFail(WebhookDelivery, { id });
    const endpoint = await em.findOne(WebhookEndpoint, { id: delivery.endpointId });
    if (!endpoint?.enabled) {
      Object.assign(delivery, { status: 'failed', nextAttemptAt: null, lastError: endpoint ? 'the endpoint is disabled' : 'the endpoint was deleted' });
      await em.flush();
      return delivery;
    }
    const body = JSON.stringify(delivery.payload);
    const response = await postDelivery({
      url: endpoint.url,
      body,
      timeoutMs: this.settings.requestTimeoutMs,
      allowPrivate: this.settings.allowPrivateAddresses,
      headers: {
        [SIGNATURE_HEADER]: signatureHeader(this.box.open(endpoint.secret) as string, body, now),
        [EVENT_ID_HEADER]: delivery.eventId,
        [EVENT_TYPE_HEADER]: delivery.eventType,
      },
    });
    delivery.attempts += 1;
    delivery.lastAttemptAt = now;
    delivery.lastResponseStatus = response.status;
    delivery.lastResponseBody = response.body;
    delivery.lastError = response.ok ? null : response.error;
    if (response.ok) {
      delivery.status = 'succeeded';
      delivery.nextAttemptAt = null;
    } else {
      const retryAt = options.retry ? nextAttemptAt(delivery.createdAt, delivery.attempts, this.clock.now(), this.settings.retry) : null;
      delivery.status = retryAt ? 'pending' : 'failed';
      delivery.nextAttemptAt = retryAt;
      // Ids and status only: URLs and payloads may carry secrets or personal data.
      this.logger.warn(`delivery ${delivery.id} (${delivery.eventType}) to endpoint ${endpoint.id} failed, attempt ${delivery.attempts}: ${response.status ?? 'no answer'}${retryAt ? '' : ', giving up'}`);
    }
    await em.flush();
    return delivery;
  }
}
