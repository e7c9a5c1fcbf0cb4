import { Entity, Enum, Index, ManyToOne, Property, Unique, raw, type Opt } from '@mikro-orm/core';
import type { TemplateParameters } from '@obrol/contracts';
import { BaseEntity } from '@obrol/core';
import { Broadcast } from './broadcast.entity.js';
import type { RecipientReasonCode, RecipientStatus } from './broadcast.schemas.js';

/**
 * One customer of a broadcast, frozen at start with the parameters they will get, so a resume
 * or a retry sends exactly what was planned. `messageId` is the core message that carries it.
 * It is one of its broadcast's recipients while its `audienceId` is the broadcast's: a number
 * is once in an audience, and may be in the audience an import is copying too.
 */
@Entity({ tableName: 'broadcast_recipients' })
@Unique({ properties: ['broadcast', 'audienceId', 'phone'] })
@Index({ properties: ['broadcast', 'status', 'id'] })
@Index({ properties: ['status', 'nextAttemptAt'] })
export class BroadcastRecipient extends BaseEntity {
  // No index of its own: (broadcast, status, id) serves it (ADR 0049).
  @ManyToOne({ entity: () => Broadcast, deleteRule: 'cascade', index: false })
  broadcast!: Broadcast;

  /** E.164 with the leading +. */
  @Property({ type: 'string', length: 20 })
  phone!: string;

  /** ISO 3166 alpha-2 region of the number. */
  @Property({ type: 'string', length: 2, nullable: true })
  country: Opt<string> | null = null;

  /** The CSV row it came from (the header is row 1), or null for a contact chosen by filter. */
  @Property({ type: 'integer', nullable: true })
  csvRow: Opt<number> | null = null;

  /** The CSV row's cells by column name. */
  @Property({ type: 'json' })
  columns: Opt<Record<string, string>> = {};

  @Property({ type: 'string', length: 36, nullable: true })
  contactId: Opt<string> | null = null;

  @Property({ type: 'json', nullable: true })
  parameters: Opt<TemplateParameters> | null = null;

  @Enum({ items: ['pending', 'queued', 'sent', 'delivered', 'read', 'failed', 'skipped', 'suppressed', 'deferred'], type: 'string' })
  status: Opt<RecipientStatus> = 'pending';

  /** Why it failed, was skipped or deferred, in words. */
  @Property({ type: 'text', nullable: true })
  reason: Opt<string> | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  errorCode: Opt<string> | null = null;

  @Property({ type: 'string', length: 36, nullable: true })
  @Index()
  messageId: Opt<string> | null = null;

  /** Sends tried so far (a 131049 deferral makes another). */
  @Property({ type: 'integer' })
  attempts: Opt<number> = 0;

  @Property({ type: 'datetime', nullable: true })
  nextAttemptAt: Opt<Date> | null = null;

  /** Why it was skipped, suppressed or cancelled, as a stable code the apps translate (`reason` says it in English). */
  @Property({ type: 'string', length: 64, nullable: true })
  reasonCode: Opt<RecipientReasonCode> | null = null;

  /** The values `reasonCode`'s sentence names (a column, a country, a date). */
  @Property({ type: 'json', nullable: true })
  reasonParams: Opt<Record<string, string | number>> | null = null;

  /** The audience it belongs to (`Broadcast.audienceId`); a contact a filter chose takes the one it was chosen for. */
  @Property({ type: 'string', length: 36 })
  audienceId: Opt<string> = '';
}

/**
 * SQL keeping the rows of `broadcast_recipients` that are recipients of the broadcast whose id is
 * bound to its `?`: those of the audience the broadcast names as the statement runs (ADR 0043).
 * One statement sees one audience whole, never the rows of a file still being copied, nor those of
 * an audience another replaced and that are being removed, whenever the broadcast was read.
 */
export function inItsAudience(column = 'audience_id'): string {
  return `${column} = (select audience_id from broadcasts where id = ?)`;
}

/** `inItsAudience` as a MikroORM filter: a broadcast's recipients. */
export function recipientsOf(broadcastId: string): { broadcast: string; audienceId: string } {
  return { broadcast: broadcastId, audienceId: raw(`(select audience_id from broadcasts where id = ?)`, [broadcastId]) };
}
