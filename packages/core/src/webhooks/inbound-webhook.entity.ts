import { Entity, Index, PrimaryKey, Property, type Opt } from '@mikro-orm/core';
import type { ChannelEvent } from '@obrol/contracts';
import { newId } from '../database/base.entity.js';

/**
 * A verified webhook delivery, stored before the provider gets its 200 and processed right
 * after (persist first). Rows stay until processed; a row that keeps failing is retried with
 * backoff and finally set aside with its error.
 */
@Entity({ tableName: 'inbound_webhooks' })
@Index({ properties: ['processedAt', 'id'] })
export class InboundWebhook {
  @PrimaryKey({ type: 'string', length: 36 })
  id: Opt<string> = newId();

  @Property({ type: 'string', length: 36 })
  channelAccountId!: string;

  /** The plugin's normalised events; timestamps as ISO strings. */
  @Property({ type: 'json' })
  events!: ChannelEvent[];

  @Property({ type: 'datetime' })
  receivedAt: Opt<Date> = new Date();

  @Property({ type: 'datetime', nullable: true })
  processedAt: Opt<Date> | null = null;

  @Property({ type: 'integer' })
  attempts: Opt<number> = 0;

  @Property({ type: 'datetime', nullable: true })
  nextAttemptAt: Opt<Date> | null = null;

  @Property({ type: 'text', nullable: true })
  lastError: Opt<string> | null = null;
}
