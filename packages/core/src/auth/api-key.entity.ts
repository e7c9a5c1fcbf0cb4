import { Entity, Index, ManyToOne, Property, Unique, type Opt } from '@mikro-orm/core';
import { BaseEntity } from '../database/base.entity.js';
import { Agent } from '../agents/agent.entity.js';
import type { ApiKeyScope } from './principal.js';

/** A key for back-end systems. Shown once at creation; only its SHA-256 is stored. */
@Entity({ tableName: 'api_keys' })
export class ApiKey extends BaseEntity {
  @Property({ type: 'string', length: 36 })
  @Index()
  tenantId!: string;

  @Property({ type: 'string', length: 200 })
  name!: string;

  /** The first characters of the key, so admins can tell keys apart. */
  @Property({ type: 'string', length: 16 })
  prefix!: string;

  @Property({ type: 'string', length: 64 })
  @Unique()
  keyHash!: string;

  @ManyToOne({ entity: () => Agent, nullable: true, deleteRule: 'set null' })
  createdBy: Opt<Agent> | null = null;

  @Property({ type: 'datetime', nullable: true })
  lastUsedAt: Opt<Date> | null = null;

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Opt<Date> | null = null;

  /** The inboxes (channel account ids) the key may use; null: every inbox. */
  @Property({ type: 'json', nullable: true })
  inboxIds: Opt<string[]> | null = null;

  /** `read` (GET routes, realtime) and/or `send` (sending messages and media); keys older than scopes have both. */
  @Property({ type: 'json', defaultRaw: `'["read","send"]'` })
  scopes: Opt<ApiKeyScope[]> = ['read', 'send'];
}
