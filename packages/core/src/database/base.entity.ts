import { PrimaryKey, Property, type Opt } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';

/** Ids are UUIDv7: unique across processes and ordered by creation time (cursor pagination). */
export const newId = (): string => uuidv7();

export abstract class BaseEntity {
  @PrimaryKey({ type: 'string', length: 36 })
  id: Opt<Opt<string>> = newId();

  @Property({ type: 'datetime' })
  createdAt: Opt<Opt<Date>> = new Date();

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Opt<Opt<Date>> = new Date();
}
