import { Entity, Index, ManyToOne, Property, type Opt } from '@mikro-orm/core';
import { BaseEntity } from '../database/base.entity.js';
import { Agent } from '../agents/agent.entity.js';
import { Conversation } from '../conversations/conversation.entity.js';

/** A private note between agents in a conversation; never sent to the customer. */
@Entity({ tableName: 'conversation_notes' })
@Index({ properties: ['conversation', 'createdAt'] })
export class Note extends BaseEntity {
  @Property({ type: 'string', length: 36 })
  tenantId!: string;

  @ManyToOne({ entity: () => Conversation, deleteRule: 'cascade', index: false })
  conversation!: Conversation;

  @ManyToOne({ entity: () => Agent, nullable: true, deleteRule: 'set null' })
  author: Opt<Agent> | null = null;

  @Property({ type: 'text' })
  text!: string;

  @Property({ type: 'json' })
  mentionedAgentIds: Opt<string[]> = [];
}
