import { Entity, Enum, Index, ManyToOne, Property, type Opt } from '@mikro-orm/core';
import { BaseEntity } from '../database/base.entity.js';
import { ChannelAccount } from '../channels/channel-account.entity.js';

export type BroadcastStatus = 'draft' | 'scheduled' | 'running' | 'paused' | 'cancelled' | 'completed';

/** A template sent to many contacts, paced per sending number. */
@Entity({ tableName: 'broadcasts' })
export class Broadcast extends BaseEntity {
  @Property({ type: 'string', length: 36 })
  @Index()
  tenantId!: string;

  @ManyToOne({ entity: () => ChannelAccount, deleteRule: 'cascade' })
  channelAccount!: ChannelAccount;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Property({ type: 'string', length: 512 })
  templateName!: string;

  @Property({ type: 'string', length: 15 })
  templateLanguage!: string;

  /** Which contact field or constant fills each template variable. */
  @Property({ type: 'json' })
  variableMapping: Opt<Record<string, unknown>> = {};

  /** How the audience was chosen (tags, a CSV import id, explicit contact ids). */
  @Property({ type: 'json' })
  audience: Opt<Record<string, unknown>> = {};

  @Enum({ items: ['draft', 'scheduled', 'running', 'paused', 'cancelled', 'completed'], type: 'string' })
  status: Opt<BroadcastStatus> = 'draft';

  @Property({ type: 'datetime', nullable: true })
  scheduledAt: Opt<Date> | null = null;

  /** Messages per second this broadcast may use of the number's throughput. */
  @Property({ type: 'integer' })
  messagesPerSecond: Opt<number> = 20;

  @Property({ type: 'json' })
  counters: { total: number; queued: number; sent: number; delivered: number; read: number; failed: number } = {
    total: 0,
    queued: 0,
    sent: 0,
    delivered: 0,
    read: 0,
    failed: 0,
  };
}
