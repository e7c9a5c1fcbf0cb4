import { Entity, Index, ManyToOne, Property, Unique, type Opt } from '@mikro-orm/core';
import { BaseEntity } from '../database/base.entity.js';
import { ChannelAccount } from '../channels/channel-account.entity.js';

/** A customer as known on one channel account (one identity per channel). */
@Entity({ tableName: 'contacts' })
@Unique({ properties: ['channelAccount', 'externalId'] })
@Index({ properties: ['tenantId', 'optedOutAt'] })
export class Contact extends BaseEntity {
  // No index of its own: (tenant, opted out at) serves it (ADR 0049).
  @Property({ type: 'string', length: 36 })
  tenantId!: string;

  // No index of its own: the unique (channel account, external id) serves it (ADR 0049).
  @ManyToOne({ entity: () => ChannelAccount, deleteRule: 'cascade', index: false })
  channelAccount!: ChannelAccount;

  /** The channel's id for the customer (WhatsApp: wa_id or business-scoped user id). */
  @Property({ type: 'string', length: 128 })
  externalId!: string;

  /** E.164 with leading +, when known. */
  @Property({ type: 'string', length: 20, nullable: true })
  @Index()
  phone: Opt<string> | null = null;

  @Property({ type: 'string', length: 200, nullable: true })
  name: Opt<string> | null = null;

  @Property({ type: 'json' })
  attributes: Opt<Record<string, string>> = {};

  @Property({ type: 'json' })
  tags: Opt<string[]> = [];

  @Property({ type: 'datetime', nullable: true })
  optedInAt: Opt<Date> | null = null;

  @Property({ type: 'datetime', nullable: true })
  optedOutAt: Opt<Date> | null = null;

  /** How the opt-out came: keyword | button | meta | agent | api (see OPT_OUT_SOURCES). */
  @Property({ type: 'string', length: 16, nullable: true })
  optedOutSource: Opt<string> | null = null;

  @Property({ type: 'string', length: 500, nullable: true })
  optedOutReason: Opt<string> | null = null;
}
