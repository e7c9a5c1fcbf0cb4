import { Entity, Property, Unique, type Opt } from '@mikro-orm/core';
import { BaseEntity } from '../database/base.entity.js';

/** A workspace. Its `slug` is the `<tenant>` token in event subjects. */
@Entity({ tableName: 'tenants' })
export class Tenant extends BaseEntity {
  @Property({ type: 'string', length: 64 })
  @Unique()
  slug!: string;

  @Property({ type: 'string', length: 200 })
  name!: string;

  /** ISO 3166 alpha-2 country that phone numbers written without a country code belong to ("0812…" in ID is +62812…). */
  @Property({ type: 'string', length: 2, default: 'ID' })
  defaultCountry: Opt<string> = 'ID';
}

export const DEFAULT_TENANT_SLUG = 'default';
