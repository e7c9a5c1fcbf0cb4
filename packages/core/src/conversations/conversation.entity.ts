import { Entity, Enum, Index, ManyToOne, Property, Unique, type Opt } from '@mikro-orm/core';
import { BaseEntity } from '../database/base.entity.js';
import { Agent } from '../agents/agent.entity.js';
import { ChannelAccount } from '../channels/channel-account.entity.js';
import { Contact } from '../contacts/contact.entity.js';

export type ConversationStatus = 'open' | 'pending' | 'resolved';

/** The thread between one contact and one channel account. */
@Entity({ tableName: 'conversations' })
@Unique({ properties: ['channelAccount', 'contact'] })
@Index({ properties: ['tenantId', 'lastMessageAt'] })
export class Conversation extends BaseEntity {
  @Property({ type: 'string', length: 36 })
  tenantId!: string;

  // No index of its own: the unique (channel account, contact) serves it (ADR 0049).
  @ManyToOne({ entity: () => ChannelAccount, deleteRule: 'cascade', index: false })
  channelAccount!: ChannelAccount;

  @ManyToOne({ entity: () => Contact, deleteRule: 'cascade' })
  contact!: Contact;

  @Enum({ items: ['open', 'pending', 'resolved'], type: 'string' })
  status: Opt<ConversationStatus> = 'open';

  @ManyToOne({ entity: () => Agent, nullable: true, deleteRule: 'set null' })
  assignee: Opt<Agent> | null = null;

  /** When the provider says the customer's last message was sent: the source of the window. */
  @Property({ type: 'datetime', nullable: true })
  lastInboundAt: Opt<Date> | null = null;

  /** The session window's end as the channel's policy computed it at the last inbound message;
   * null when the channel has no window (see `windowed`). Kept for filtering lists. */
  @Property({ type: 'datetime', nullable: true })
  @Index()
  windowExpiresAt: Opt<Date> | null = null;

  /** Whether the channel limits free-form replies to a window. */
  @Property({ type: 'boolean' })
  windowed: Opt<boolean> = false;

  @Property({ type: 'datetime', nullable: true })
  lastMessageAt: Opt<Date> | null = null;

  @Property({ type: 'string', length: 255, nullable: true })
  lastMessagePreview: Opt<string> | null = null;

  @Property({ type: 'integer' })
  unreadCount: Opt<number> = 0;

  /** While in the future the conversation is out of the open list; woken by `SnoozeJob` or the customer writing. */
  @Property({ type: 'datetime', nullable: true })
  @Index()
  snoozedUntil: Opt<Date> | null = null;

  /** Normalised tags (see `normalizeTag`); the contact's own tags are on the contact. */
  @Property({ type: 'json', defaultRaw: `'[]'` })
  tags: Opt<string[]> = [];
}
