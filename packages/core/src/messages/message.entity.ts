import { Entity, Enum, Index, ManyToOne, Property, Unique, type Opt } from '@mikro-orm/core';
import type { ChannelError, MessageContent, MessageStatus } from '@obrol/contracts';
import { BaseEntity } from '../database/base.entity.js';
import { ChannelAccount } from '../channels/channel-account.entity.js';
import { Conversation } from '../conversations/conversation.entity.js';

export type MessageDirection = 'inbound' | 'outbound';

/** One message. `externalId` (the provider's id) is unique per channel account: the dedupe key. */
@Entity({ tableName: 'messages' })
@Unique({ properties: ['channelAccount', 'externalId'] })
@Index({ properties: ['conversation', 'id'] })
// The worker looks for sends stranded in `queued` every minute.
@Index({ properties: ['status', 'updatedAt'] })
export class Message extends BaseEntity {
  @Property({ type: 'string', length: 36 })
  tenantId!: string;

  // No index of its own: the unique (channel account, external id) serves it (ADR 0049).
  @ManyToOne({ entity: () => ChannelAccount, deleteRule: 'cascade', index: false })
  channelAccount!: ChannelAccount;

  // No index of its own: (conversation, id) serves it (ADR 0049).
  @ManyToOne({ entity: () => Conversation, deleteRule: 'cascade', index: false })
  conversation!: Conversation;

  @Enum({ items: ['inbound', 'outbound'], type: 'string' })
  direction!: MessageDirection;

  @Property({ type: 'json' })
  content!: MessageContent;

  @Enum({ items: ['received', 'queued', 'sent', 'delivered', 'read', 'failed'], type: 'string' })
  status!: MessageStatus;

  @Property({ type: 'json', nullable: true })
  error: Opt<ChannelError> | null = null;

  @Property({ type: 'string', length: 255, nullable: true })
  externalId: Opt<string> | null = null;

  @Property({ type: 'string', length: 255, nullable: true })
  replyToExternalId: Opt<string> | null = null;

  /** When the provider says it happened (inbound: sent by the customer). */
  @Property({ type: 'datetime', nullable: true })
  providerTimestamp: Opt<Date> | null = null;

  @Property({ type: 'string', length: 36, nullable: true })
  sentByAgentId: Opt<string> | null = null;

  @Property({ type: 'string', length: 36, nullable: true })
  sentByApiKeyId: Opt<string> | null = null;

  /** Stable across send retries; the plugin passes it to the provider where supported. */
  @Property({ type: 'string', length: 255, nullable: true })
  @Unique()
  idempotencyKey: Opt<string> | null = null;

  @Property({ type: 'integer' })
  sendAttempts: Opt<number> = 0;

  @Property({ type: 'json', nullable: true })
  referral: Opt<Record<string, unknown>> | null = null;

  /**
   * When the open send attempt was recorded, before the provider was called; null once its
   * outcome is recorded. One left open by a crash is in doubt (see `send-attempts.service.ts`).
   */
  @Property({ type: 'datetime', nullable: true })
  sendStartedAt: Opt<Date> | null = null;

  /** The broadcast that sent this message, or (inbound) the broadcast it answers. */
  @Property({ type: 'string', length: 36, nullable: true })
  @Index()
  broadcastId: Opt<string> | null = null;
}
