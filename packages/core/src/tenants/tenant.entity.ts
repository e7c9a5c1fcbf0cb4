import { Entity, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../database/base.entity.js';

/** A workspace. Its `slug` is the `<tenant>` token in event subjects. */
@Entity({ tableName: 'tenants' })
export class Tenant extends BaseEntity {
  @Property({ type: 'string', length: 64 })
  @Unique()
  slug!: string;

  @Property({ type: 'string', length: 200 })
  name!: string;
}

export const DEFAULT_TENANT_SLUG = 'default';
