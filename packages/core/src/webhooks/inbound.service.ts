import { Inject, Injectable, Logger } from '@nestjs/common';
import { type EntityManager, LockMode, MikroORM } from '@mikro-orm/core';
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
import { ChannelsService, type ResolvedAccount } from '../channels/channels.service.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { databaseKindOf } from '../database/orm-config.js';
import { CLOCK } from '../clock/clock.token.js';
import { Contact } from '../contacts/contact.entity.js';
import { Conversation } from '../conversations/conversation.entity.js';
import { ConversationsService } from '../conversations/conversations.service.js';
import { Message } from '../messages/message.entity.js';
import { messageView } from '../messages/message.view.js';
import { applyStatus } from '../messages/message-status.js';
import { SendAttempts } from '../messages/send-attempts.service.js';
import { recordEvent } from '../outbox/outbox.js';
import { OutboxRelay } from '../outbox/outbox.relay.js';
import { Template } from '../templates/template.entity.js';
import { TenantsService } from '../tenants/tenants.service.js';
import type { ChannelEvent } from '@obrol/contracts';
import { newId } from '../database/base.entity.js';
import { BackgroundLoop } from '../app/background-loop.js';
import { InboundWebhook } from './inbound-webhook.entity.js';

/** At most this many stored deliveries are processed in one transaction. */
const MAX_BATCH = 256;
/** A delivery that keeps failing is set aside after this many attempts. */
const MAX_ATTEMPTS = 10;
const RETRY_DELAYS_MS = [1_000, 2_000, 5_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000];

/** A webhook delivery's events for one channel account. */
export interface Delivery {
  resolved: ResolvedAccount;
  events: ChannelEvent[];
}

/** Stored events carry ISO timestamps; turn them back into Dates. */
function reviveEvents(events: ChannelEvent[]): ChannelEvent[] {
  return events.map((e) => ({ ...e, timestamp: new Date(e.timestamp) }) as ChannelEvent);
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

/** A status for a message we do not know yet is probably racing our own send: retry it for this long. */
const UNKNOWN_STATUS_GRACE_MS = 2 * 60 * 1000;

const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'document', 'sticker']);

function needsMediaFetch(content: MessageContent): boolean {
  return MEDIA_TYPES.has(content.type) && 'media' in content && !!content.media.providerMediaId && !content.media.mediaId;
}

/**
 * Applies webhook deliveries to the store: in one transaction per batch, contact and
 * conversation upserts, messages deduplicated by external id, statuses that only move forward,
 * template statuses, and the outbox events that go with them. Deliveries that cannot be applied
 * at once (see `InboundQueue`) are stored and retried here in the background with backoff.
 */
@Injectable()
export class InboundService {
  private readonly logger = new Logger('InboundService');
  private readonly lock: { lockMode?: LockMode.PESSIMISTIC_PARTIAL_WRITE };
  private readonly loop = new BackgroundLoop('retrying stored webhook deliveries', () => this.pass(), MAX_BATCH, this.logger);

  constructor(
    private readonly orm: MikroORM,
    private readonly conversations: ConversationsService,
    private readonly tenants: TenantsService,
    private readonly relay: OutboxRelay,
    private readonly channels: ChannelsService,
    private readonly sendAttempts: SendAttempts,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CORE_OPTIONS) options: CoreOptions,
  ) {
    // Several processes share the work on PostgreSQL; SQLite has one writer and no row locks.
    this.lock = databaseKindOf(options.database.url) === 'sqlite' ? {} : { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE };
  }

  /** Retry stored deliveries soon; calls made while a pass runs coalesce into one more pass. */
  kick(): void {
    this.loop.kick();
  }

  /** Poll for stored deliveries (left by a crash, another process, or waiting for a retry). */
  start(pollMs = 1000): void {
    this.loop.start(pollMs);
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /**
   * Claims due deliveries and applies them in one transaction. When the batch fails, each
   * delivery is tried on its own so one bad delivery cannot hold up the others.
   */
  private async pass(): Promise<number> {
    const now = this.clock.now();
    // Retry scheduling is bookkeeping, on the wall clock; `now` (the injected clock) is domain time.
    const due = { processedAt: null, $or: [{ nextAttemptAt: null }, { nextAttemptAt: { $lte: new Date() } }] };
    let claimed: string[] = [];
    try {
      await this.orm.em.fork().transactional(async (em) => {
        const rows = await em.find(InboundWebhook, due, { orderBy: { id: 'asc' }, limit: MAX_BATCH, ...this.lock });
        claimed = rows.map((r) => r.id);
        await this.process(em, rows, now);
      });
    } catch (error) {
      if (claimed.length <= 1) {
        if (claimed[0]) await this.recordFailure(claimed[0], error);
        return claimed.length;
      }
      for (const id of claimed) {
        try {
          await this.orm.em.fork().transactional(async (em) => {
            const row = await em.findOne(InboundWebhook, { id, ...due }, this.lock);
            if (row) await this.process(em, [row], now);
          });
        } catch (rowError) {
          await this.recordFailure(id, rowError);
        }
      }
    }
    if (claimed.length > 0) this.relay.kick();
    return claimed.length;
  }

  /** Applies deliveries straight away, in one transaction (the webhook's fast path). */
  async applyNow(deliveries: Delivery[]): Promise<void> {
    await this.orm.em.fork().transactional((em) => this.applyAll(em, deliveries, this.clock.now()));
    this.relay.kick();
  }

  /** Stored deliveries (the ones that could not be applied at once) in a claimed batch. */
  private async process(em: EntityManager, rows: InboundWebhook[], now: Date): Promise<void> {
    const deliveries: Delivery[] = [];
    for (const row of rows) {
      row.processedAt = new Date();
      const resolved = await this.channels.resolve(row.channelAccountId).catch(() => null);
      if (resolved) deliveries.push({ resolved, events: reviveEvents(row.events) });
      else row.lastError = 'the channel account no longer exists';
    }
    await this.applyAll(em, deliveries, now);
  }

  private async applyAll(em: EntityManager, deliveries: Delivery[], now: Date): Promise<void> {
    if (deliveries.length === 0) return;
    const state = await this.prefetch(em, deliveries);
    for (const { resolved, events } of deliveries) {
      const tenant = await this.tenants.slugOf(resolved.account.tenantId);
      // Inbound messages in provider time order, so the window ends up at the latest one.
      const ordered = [...events].sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
      for (const event of ordered) await this.applyEvent(em, state, resolved, tenant, now, event);
    }
  }

  /** Keeps deliveries that could not be applied now, to retry them in the background. */
  async storeForRetry(channelAccountId: string, events: ChannelEvent[], error: unknown): Promise<void> {
    const now = new Date();
    await this.orm.em.fork().insert(InboundWebhook, {
      id: newId(),
      channelAccountId,
      events,
      receivedAt: now,
      attempts: 1,
      nextAttemptAt: new Date(now.getTime() + RETRY_DELAYS_MS[0]!),
      lastError: (error instanceof Error ? error.message : String(error)).slice(0, 2000),
    });
  }

  /** Backs off a delivery that failed; after MAX_ATTEMPTS it is set aside with its error. */
  private async recordFailure(id: string, error: unknown): Promise<void> {
    const em = this.orm.em.fork();
    const row = await em.findOne(InboundWebhook, id);
    if (!row || row.processedAt) return;
    const now = new Date();
    row.attempts += 1;
    row.lastError = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
    if (row.attempts >= MAX_ATTEMPTS) {
      row.processedAt = now;
      this.logger.error(`webhook delivery ${row.id} set aside after ${row.attempts} attempts: ${row.lastError}`);
    } else {
      row.nextAttemptAt = new Date(now.getTime() + RETRY_DELAYS_MS[Math.min(row.attempts - 1, RETRY_DELAYS_MS.length - 1)]!);
      if (!(error instanceof ObrolError && error.code === 'NOT_READY')) this.logger.warn(`webhook delivery ${row.id} failed (attempt ${row.attempts}), retrying: ${row.lastError}`);
    }
    await em.flush();
  }

  /** Deletes processed deliveries older than `olderThan`; ones set aside after failing stay 30 days. */
  async prune(olderThan: Date): Promise<number> {
    const em = this.orm.em.fork();
    const monthAgo = new Date(olderThan.getTime() - 30 * 24 * 60 * 60 * 1000);
    return (
      (await em.nativeDelete(InboundWebhook, { processedAt: { $lt: olderThan }, attempts: { $lt: MAX_ATTEMPTS } })) +
      (await em.nativeDelete(InboundWebhook, { processedAt: { $lt: monthAgo } }))
    );
  }

  /** Loads in a few queries every row the batch will look up. */
  private async prefetch(em: EntityManager, batch: Delivery[]): Promise<BatchState> {
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
    const key = `${account.id}:${event.externalId}`;
    let message = state.messages.get(key);
    if (!message && event.messageId) {
      // Echoes our id: settles a send whose outcome was never recorded (messages/send-attempts.service.ts).
      const settled = await this.sendAttempts.settleFromStatus(em, account.id, event);
      if (settled === 'another-copy') return;
      if (settled) state.messages.set(key, (message = settled));
    }
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
