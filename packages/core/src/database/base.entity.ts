import { PrimaryKey, Property, type Opt } from '@mikro-orm/core';
import { newId } from './new-id.js';

export { newId };

export abstract class BaseEntity {
  @PrimaryKey({ type: 'string', length: 36 })
  id: Opt<Opt<string>> = newId();

  @Property({ type: 'datetime' })
  createdAt: Opt<Opt<Date>> = new Date();

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Opt<Opt<Date>> = new Date();
}
