import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, MikroORM, UniqueConstraintViolationException } from '@mikro-orm/core';
import {
  type Clock,
  type MessageContent,
  type MessageView,
  ObrolError,
  type StatusEvent,
  commands,
  facts,
  liveEvents,
  previewOf,
  restrictionInForce,
  sessionContentSchema,
  templateParametersSchema,
} from '@obrol/contracts';
import { z } from 'zod';
import { type Principal, assertInbox } from '../auth/principal.js';
import { restrictionRefusal } from '../channels/channel-restriction.js';
import { ChannelsService, type ResolvedAccount } from '../channels/channels.service.js';
import { CLOCK } from '../clock/clock.token.js';
import { ContactsService } from '../contacts/contacts.service.js';
import type { Conversation } from '../conversations/conversation.entity.js';
import { ConversationsService } from '../conversations/conversations.service.js';
import { type Page, decodeCursor, encodeCursor, idCursorSchema, pageQuerySchema } from '../http/pagination.js';
import { outboxRow, recordEvent } from '../outbox/outbox.js';
import { MediaObject } from '../media/media-object.entity.js';
import { TemplatesService } from '../templates/templates.service.js';
import { IdempotencyRecord } from './idempotency-record.entity.js';
import { applyStatus } from './message-status.js';
import { type IngestBatch, type IngestedMessage } from './message-ingest.writer.js';
import { Message } from './message.entity.js';
import { messageView } from './message.view.js';

const templateInputSchema = z.object({
  name: z.string().min(1).max(512),
  language: z.string().min(2).max(15),
  parameters: templateParametersSchema.default({}),
});

/** A session message (`content`) or a template (`template`), exactly one. */
export const sendMessageSchema = z
  .object({
    content: sessionContentSchema.optional(),
    template: templateInputSchema.optional(),
    /** Obrol id of the message this one replies to. */
    replyToMessageId: z.string().max(36).optional(),
  })
  .refine((v) => !!v.content !== !!v.template, { message: 'send either content (a session message) or template, not both and not neither' });

export const sendToPhoneSchema = z
  .object({
    channelAccountId: z.string().min(1).max(36),
    /** E.164 phone number, e.g. +6281234567890. */
    to: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number like +6281234567890'),
    content: sessionContentSchema.optional(),
    template: templateInputSchema.optional(),
  })
  .refine((v) => !!v.content !== !!v.template, { message: 'send either content (a session message) or template, not both and not neither' });

export const listMessagesQuerySchema = pageQuerySchema.extend({
  /** `desc` (newest first, default) or `asc`. */
  order: z.enum(['asc', 'desc']).default('desc'),
});

type SendInput = z.infer<typeof sendMessageSchema>;

const CAPABILITY: Partial<Record<MessageContent['type'], keyof ResolvedAccount['plugin']['capabilities']>> = {
  text: 'text',
  image: 'media',
  video: 'media',
  audio: 'media',
  document: 'media',
  sticker: 'media',
  location: 'location',
  contacts: 'contacts',
  interactive: 'interactive',
  reaction: 'reactions',
  template: 'templates',
};

/** Outbound messages: policy check, store, and hand to the sender through the outbox. */
@Injectable()
export class MessagesService {
  constructor(
    private readonly orm: MikroORM,
    private readonly channels: ChannelsService,
    private readonly contacts: ContactsService,
    private readonly conversations: ConversationsService,
    private readonly templates: TemplatesService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Applies a provider's delivery status to a message of an ingest batch; statuses only move
   * forward. Records `message.status` when it changed; the batch stores both.
   */
  applyProviderStatus(batch: IngestBatch, tenant: string, now: Date, message: IngestedMessage, event: StatusEvent): void {
    if (!applyStatus(message, event.status, event.error ?? null)) return;
    batch.statusMoved(message);
    const view = messageView(message);
    const ref = { conversationId: message.conversation.id, channelAccountId: message.channelAccount.id, contactId: message.conversation.contact.id };
    batch.record(outboxRow(tenant, now, facts.messageStatus(tenant, { ...ref, message: view }), liveEvents.messageUpdated(tenant, { channelAccountId: ref.channelAccountId, conversationId: ref.conversationId, data: { message: view } })));
  }

  async list(principal: Principal, conversationId: string, query: z.infer<typeof listMessagesQuerySchema>): Promise<Page<MessageView>> {
    const em = this.orm.em.fork();
    const conversation = await this.conversations.get(principal, conversationId, em);
    const after = query.cursor ? decodeCursor(query.cursor, idCursorSchema).id : null;
    const rows = await em.find(
      Message,
      { conversation, ...(after ? { id: query.order === 'desc' ? { $lt: after } : { $gt: after } } : {}) },
      { orderBy: { id: query.order }, limit: query.limit + 1 },
    );
    const items = rows.slice(0, query.limit);
    return {
      items: items.map(messageView),
      nextCursor: rows.length > query.limit ? encodeCursor({ id: items.at(-1)!.id }) : null,
    };
  }

  /** An agent's or system's reply in a conversation. */
  async sendToConversation(principal: Principal, conversationId: string, input: SendInput): Promise<MessageView> {
    const em = this.orm.em.fork();
    const conversation = await this.conversations.get(principal, conversationId, em);
    const resolved = await this.channels.resolve(conversation.channelAccount.id);
    const message = await em.transactional((tx) => this.enqueue(tx, principal, resolved, conversation, input));
    return messageView(message);
  }

  /**
   * For back-end systems: send to a phone number on a channel account, creating the contact and
   * conversation if needed. An `Idempotency-Key` makes retries return the first message.
   */
  async sendToPhone(principal: Principal, input: z.infer<typeof sendToPhoneSchema>, idempotencyKey: string | undefined): Promise<{ message: MessageView; replayed: boolean }> {
    assertInbox(principal, input.channelAccountId, 'Channel account');
    const resolved = await this.channels.resolve(input.channelAccountId);
    if (resolved.account.tenantId !== principal.tenantId) throw new ObrolError('NOT_FOUND', 'Channel account not found.');
    const principalId = principal.kind === 'agent' ? principal.agentId : principal.kind === 'api-key' ? principal.apiKeyId : 'system';
    const key = idempotencyKey ? `${principalId}:${idempotencyKey}` : null;
    const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
    const replay = async () => {
      const em = this.orm.em.fork();
      const record = key ? await em.findOne(IdempotencyRecord, { key }) : null;
      if (!record) return null;
      if (record.requestHash !== requestHash) {
        throw new ObrolError('IDEMPOTENCY_CONFLICT', 'This Idempotency-Key was already used with a different request body.');
      }
      const message = await em.findOneOrFail(Message, record.messageId, { populate: ['conversation', 'channelAccount'] });
      return { message: messageView(message), replayed: true };
    };
    const earlier = await replay();
    if (earlier) return earlier;
    try {
      const message = await this.orm.em.fork().transactional(async (tx) => {
        const externalId = input.to.slice(1);
        const contact = (await this.contacts.findOrCreate(tx, resolved.account, [{ externalId, phone: input.to }])).get(externalId)!;
        const { conversation } = (await this.conversations.findOrCreate(tx, resolved, [contact])).get(contact.contact.id)!;
        const m = await this.enqueue(tx, principal, resolved, conversation, input);
        if (key) tx.create(IdempotencyRecord, { key, requestHash, messageId: m.id });
        return m;
      });
      return { message: messageView(message), replayed: false };
    } catch (error) {
      // Two requests with the same key raced: the loser answers with the winner's message.
      if (error instanceof UniqueConstraintViolationException && key) {
        const winner = await replay();
        if (winner) return winner;
      }
      throw error;
    }
  }

  private async enqueue(
    em: EntityManager,
    principal: Principal,
    resolved: ResolvedAccount,
    conversation: Conversation,
    input: { content?: SendInput['content']; template?: SendInput['template']; replyToMessageId?: string },
  ): Promise<Message> {
    const now = this.clock.now();
    const { plugin, account } = resolved;
    if (!account.active) throw new ObrolError('CHANNEL_UNAVAILABLE', 'This channel account is deactivated; an admin can reactivate it.');
    const window = plugin.policy.canSendFreeform({ lastInboundAt: conversation.lastInboundAt }, now);
    const restriction = restrictionInForce(account.restriction, now);
    const refusal = restrictionRefusal(restriction, { template: !!input.template, windowOpen: window.open });
    if (refusal) throw new ObrolError('CHANNEL_RESTRICTED', refusal, restriction);
    let content: MessageContent;
    if (input.template) {
      const { renderedText } = await this.templates.prepareSend(em, resolved, input.template);
      content = { type: 'template', template: { ...input.template, renderedText } };
    } else {
      content = input.content!;
      if (!window.open) {
        throw new ObrolError(
          'WINDOW_CLOSED',
          window.expiresAt
            ? `The 24-hour reply window closed at ${window.expiresAt.toISOString()}. Send an approved template instead.`
            : 'The customer has not written yet, so only an approved template can start the conversation.',
          { windowExpiresAt: window.expiresAt?.toISOString() ?? null },
        );
      }
    }
    const capability = CAPABILITY[content.type];
    if (!capability || !plugin.capabilities[capability]) {
      throw new ObrolError('CONTENT_NOT_SUPPORTED', `The ${plugin.displayName} channel cannot send ${content.type} messages.`);
    }
    await this.assertOwnMedia(em, account.id, content);
    let replyToExternalId: string | null = null;
    if (input.replyToMessageId) {
      const target = await em.findOne(Message, { id: input.replyToMessageId, conversation });
      if (!target?.externalId) throw new ObrolError('VALIDATION_FAILED', 'replyToMessageId is not a delivered message of this conversation.');
      replyToExternalId = target.externalId;
    }
    const message = em.create(Message, {
      tenantId: account.tenantId,
      channelAccount: account,
      conversation,
      direction: 'outbound',
      content,
      status: 'queued',
      replyToExternalId,
      sentByAgentId: principal.kind === 'agent' ? principal.agentId : null,
      sentByApiKeyId: principal.kind === 'api-key' ? principal.apiKeyId : null,
    });
    message.idempotencyKey = `msg-${message.id}`;
    conversation.lastMessageAt = now;
    conversation.lastMessagePreview = previewOf(content).slice(0, 255);
    if (conversation.status === 'resolved') conversation.status = 'open';
    const tenant = principal.tenantSlug;
    const view = messageView(message);
    recordEvent(
      em,
      tenant,
      now,
      commands.send(tenant, plugin.id, { messageId: message.id, channelAccountId: account.id, conversationId: conversation.id, attempt: 1 }),
      liveEvents.messageCreated(tenant, { channelAccountId: account.id, conversationId: conversation.id, data: { message: view, conversation: this.conversations.view(conversation, now, plugin) } }),
    );
    return message;
  }

  /** A stored file may be sent only on the channel account (inbox) it was uploaded to or received on. */
  private async assertOwnMedia(em: EntityManager, channelAccountId: string, content: MessageContent): Promise<void> {
    const mediaId = 'media' in content ? content.media.mediaId : undefined;
    if (!mediaId) return;
    if (!(await em.findOne(MediaObject, { id: mediaId, channelAccountId }))) {
      throw new ObrolError('MEDIA_NOT_FOUND', `No file ${mediaId} was uploaded to this channel account; upload it with POST /api/v1/media?channelAccountId=… first.`, {
        problems: [{ field: 'content.media.mediaId', message: 'unknown on this channel account' }],
      });
    }
  }
}
