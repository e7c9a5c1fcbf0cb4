import { Inject, Injectable, Logger } from '@nestjs/common';
import { type EntityManager, MikroORM, UniqueConstraintViolationException } from '@mikro-orm/core';
import {
  type AccountEvent,
  type Clock,
  type InboundMessageEvent,
  type MessageContent,
  ObrolError,
  type StatusEvent,
  type TemplateStatusEvent,
  previewOf,
  subjects,
} from '@obrol/contracts';
import { AuditLog } from '../audit/audit-log.entity.js';
import type { ResolvedAccount } from '../channels/channels.service.js';
import { CLOCK } from '../clock/clock.token.js';
import { Contact } from '../contacts/contact.entity.js';
import { Conversation } from '../conversations/conversation.entity.js';
import { ConversationsService } from '../conversations/conversations.service.js';
import { Message } from '../messages/message.entity.js';
import { messageView } from '../messages/message.view.js';
import { applyStatus } from '../messages/message-status.js';
import { recordEvent } from '../outbox/outbox.js';
import { OutboxRelay } from '../outbox/outbox.relay.js';
import { Template } from '../templates/template.entity.js';
import { TenantsService } from '../tenants/tenants.service.js';
import type { ChannelEvent } from '@obrol/contracts';

/** A status for a message we do not know yet is probably racing our own send: let the provider retry. */
const UNKNOWN_STATUS_GRACE_MS = 2 * 60 * 1000;

const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'document', 'sticker']);

function needsMediaFetch(content: MessageContent): boolean {
  return MEDIA_TYPES.has(content.type) && 'media' in content && !!content.media.providerMediaId && !content.media.mediaId;
}

/**
 * Applies normalised channel events to the store in one transaction: contact and conversation
 * upserts, messages deduplicated by external id, statuses that only move forward, template
 * statuses; and the outbox events that go with them.
 */
@Injectable()
export class InboundService {
  private readonly logger = new Logger('InboundService');

  constructor(
    private readonly orm: MikroORM,
    private readonly conversations: ConversationsService,
    private readonly tenants: TenantsService,
    private readonly relay: OutboxRelay,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async apply(resolved: ResolvedAccount, events: ChannelEvent[]): Promise<void> {
    if (events.length === 0) return;
    const tenant = await this.tenants.slugOf(resolved.account.tenantId);
    // Inbound messages in provider time order, so the window ends up at the latest one.
    const ordered = [...events].sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
    for (let attempt = 1; ; attempt++) {
      try {
        await this.orm.em.fork().transactional((em) => this.applyIn(em, resolved, tenant, ordered));
        break;
      } catch (error) {
        // A concurrent delivery of the same webhook inserted first: the next pass sees its rows.
        if (error instanceof UniqueConstraintViolationException && attempt < 3) continue;
        throw error;
      }
    }
    this.relay.kick();
  }

  private async applyIn(em: EntityManager, resolved: ResolvedAccount, tenant: string, events: ChannelEvent[]): Promise<void> {
    const now = this.clock.now();
    for (const event of events) {
      switch (event.kind) {
        case 'inbound_message':
          await this.inbound(em, resolved, tenant, now, event);
          break;
        case 'status':
          await this.status(em, resolved, tenant, now, event);
          break;
        case 'template_status':
          await this.templateStatus(em, resolved, tenant, now, event);
          break;
        case 'account_event':
          this.accountEvent(em, resolved, event);
          break;
      }
    }
  }

  private async inbound(em: EntityManager, { account, plugin }: ResolvedAccount, tenant: string, now: Date, event: InboundMessageEvent): Promise<void> {
    if (await em.findOne(Message, { channelAccount: account, externalId: event.externalId }, { fields: ['id'] })) return;

    let contact = await em.findOne(Contact, { channelAccount: account, externalId: event.from.externalId });
    if (!contact) {
      contact = em.create(Contact, { tenantId: account.tenantId, channelAccount: account, externalId: event.from.externalId, phone: event.from.phone ?? null, name: event.from.name ?? null });
    } else {
      if (event.from.name && event.from.name !== contact.name) contact.name = event.from.name;
      if (event.from.phone && event.from.phone !== contact.phone) contact.phone = event.from.phone;
    }

    let conversation = await em.findOne(Conversation, { channelAccount: account, contact }, { populate: ['contact', 'channelAccount'] });
    const opened = !conversation || conversation.status === 'resolved';
    if (!conversation) {
      conversation = em.create(Conversation, {
        tenantId: account.tenantId,
        channelAccount: account,
        contact,
        windowed: plugin.capabilities.sessionWindow,
        lastMessageAt: event.timestamp,
      });
    } else if (conversation.status === 'resolved') {
      conversation.status = 'open';
    }
    if (event.opensWindow && (!conversation.lastInboundAt || event.timestamp > conversation.lastInboundAt)) {
      conversation.lastInboundAt = event.timestamp;
      conversation.windowExpiresAt = plugin.policy.canSendFreeform({ lastInboundAt: event.timestamp }, event.timestamp).expiresAt;
    }
    if (!conversation.lastMessageAt || event.timestamp >= conversation.lastMessageAt) {
      conversation.lastMessageAt = event.timestamp;
      conversation.lastMessagePreview = previewOf(event.content).slice(0, 255);
    }
    conversation.unreadCount += 1;

    const message = em.create(Message, {
      tenantId: account.tenantId,
      channelAccount: account,
      conversation,
      direction: 'inbound',
      content: event.content,
      status: 'received',
      externalId: event.externalId,
      replyToExternalId: event.replyToExternalId ?? null,
      providerTimestamp: event.timestamp,
      referral: event.referral ?? null,
    });

    const ref = { conversationId: conversation.id, channelAccountId: account.id, contactId: contact.id };
    if (opened) {
      recordEvent(em, subjects.conversationOpened(tenant), tenant, now, { ...ref, status: conversation.status, assigneeId: conversation.assignee?.id ?? null });
    }
    const view = messageView(message);
    recordEvent(em, subjects.messageReceived(tenant), tenant, now, { ...ref, message: view }, {
      subject: subjects.live(tenant, 'message', 'created'),
      data: { type: 'message.created', channelAccountId: account.id, conversationId: conversation.id, data: { message: view, conversation: this.conversations.view(conversation, now, plugin) } },
    });
    if (needsMediaFetch(event.content) && plugin.media) {
      recordEvent(em, subjects.fetchMedia(tenant, plugin.id), tenant, now, { messageId: message.id, channelAccountId: account.id });
    }
  }

  private async status(em: EntityManager, { account }: ResolvedAccount, tenant: string, now: Date, event: StatusEvent): Promise<void> {
    const message = await em.findOne(Message, { channelAccount: account, externalId: event.externalId }, { populate: ['conversation', 'channelAccount'] });
    if (!message) {
      if (now.getTime() - event.timestamp.getTime() < UNKNOWN_STATUS_GRACE_MS) {
        throw new ObrolError('NOT_READY', `Status for ${event.externalId} arrived before its send was recorded; retry later.`);
      }
      this.logger.debug?.(`ignoring status ${event.status} for unknown message ${event.externalId}`);
      return;
    }
    if (!applyStatus(message, event.status, event.error ?? null)) return;
    const view = messageView(message);
    recordEvent(em, subjects.messageStatus(tenant), tenant, now, { conversationId: message.conversation.id, channelAccountId: account.id, contactId: message.conversation.contact.id, message: view }, {
      subject: subjects.live(tenant, 'message', 'updated'),
      data: { type: 'message.updated', channelAccountId: account.id, conversationId: message.conversation.id, data: { message: view } },
    });
  }

  private async templateStatus(em: EntityManager, { account }: ResolvedAccount, tenant: string, now: Date, event: TemplateStatusEvent): Promise<void> {
    const template =
      (event.externalId ? await em.findOne(Template, { channelAccount: account, externalId: event.externalId }) : null) ??
      (await em.findOne(Template, { channelAccount: account, name: event.name, language: event.language }));
    if (!template) {
      this.logger.warn(`template status ${event.status} for unknown template ${event.name}/${event.language}; sync templates to pick it up`);
      return;
    }
    switch (event.change ?? 'status') {
      case 'quality':
        if (!event.quality || template.quality === event.quality) return;
        template.quality = event.quality;
        break;
      case 'category':
        if (!event.category || template.category === event.category) return;
        template.category = event.category;
        break;
      case 'status':
        if (template.status === event.status && template.rejectionReason === (event.reason ?? null)) return;
        template.status = event.status;
        template.rejectionReason = event.reason ?? null;
    }
    const data = { channelAccountId: account.id, templateId: template.id, name: template.name, language: template.language, status: template.status, reason: template.rejectionReason, quality: template.quality, category: template.category };
    recordEvent(em, subjects.templateStatus(tenant), tenant, now, data, {
      subject: subjects.live(tenant, 'template', 'status'),
      data: { type: 'template.status', channelAccountId: account.id, data },
    });
  }

  private accountEvent(em: EntityManager, { account }: ResolvedAccount, event: AccountEvent): void {
    this.logger.warn(`channel account ${account.id}: ${event.event}: ${event.description}`);
    em.create(AuditLog, {
      tenantId: account.tenantId,
      actor: 'system',
      action: `channel.${event.event}`.slice(0, 64),
      targetType: 'channel_account',
      targetId: account.id,
      details: { description: event.description, error: event.error ?? null },
    });
  }
}
