import { Entity, Enum, Index, ManyToOne, Property, Unique, type Opt } from '@mikro-orm/core';
import type { TemplateCategory, TemplateComponents } from '@obrol/contracts';
import { BaseEntity } from '../database/base.entity.js';
import { ChannelAccount } from '../channels/channel-account.entity.js';

/** An approved-message template (WhatsApp HSM) of a channel account, one row per language. */
@Entity({ tableName: 'templates' })
@Unique({ properties: ['channelAccount', 'name', 'language'] })
export class Template extends BaseEntity {
  @Property({ type: 'string', length: 36 })
  @Index()
  tenantId!: string;

  // No index of its own: the unique (channel account, name, language) serves it (ADR 0049).
  @ManyToOne({ entity: () => ChannelAccount, deleteRule: 'cascade', index: false })
  channelAccount!: ChannelAccount;

  @Property({ type: 'string', length: 128, nullable: true })
  externalId: Opt<string> | null = null;

  @Property({ type: 'string', length: 512 })
  name!: string;

  @Property({ type: 'string', length: 15 })
  language!: string;

  @Enum({ items: ['MARKETING', 'UTILITY', 'AUTHENTICATION'], type: 'string' })
  category!: TemplateCategory;

  @Enum({ items: ['positional', 'named'], type: 'string' })
  parameterFormat: Opt<'positional' | 'named'> = 'positional';

  @Property({ type: 'json' })
  components!: TemplateComponents;

  /** PENDING, APPROVED, REJECTED, PAUSED, DISABLED… as the provider reports it. */
  @Property({ type: 'string', length: 64 })
  status!: string;

  @Property({ type: 'text', nullable: true })
  rejectionReason: Opt<string> | null = null;

  @Property({ type: 'string', length: 32, nullable: true })
  quality: Opt<string> | null = null;

  @Property({ type: 'datetime', nullable: true })
  syncedAt: Opt<Date> | null = null;
}
