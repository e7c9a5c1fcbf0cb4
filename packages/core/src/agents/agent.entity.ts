import { Collection, Entity, Enum, ManyToMany, Property, Unique, type Opt } from '@mikro-orm/core';
import type { NotificationSettings } from '@obrol/contracts';
import { BaseEntity } from '../database/base.entity.js';
import { ChannelAccount } from '../channels/channel-account.entity.js';

export type AgentRole = 'admin' | 'agent' | 'marketer';
export type AgentPresence = 'online' | 'away';

/**
 * A person who answers customers. Admins see every inbox and the admin area; agents and
 * marketers only the inboxes they belong to (marketers also run broadcasts).
 */
@Entity({ tableName: 'agents' })
@Unique({ properties: ['tenantId', 'email'] })
export class Agent extends BaseEntity {
  // No index of its own: the unique (tenant, email) serves it (ADR 0049).
  @Property({ type: 'string', length: 36 })
  tenantId!: string;

  @Property({ type: 'string', length: 320 })
  email!: string;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Enum({ items: ['admin', 'agent', 'marketer'], type: 'string' })
  role: Opt<AgentRole> = 'agent';

  /** scrypt hash in PHC-like form `scrypt$N$r$p$salt$hash`. */
  @Property({ type: 'string', length: 255, hidden: true })
  passwordHash!: string;

  @Property({ type: 'boolean' })
  active: Opt<boolean> = true;

  /** Set by the agent; only online agents receive auto-assigned conversations. */
  @Enum({ items: ['online', 'away'], type: 'string' })
  presence: Opt<AgentPresence> = 'away';

  /** When auto-assignment last gave this agent a conversation: the round-robin order. */
  @Property({ type: 'datetime', nullable: true })
  lastAssignedAt: Opt<Date> | null = null;
  /** The interface language the agent chose (`en`, `id`); null: the browser's. */
  @Property({ type: 'string', length: 16, nullable: true })
  locale: Opt<string> | null = null;

  /** The agent's choices; a missing key (or null) means the default, on. */
  @Property({ type: 'json', nullable: true })
  notifications: Opt<Partial<NotificationSettings>> | null = null;

  /** When the agent last had the app open (a realtime socket), for "last seen". */
  @Property({ type: 'datetime', nullable: true })
  lastSeenAt: Opt<Date> | null = null;

  /**
   * While the agent has the app open, pushed ahead by the realtime heartbeat; cleared when their
   * last socket closes. Past it (a crashed server stops pushing) the agent is offline.
   */
  @Property({ type: 'datetime', nullable: true })
  connectedUntil: Opt<Date> | null = null;

  @ManyToMany({ entity: () => ChannelAccount, pivotTable: 'agent_inboxes', owner: true })
  inboxes = new Collection<ChannelAccount>(this);
}
