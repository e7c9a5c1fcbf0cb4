import { Entity, Enum, ManyToOne, Property, Unique, type Opt } from '@mikro-orm/core';
import { Agent } from '../agents/agent.entity.js';
import { BaseEntity } from '../database/base.entity.js';

export type PasswordLinkPurpose = 'invite' | 'reset';

/**
 * A one-time link that lets an agent set their password: handed to an invited agent, or to one
 * whose password an admin reset. Only the SHA-256 of its token is stored; it works once, until it expires.
 */
@Entity({ tableName: 'password_links' })
export class PasswordLink extends BaseEntity {
  @Property({ type: 'string', length: 64 })
  @Unique()
  tokenHash!: string;

  @ManyToOne({ entity: () => Agent, deleteRule: 'cascade' })
  agent!: Agent;

  @Enum({ items: ['invite', 'reset'], type: 'string' })
  purpose!: PasswordLinkPurpose;

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  usedAt: Opt<Date> | null = null;
}
