import { Entity, Enum, Index, PrimaryKey, Property, type Opt } from '@mikro-orm/core';
import type { ChannelEvent } from '@obrol/contracts';
import { newId } from '../database/base.entity.js';

/**
 * Where a kept delivery stands: `pending` waits for a retry, `applied` is done, `unmatched`
 * holds statuses whose message never arrived, `set_aside` failed too often. The last two stay
 * 30 days for an operator to read (`lastError` says why).
 */
export type InboundWebhookState = 'pending' | 'applied' | 'unmatched' | 'set_aside';

/**
 * A verified webhook delivery (or the part of one) that could not be applied at once, kept
 * with the events the plugin parsed and retried in the background with backoff.
 */
@Entity({ tableName: 'inbound_webhooks' })
@Index({ properties: ['processedAt', 'id'] })
@Index({ properties: ['state', 'receivedAt'] })
export class InboundWebhook {
  @PrimaryKey({ type: 'string', length: 36 })
  id: Opt<string> = newId();

  @Property({ type: 'string', length: 36 })
  channelAccountId!: string;

  /** The plugin's normalised events; timestamps as ISO strings. */
  @Property({ type: 'json' })
  events!: ChannelEvent[];

  @Enum({ items: ['pending', 'applied', 'unmatched', 'set_aside'], type: 'string', length: 16 })
  state: Opt<InboundWebhookState> = 'pending';

  @Property({ type: 'datetime' })
  receivedAt: Opt<Date> = new Date();

  /** When it left `pending`. */
  @Property({ type: 'datetime', nullable: true })
  processedAt: Opt<Date> | null = null;

  @Property({ type: 'integer' })
  attempts: Opt<number> = 0;

  @Property({ type: 'datetime', nullable: true })
  nextAttemptAt: Opt<Date> | null = null;

  @Property({ type: 'text', nullable: true })
  lastError: Opt<string> | null = null;
}
