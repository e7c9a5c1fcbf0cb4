import { Entity, Index, PrimaryKey, Property, type Opt } from '@mikro-orm/core';
import { newId } from '../database/base.entity.js';

/** Who did what to which record. Never holds secrets. */
@Entity({ tableName: 'audit_logs' })
@Index({ properties: ['tenantId', 'createdAt'] })
export class AuditLog {
  @PrimaryKey({ type: 'string', length: 36 })
  id: Opt<string> = newId();

  @Property({ type: 'string', length: 36 })
  tenantId!: string;

  /** `agent:<id>`, `api-key:<id>` or `system`. */
  @Property({ type: 'string', length: 64 })
  actor!: string;

  @Property({ type: 'string', length: 64 })
  action!: string;

  @Property({ type: 'string', length: 64 })
  targetType!: string;

  @Property({ type: 'string', length: 36, nullable: true })
  targetId: Opt<string> | null = null;

  @Property({ type: 'json', nullable: true })
  details: Opt<Record<string, unknown>> | null = null;

  @Property({ type: 'datetime' })
  createdAt: Opt<Date> = new Date();
}
