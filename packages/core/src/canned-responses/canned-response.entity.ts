import { Entity, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../database/base.entity.js';

/** A reply the team keeps ready: agents insert it with `/shortcut`; `{{contact.name}}` and attributes fill in. */
@Entity({ tableName: 'canned_responses' })
@Unique({ properties: ['tenantId', 'shortcut'] })
export class CannedResponse extends BaseEntity {
  @Property({ type: 'string', length: 36 })
  tenantId!: string;

  /** What the agent types after `/` (lower case, no spaces). */
  @Property({ type: 'string', length: 40 })
  shortcut!: string;

  @Property({ type: 'text' })
  text!: string;
}
