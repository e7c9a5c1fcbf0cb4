import { Entity, PrimaryKey, Property, type Opt } from '@mikro-orm/core';
import { newId } from '@obrol/core';

/** A row the sample feature writes: what touched it (`hook`, `command`, `job`) and about what. */
@Entity({ tableName: 'sample_visits' })
export class SampleVisit {
  @PrimaryKey({ type: 'string', length: 36 })
  id: Opt<string> = newId();

  @Property({ type: 'string', length: 16 })
  source!: 'hook' | 'command' | 'job';

  @Property({ type: 'string', length: 255 })
  subject!: string;

  @Property({ type: 'datetime' })
  createdAt: Opt<Date> = new Date();
}
