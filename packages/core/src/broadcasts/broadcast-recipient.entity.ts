import { Entity, Enum, Index, ManyToOne, Property, Unique, type Opt } from '@mikro-orm/core';
import type { ChannelError } from '@obrol/contracts';
import { BaseEntity } from '../database/base.entity.js';
import { Broadcast } from './broadcast.entity.js';
import { Contact } from '../contacts/contact.entity.js';

export type RecipientStatus = 'pending' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed' | 'skipped';

/** One recipient of a broadcast; its idempotency key keeps a crash from sending twice. */
@Entity({ tableName: 'broadcast_recipients' })
@Unique({ properties: ['broadcast', 'contact'] })
@Index({ properties: ['broadcast', 'status'] })
export class BroadcastRecipient extends BaseEntity {
  @ManyToOne({ entity: () => Broadcast, deleteRule: 'cascade' })
  broadcast!: Broadcast;

  @ManyToOne({ entity: () => Contact, deleteRule: 'cascade' })
  contact!: Contact;

  @Enum({ items: ['pending', 'queued', 'sent', 'delivered', 'read', 'failed', 'skipped'], type: 'string' })
  status: Opt<RecipientStatus> = 'pending';

  @Property({ type: 'string', length: 255 })
  @Unique()
  idempotencyKey!: string;

  @Property({ type: 'string', length: 36, nullable: true })
  messageId: Opt<string> | null = null;

  @Property({ type: 'json', nullable: true })
  error: Opt<ChannelError> | null = null;
}
