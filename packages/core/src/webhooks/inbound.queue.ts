import { Injectable, Logger } from '@nestjs/common';
import { ObrolError } from '@obrol/contracts';
import { type Delivery, InboundService } from './inbound.service.js';

interface Pending extends Delivery {
  resolve(): void;
  reject(error: unknown): void;
}

/** At most this many deliveries go into one transaction. */
const MAX_BATCH = 256;

/**
 * The webhook's path to storage. Deliveries that arrive in the same turn of the event loop
 * (or while a batch is being written) are applied together in one transaction (group commit).
 * A delivery that cannot be applied now (a status racing our own send, a conflict with another
 * process, a bug) is stored as it came and retried in the background, so the provider still
 * gets its 200 and nothing is lost. Only when even that write fails (the database is down) does
 * the provider get a 5xx, and it retries.
 */
@Injectable()
export class InboundQueue {
  private readonly logger = new Logger('InboundQueue');
  private readonly pending: Pending[] = [];
  private writing = false;

  constructor(private readonly inbound: InboundService) {}

  /** Resolves once the delivery is applied, or durably stored for a retry. */
  enqueue(delivery: Delivery): Promise<void> {
    if (delivery.events.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ ...delivery, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        setImmediate(() => void this.write());
      }
    });
  }

  private async write(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MAX_BATCH);
        try {
          await this.inbound.applyNow(batch);
          batch.forEach((d) => d.resolve());
        } catch {
          // Find the deliveries that fail; the others still go through.
          for (const delivery of batch) await this.applyAlone(delivery);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private async applyAlone(delivery: Pending): Promise<void> {
    try {
      await this.inbound.applyNow([delivery]);
      delivery.resolve();
      return;
    } catch (error) {
      try {
        await this.inbound.storeForRetry(delivery.resolved.account.id, delivery.events, error);
        if (!(error instanceof ObrolError && error.code === 'NOT_READY')) this.logger.warn(`webhook delivery kept for a retry: ${(error as Error).message}`);
        delivery.resolve();
      } catch (storeError) {
        delivery.reject(storeError);
      }
    }
  }
}
