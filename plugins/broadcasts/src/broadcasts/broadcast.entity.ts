import { Entity, Enum, Index, ManyToOne, Property, type Opt } from '@mikro-orm/core';
import { BaseEntity, ChannelAccount } from '@obrol/core';
import type { AudienceFilter, BroadcastStatus, VariableMapping } from './broadcast.schemas.js';
import type { BroadcastReasonCode } from './broadcast-reason.js';

/**
 * A broadcast: one approved template sent to an audience through one channel account. The
 * recipient counters are kept incrementally, in the transaction that moves a recipient.
 */
@Entity({ tableName: 'broadcasts' })
@Index({ properties: ['status', 'scheduledAt'] })
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

  @Property({ type: 'json' })
  variables: Opt<VariableMapping> = {};

  /** Contacts chosen by tags, attributes or ids, added to the uploaded rows at start. */
  @Property({ type: 'json', nullable: true })
  audienceFilter: Opt<AudienceFilter> | null = null;

  /** Region (ISO 3166 alpha-2) of numbers written without a country code. */
  @Property({ type: 'string', length: 2 })
  defaultCountry: Opt<string> = 'ID';

  @Property({ type: 'integer' })
  messagesPerSecond: Opt<number> = 80;

  @Enum({ items: ['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled'], type: 'string' })
  status: Opt<BroadcastStatus> = 'draft';

  /** Why it is paused (an auto-pause says what happened), or why it was cancelled. */
  @Property({ type: 'text', nullable: true })
  reason: Opt<string> | null = null;

  @Property({ type: 'datetime', nullable: true })
  scheduledAt: Opt<Date> | null = null;

  /** The schedule as the user wrote it: a local date-time and its IANA time zone. */
  @Property({ type: 'string', length: 19, nullable: true })
  scheduledLocal: Opt<string> | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  timeZone: Opt<string> | null = null;

  @Property({ type: 'datetime', nullable: true })
  startedAt: Opt<Date> | null = null;

  @Property({ type: 'datetime', nullable: true })
  finishedAt: Opt<Date> | null = null;

  @Property({ type: 'string', length: 36, nullable: true })
  createdById: Opt<string> | null = null;

  @Property({ type: 'integer' }) total: Opt<number> = 0;
  @Property({ type: 'integer' }) pending: Opt<number> = 0;
  @Property({ type: 'integer' }) queued: Opt<number> = 0;
  @Property({ type: 'integer' }) sent: Opt<number> = 0;
  @Property({ type: 'integer' }) delivered: Opt<number> = 0;
  @Property({ type: 'integer' }) read: Opt<number> = 0;
  @Property({ type: 'integer' }) failed: Opt<number> = 0;
  @Property({ type: 'integer' }) skipped: Opt<number> = 0;
  @Property({ type: 'integer' }) suppressed: Opt<number> = 0;
  @Property({ type: 'integer' }) deferred: Opt<number> = 0;
  /** Customer messages quoting the broadcast: counted as each arrives, never by scanning messages. */
  @Property({ type: 'integer' }) replies: Opt<number> = 0;

  /** The provider's id of the uploaded header file (`variables.headerMedia.mediaId`), uploaded once at start. */
  @Property({ type: 'string', length: 128, nullable: true })
  headerMediaProviderId: Opt<string> | null = null;

  /** `reason` as a stable code the apps word (broadcast-reason.ts), with its values. */
  @Property({ type: 'string', length: 64, nullable: true })
  reasonCode: Opt<BroadcastReasonCode> | null = null;

  @Property({ type: 'json', nullable: true })
  reasonParams: Opt<Record<string, string | number>> | null = null;

  /**
   * Which rows of `broadcast_recipients` are its recipients: those of this audience, named after
   * the import that uploaded them ('' before the first upload). An import copies its rows under
   * its own id, where no reader takes them for the broadcast's, and one short update of this
   * column makes them the audience (ADR 0043).
   */
  @Property({ type: 'string', length: 36 })
  audienceId: Opt<string> = '';
}
