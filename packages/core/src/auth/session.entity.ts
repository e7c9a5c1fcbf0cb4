import { Entity, Index, ManyToOne, Property, Unique, type Opt } from '@mikro-orm/core';
import { BaseEntity } from '../database/base.entity.js';
import { Agent } from '../agents/agent.entity.js';

/** A login session. Only the SHA-256 of the bearer token is stored. */
@Entity({ tableName: 'sessions' })
export class Session extends BaseEntity {
  @Property({ type: 'string', length: 64 })
  @Unique()
  tokenHash!: string;

  @ManyToOne({ entity: () => Agent, deleteRule: 'cascade' })
  agent!: Agent;

  @Property({ type: 'datetime' })
  @Index()
  expiresAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Opt<Date> | null = null;
}
