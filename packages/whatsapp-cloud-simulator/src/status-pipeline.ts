import { webhookError } from './graph-error.js';
import type { CustomerDirectory, OutboundMessageRecord, OutboundStatus } from './customer-directory.js';
import type { Scheduler } from './scheduler.js';
import type { SimulatorClock, StatusDelays } from './simulator-options.js';
import type { WebhookDispatcher } from './webhook-dispatcher.js';
import { statusPayload, unixSeconds, type BusinessIdentity, type StatusObject } from './webhook-payloads.js';

export interface StatusPipelineDeps {
  business: BusinessIdentity;
  clock: SimulatorClock;
  delays: StatusDelays;
  scheduler: Scheduler;
  dispatcher: WebhookDispatcher;
  directory: CustomerDirectory;
  shuffle: boolean;
  /** False: statuses move, and no webhook reports them. */
  postsStatuses: boolean;
  random: () => number;
  /** Called when a message reaches the customer's phone (delivered, or read at once). */
  onReachedCustomer: (record: OutboundMessageRecord) => void;
}

type Pricing = NonNullable<StatusObject['pricing']>;

/**
 * Moves accepted business messages through sent → delivered → read (or failed) and reports
 * each step as a status webhook, the way the customer's phone would.
 */
export class StatusPipeline {
  private readonly pricing = new Map<string, Pricing>();
  private readonly readRequested = new Set<string>();
  private readonly reached = new Set<string>();
  private readonly shuffled = new Map<string, StatusObject[]>();

  constructor(private readonly deps: StatusPipelineDeps) {}

  /**
   * Starts the life of an accepted message; `windowOpen` is decided at acceptance, like Meta.
   * `failure` makes it fail asynchronously (e.g. 131053 for an unknown media id).
   */
  start(record: OutboundMessageRecord, windowOpen: boolean, failure?: { code: number; details: string }): void {
    const { delays, scheduler } = this.deps;
    if (!windowOpen && !record.template) {
      scheduler.after(delays.sent, () => this.fail(record, 131047));
      return;
    }
    if (failure) {
      scheduler.after(delays.sent, () => this.fail(record, failure.code, failure.details));
      return;
    }
    this.pricing.set(record.id, this.pricingOf(record, windowOpen));
    scheduler.after(delays.sent, () => {
      this.emit(record, 'sent');
      if (record.type === 'reaction') return;
      if (this.readRequested.delete(record.id)) return this.emit(record, 'read');
      scheduler.after(delays.delivered, () => {
        if (record.status !== 'sent') return;
        this.emit(record, 'delivered');
        if (delays.read !== undefined) scheduler.after(delays.read, () => record.status === 'delivered' && this.emit(record, 'read'));
      });
    });
  }

  /** The customer opens the chat: every message that reached the phone becomes read. */
  readAll(waId: string): number {
    const customer = this.deps.directory.get(waId);
    let count = 0;
    for (const record of customer?.outbound ?? []) {
      if (record.type === 'reaction') continue;
      if (record.status === 'sent' || record.status === 'delivered') {
        this.emit(record, 'read');
        count++;
      } else if (record.status === 'accepted' && this.pricing.has(record.id)) {
        this.readRequested.add(record.id);
      }
    }
    return count;
  }

  private fail(record: OutboundMessageRecord, code: number, details?: string): void {
    const errors = [webhookError(code, details)];
    record.errors = errors;
    this.emit(record, 'failed', { errors });
  }

  private emit(record: OutboundMessageRecord, status: Exclude<OutboundStatus, 'accepted'>, extra: Partial<StatusObject> = {}): void {
    const now = this.deps.clock.now();
    record.status = status;
    record.statuses.push({ status, at: now });
    const bizOpaque = record.request.biz_opaque_callback_data;
    const object: StatusObject = {
      id: record.id,
      status,
      timestamp: unixSeconds(now),
      recipient_id: record.waId,
      ...(typeof bizOpaque === 'string' ? { biz_opaque_callback_data: bizOpaque } : {}),
      ...this.pricingFor(record.id, status),
      ...extra,
    };
    if ((status === 'delivered' || status === 'read') && !this.reached.has(record.id)) {
      this.reached.add(record.id);
      this.deps.onReachedCustomer(record);
    }
    // Nothing follows `read` or `failed`: the message need not be remembered as reached.
    if (status === 'read' || status === 'failed') this.reached.delete(record.id);
    if (!this.deps.postsStatuses) return;
    const terminal = status === 'failed' || status === 'read' || record.type === 'reaction' || (status === 'delivered' && this.deps.delays.read === undefined);
    if (!this.deps.shuffle) {
      this.deps.dispatcher.dispatch('status', statusPayload(this.deps.business, [object]), record.id);
      return;
    }
    const buffered = [...(this.shuffled.get(record.id) ?? []), object];
    if (!terminal) {
      this.shuffled.set(record.id, buffered);
      return;
    }
    this.shuffled.delete(record.id);
    for (const shuffledObject of this.shuffleOrder(buffered))
      this.deps.dispatcher.dispatch('status', statusPayload(this.deps.business, [shuffledObject]), record.id);
  }

  /** Pricing rides on `sent` and on one of `delivered`/`read`, never on both. */
  private pricingFor(id: string, status: OutboundStatus): Partial<StatusObject> {
    const pricing = this.pricing.get(id);
    if (!pricing || status === 'failed') return {};
    if (status === 'sent') return { pricing };
    this.pricing.delete(id);
    return { pricing };
  }

  private pricingOf(record: OutboundMessageRecord, windowOpen: boolean): Pricing {
    if (!record.template) return { billable: false, pricing_model: 'PMP', type: 'free_customer_service', category: 'service' };
    const category = record.template.category.toLowerCase();
    if (category === 'utility' && windowOpen) return { billable: false, pricing_model: 'PMP', type: 'free_customer_service', category };
    return { billable: true, pricing_model: 'PMP', type: 'regular', category };
  }

  /** A random order that is never the original one, so tests always see disorder. */
  private shuffleOrder<T>(items: T[]): T[] {
    if (items.length < 2) return items;
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.deps.random() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.every((item, index) => item === items[index]) ? copy.reverse() : copy;
  }
}
