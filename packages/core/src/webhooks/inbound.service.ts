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

/** At most this many webhook deliveries go into one transaction. */
const MAX_BATCH = 256;

interface PendingDelivery {
  resolved: ResolvedAccount;
  events: ChannelEvent[];
  resolve(): void;
  reject(error: unknown): void;
}

/** Rows a batch looks up, loaded up front and kept current as the batch creates rows. */
interface BatchState {
  /** By `<accountId>:<externalId>`. */
  messages: Map<string, Message>;
  /** By `<accountId>:<externalId>`. */
  contacts: Map<string, Contact>;
  /** By contact id. */
  conversations: Map<string, Conversation>;
}

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
  private readonly queue: PendingDelivery[] = [];
  private draining = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly conversations: ConversationsService,
    private readonly tenants: TenantsService,
    private readonly relay: OutboxRelay,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Stores one webhook delivery's events. Deliveries that arrive while a batch is being written
   * wait and go together into the next transaction (group commit): one commit, one set of
   * lookups, for many webhooks. Resolves once the events are committed.
   */
  apply(resolved: ResolvedAccount, events: ChannelEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ resolved, events, resolve, reject });
      // Start on the next turn of the event loop, so requests read in the same turn share it.
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          await this.commit(batch);
          batch.forEach((d) => d.resolve());
        } catch (error) {
          if (batch.length === 1) {
            batch[0]!.reject(error);
            continue;
          }
          // Isolate the delivery that failed; the others still commit.
          for (const delivery of batch) {
            await this.commit([delivery]).then(delivery.resolve, delivery.reject);
          }
        }
        this.relay.kick();
      }
    } finally {
      this.draining = false;
    }
  }

  private async commit(batch: PendingDelivery[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.orm.em.fork().transactional(async (em) => {
          const state = await this.prefetch(em, batch);
          const now = this.clock.now();
          for (const { resolved, events } of batch) {
            const tenant = await this.tenants.slugOf(resolved.account.tenantId);
            // Inbound messages in provider time order, so the window ends up at the latest one.
            const ordered = [...events].sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
            for (const event of ordered) await this.applyEvent(em, state, resolved, tenant, now, event);
          }
        });
        return;
      } catch (error) {
        // A concurrent delivery (another process) inserted first: the next pass sees its rows.
        if (error instanceof UniqueConstraintViolationException && attempt < 3) continue;
        throw error;
      }
    }
  }

  /** Loads in a few queries every row the batch will look up. */
  private async prefetch(em: EntityManager, batch: PendingDelivery[]): Promise<BatchState> {
    const messageIds = new Map<string, Set<string>>();
    const contactIds = new Map<string, Set<string>>();
    const add = (map: Map<string, Set<string>>, account: string, id: string) => {
      let set = map.get(account);
      if (!set) map.set(account, (set = new Set()));
      set.add(id);
    };
    for (const { resolved, events } of batch) {
      for (const event of events) {
        if (event.kind === 'inbound_message') {
          add(messageIds, resolved.account.id, event.externalId);
          add(contactIds, resolved.account.id, event.from.externalId);
        } else if (event.kind === 'status') add(messageIds, resolved.account.id, event.externalId);
      }
    }
    const byAccount = (map: Map<string, Set<string>>) => [...map].map(([channelAccount, ids]) => ({ channelAccount, externalId: { $in: [...ids] } }));
    const state: BatchState = { messages: new Map(), contacts: new Map(), conversations: new Map() };
    if (messageIds.size > 0) {
      for (const m of await em.find(Message, { $or: byAccount(messageIds) }, { populate: ['conversation', 'conversation.contact'] })) {
        state.messages.set(`${m.channelAccount.id}:${m.externalId}`, m);
      }
    }
    if (contactIds.size > 0) {
      const contacts = await em.find(Contact, { $or: byAccount(contactIds) });
      for (const c of contacts) state.contacts.set(`${c.channelAccount.id}:${c.externalId}`, c);
      if (contacts.length > 0) {
        for (const c of await em.find(Conversation, { contact: { $in: contacts } }, { populate: ['contact'] })) {
          state.conversations.set(c.contact.id, c);
        }
      }
    }
    return state;
  }

  private async applyEvent(em: EntityManager, state: BatchState, resolved: ResolvedAccount, tenant: string, now: Date, event: ChannelEvent): Promise<void> {
    switch (event.kind) {
      case 'inbound_message':
        return this.inbound(em, state, resolved, tenant, now, event);
      case 'status':
        return this.status(em, state, resolved, tenant, now, event);
      case 'template_status':
        return this.templateStatus(em, resolved, tenant, now, event);
      case 'account_event':
        return this.accountEvent(em, resolved, event);
    }
  }

  private async inbound(em: EntityManager, state: BatchState, { account, plugin }: ResolvedAccount, tenant: string, now: Date, event: InboundMessageEvent): Promise<void> {
    const messageKey = `${account.id}:${event.externalId}`;
    if (state.messages.has(messageKey)) return;
    const contactKey = `${account.id}:${event.from.externalId}`;
    let contact = state.contacts.get(contactKey);
    if (!contact) {
      contact = em.create(Contact, { tenantId: account.tenantId, channelAccount: account.id, externalId: event.from.externalId, phone: event.from.phone ?? null, name: event.from.name ?? null });
      state.contacts.set(contactKey, contact);
    } else {
      if (event.from.name && event.from.name !== contact.name) contact.name = event.from.name;
      if (event.from.phone && event.from.phone !== contact.phone) contact.phone = event.from.phone;
    }

    let conversation = state.conversations.get(contact.id);
    const opened = !conversation || conversation.status === 'resolved';
    if (!conversation) {
      conversation = em.create(Conversation, {
        tenantId: account.tenantId,
        channelAccount: account.id,
        contact,
        windowed: plugin.capabilities.sessionWindow,
        lastMessageAt: event.timestamp,
      });
      state.conversations.set(contact.id, conversation);
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
      channelAccount: account.id,
      conversation,
      direction: 'inbound',
      content: event.content,
      status: 'received',
      externalId: event.externalId,
      replyToExternalId: event.replyToExternalId ?? null,
      providerTimestamp: event.timestamp,
      referral: event.referral ?? null,
    });
    state.messages.set(messageKey, message);

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

  private async status(em: EntityManager, state: BatchState, { account }: ResolvedAccount, tenant: string, now: Date, event: StatusEvent): Promise<void> {
    const message = state.messages.get(`${account.id}:${event.externalId}`);
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
