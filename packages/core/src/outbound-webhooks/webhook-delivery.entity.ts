import { Entity, Enum, Index, Property, Unique, type Opt } from '@mikro-orm/core';
import type { WebhookDeliveryStatus, WebhookPayload } from '@obrol/contracts';
import { BaseEntity } from '../database/base.entity.js';

/**
 * One event for one endpoint: recorded once per (endpoint, event), tried until the receiver
 * answers 2xx or the retry window closes. `nextAttemptAt` is also the claim: a sender moves it
 * past the attempt before sending, so two senders never send one row at once, and a crashed
 * sender's row comes due again.
 */
@Entity({ tableName: 'webhook_deliveries' })
@Unique({ properties: ['endpointId', 'eventId'] })
@Index({ properties: ['status', 'nextAttemptAt'] })
@Index({ properties: ['endpointId', 'id'] })
export class WebhookDelivery extends BaseEntity {
  @Property({ type: 'string', length: 36 })
  tenantId!: string;

  @Property({ type: 'string', length: 36 })
  endpointId!: string;

  @Property({ type: 'string', length: 36 })
  eventId!: string;

  @Property({ type: 'string', length: 100 })
  eventType!: string;

  @Property({ type: 'json' })
  payload!: WebhookPayload;

  @Enum({ items: ['pending', 'succeeded', 'failed'], type: 'string', length: 16 })
  status: Opt<WebhookDeliveryStatus> = 'pending';

  @Property({ type: 'integer' })
  attempts: Opt<number> = 0;

  @Property({ type: 'datetime', nullable: true })
  nextAttemptAt: Opt<Date> | null = null;

  @Property({ type: 'datetime', nullable: true })
  lastAttemptAt: Opt<Date> | null = null;

  @Property({ type: 'integer', nullable: true })
  lastResponseStatus: Opt<number> | null = null;

  /** The start of the receiver's answer (`RESPONSE_BODY_LIMIT` characters). */
  @Property({ type: 'text', nullable: true })
  lastResponseBody: Opt<string> | null = null;

  @Property({ type: 'text', nullable: true })
  lastError: Opt<string> | null = null;
}
