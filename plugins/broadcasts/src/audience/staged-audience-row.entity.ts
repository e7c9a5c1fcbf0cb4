import { Entity, Index, PrimaryKey, Property, Unique, type Opt } from '@mikro-orm/core';
import { newId } from '@obrol/core';

/**
 * A valid row of an audience file on its way in (ADR 0030): staged a batch at a time, each batch
 * its own short write, and copied into the broadcast's recipients once the whole file proved
 * valid, in phone order (10,000 per transaction on SQLite, ADR 0043). The key on import + phone
 * finds the duplicates of one file. Rows of an import that never finished (a crash) are removed
 * a day later.
 */
@Entity({ tableName: 'broadcast_audience_staged' })
@Unique({ properties: ['importId', 'phone'] })
@Index({ properties: ['createdAt'] })
export class StagedAudienceRow {
  @PrimaryKey({ type: 'string', length: 36 })
  id: Opt<string> = newId();

  @Property({ type: 'string', length: 36 })
  importId!: string;

  @Property({ type: 'string', length: 36 })
  broadcastId!: string;

  /** E.164 with the leading +. */
  @Property({ type: 'string', length: 20 })
  phone!: string;

  @Property({ type: 'string', length: 2, nullable: true })
  country: Opt<string> | null = null;

  @Property({ type: 'integer' })
  csvRow!: number;

  @Property({ type: 'json' })
  columns: Opt<Record<string, string>> = {};

  @Property({ type: 'datetime' })
  createdAt: Opt<Date> = new Date();
}
