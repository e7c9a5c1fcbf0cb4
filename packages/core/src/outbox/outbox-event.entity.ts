import { Entity, Index, PrimaryKey, Property, type Opt } from '@mikro-orm/core';
import { newId } from '../database/base.entity.js';

/** An event written in the same transaction as the state change; the relay publishes it. */
@Entity({ tableName: 'outbox_events' })
@Index({ properties: ['publishedAt', 'id'] })
export class OutboxEvent {
  /** Also the event's `eventId` and the bus's dedupe key. */
  @PrimaryKey({ type: 'string', length: 36 })
  id: Opt<string> = newId();

  /** The durable subject; null for a live-only push. */
  @Property({ type: 'string', length: 255, nullable: true })
  subject: Opt<string> | null = null;

  @Property({ type: 'json' })
  payload!: Record<string, unknown>;

  /** Live fan-out to send after the durable publish (losable). */
  @Property({ type: 'json', nullable: true })
  live: { subject: string; data: unknown } | null = null;

  @Property({ type: 'datetime' })
  createdAt: Opt<Date> = new Date();

  @Property({ type: 'datetime', nullable: true })
  publishedAt: Opt<Date> | null = null;

  @Property({ type: 'integer' })
  attempts: Opt<number> = 0;
}
