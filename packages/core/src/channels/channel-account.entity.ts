import { Entity, Index, Property, type Opt } from '@mikro-orm/core';
import { BaseEntity } from '../database/base.entity.js';
import type { ChannelRestrictionRecord } from './channel-restriction.js';

export interface AccountCheckRecord {
  checkedAt: string;
  displayName?: string;
  displayPhoneNumber?: string;
  details?: Record<string, unknown>;
}

/** An inbox: one account of a channel plugin (e.g. one WhatsApp business number). */
@Entity({ tableName: 'channel_accounts' })
export class ChannelAccount extends BaseEntity {
  @Property({ type: 'string', length: 36 })
  @Index()
  tenantId!: string;

  @Property({ type: 'string', length: 64 })
  pluginId!: string;

  @Property({ type: 'string', length: 200 })
  name!: string;

  /** The plugin config with secret fields replaced by `{ $enc: … }` (AES-256-GCM). */
  @Property({ type: 'json' })
  config!: Record<string, unknown>;

  /** The provider's id for the account, when the plugin reports one (e.g. phone_number_id). */
  @Property({ type: 'string', length: 128, nullable: true })
  @Index()
  externalId: Opt<string> | null = null;

  @Property({ type: 'boolean' })
  active: Opt<boolean> = true;

  /** New and reopened conversations go round-robin to the inbox's online agents. */
  @Property({ type: 'boolean' })
  autoAssign: Opt<boolean> = false;

  /** Auto-assignment passes over an agent with this many unresolved conversations. */
  @Property({ type: 'integer' })
  autoAssignLimit: Opt<number> = 10;

  /** When the provider last delivered a webhook for the account (written at most once a minute). */
  @Property({ type: 'datetime', nullable: true })
  lastWebhookAt: Opt<Date> | null = null;

  /** The facts of the last credential check (display name, number, quality, limits), for the admin's health view. */
  @Property({ type: 'json', nullable: true })
  lastCheck: Opt<AccountCheckRecord> | null = null;

  /** What the provider last said the account may not send (`account_update`); null before it said anything. */
  @Property({ type: 'json', nullable: true })
  restriction: Opt<ChannelRestrictionRecord> | null = null;
}
