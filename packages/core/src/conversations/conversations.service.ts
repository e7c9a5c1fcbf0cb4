import { Inject, Injectable, Logger } from '@nestjs/common';
import { type FilterQuery, type EntityManager, MikroORM } from '@mikro-orm/core';
import { type ChannelPlugin, type Clock, type InboundMessageEvent, type MessageContent, ObrolError, commands, facts, liveEvents, previewOf } from '@obrol/contracts';
import { z } from 'zod';
import { Agent } from '../agents/agent.entity.js';
import { ChannelsService, type ResolvedAccount } from '../channels/channels.service.js';
import type { FoundContact, IngestedContact } from '../contacts/contacts.service.js';
import { messageView } from '../messages/message.view.js';
import { Message } from '../messages/message.entity.js';
import type { IngestBatch, IngestedMessage } from '../messages/message-ingest.writer.js';
import { newId } from '../database/base.entity.js';
import { HandWrittenSql, chunksOf, PLANNED_EACH_RUN } from '../database/hand-written-sql.js';
import { type Principal, assertInbox } from '../auth/principal.js';
import { CLOCK } from '../clock/clock.token.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { type Page, decodeCursor, encodeCursor, pageQuerySchema, timeCursorSchema } from '../http/pagination.js';
import { outboxRow, recordEvent, recordLive } from '../outbox/outbox.js';
import { ChannelRegistry } from '../plugin/channel-registry.js';
import { type DatabaseKind, databaseKindOf } from '../database/orm-config.js';
import { jsonArrayContains } from '../database/json-array-contains.filter.js';
import { applyTagChange, tagChangeShape } from '../tags/tag-change.js';
import { phoneSpellingsOf } from '../search/search-query.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { Conversation } from './conversation.entity.js';
import { type ConversationView, type ConversationViewSource, conversationView } from './conversation.view.js';

export const listConversationsQuerySchema = pageQuerySchema.extend({
  /** `open`: unresolved and not snoozed; `snoozed`: unresolved, snoozed until a later time; `resolved`. Leave out for every conversation. */
  status: z.enum(['open', 'snoozed', 'pending', 'resolved']).optional(),
  /** `me`, `none`, or an agent id. */
  assignee: z.string().max(36).optional(),
  window: z.enum(['open', 'closing', 'closed']).optional(),
  channelAccountId: z.string().max(36).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  /** Conversations carrying this tag, or whose contact carries it. */
  tag: z.string().trim().min(1).max(64).optional(),
});

export const updateConversationSchema = z
  .object({
    status: z.enum(['open', 'pending', 'resolved']).optional(),
    /** An agent id, or null to unassign. */
    assigneeId: z.string().max(36).nullable().optional(),
    /** Snooze until this time (out of the open list until then or until the customer writes); null wakes it now. */
    snoozedUntil: z.iso.datetime({ offset: true }).nullable().optional(),
    /** Mark everything read (resets the unread count). */
    markRead: z.literal(true).optional(),
    ...tagChangeShape,
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'send at least one of status, assigneeId, snoozedUntil, markRead, tags, addTags, removeTags' });


const HOUR = 60 * 60 * 1000;

const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'document', 'sticker']);

function needsMediaFetch(content: MessageContent): boolean {
  return MEDIA_TYPES.has(content.type) && 'media' in content && !!content.media.providerMediaId && !content.media.mediaId;
}

/** A conversation as `findOrCreate` found or made it. */
export interface FoundConversation {
  conversation: Conversation;
  created: boolean;
}

/**
 * A conversation as webhook ingest reads and writes it (`findOrCreateRows`): a plain row, never
 * managed by a unit of work, shaped like the entity where a view reads it. `created` holds until
 * its first message is recorded.
 */
export interface IngestedConversation extends ConversationViewSource {
  windowExpiresAt: Date | null;
  created: boolean;
}

/** A conversation row as `findOrCreateRows` reads it. */
interface StoredConversationRow {
  id: string;
  contact_id: string;
  status: Conversation['status'];
  assignee_id: string | null;
  tags: unknown;
  snoozed_until: unknown;
  last_inbound_at: unknown;
  window_expires_at: unknown;
  last_message_at: unknown;
  last_message_preview: string | null;
  unread_count: number | string;
  created_at: unknown;
}

/** A conversation as `findOrCreateMany` found or made it: its id, not an entity in a unit of work. */
export interface ConversationRef {
  id: string;
  contactId: string;
  created: boolean;
}

@Injectable()
export class ConversationsService {
  private readonly logger = new Logger('ConversationsService');
  private readonly closingSoonMs: number;
  private readonly kind: DatabaseKind;
  private readonly sql: HandWrittenSql;

  constructor(
    private readonly orm: MikroORM,
    private readonly channels: ChannelsService,
    private readonly registry: ChannelRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CORE_OPTIONS) options: CoreOptions,
  ) {
    this.closingSoonMs = options.windowClosingSoonMs ?? 2 * HOUR;
    this.kind = databaseKindOf(options.database.url);
    this.sql = new HandWrittenSql(this.kind);
  }

  /** The conversation as clients see it, with its window computed by the channel's policy. */
  view(c: Conversation, now?: Date, plugin?: ChannelPlugin<unknown>): ConversationView;
  /** A plain row's view: its channel's plugin is the caller's. */
  view(c: ConversationViewSource, now: Date, plugin: ChannelPlugin<unknown>): ConversationView;
  view(c: ConversationViewSource, now = this.clock.now(), plugin: ChannelPlugin<unknown> = this.registry.get((c as Conversation).channelAccount.pluginId)): ConversationView {
    return conversationView(c, plugin.policy.canSendFreeform({ lastInboundAt: c.lastInboundAt }, now), now, this.closingSoonMs);
  }

  /**
   * The conversation of each contact on its channel account, in the caller's unit of work;
   * a new one is opened for a contact that has none. The one find-or-create of conversations
   * (inbound messages and sends to a phone number).
   */
  async findOrCreate(em: EntityManager, { account, plugin }: Pick<ResolvedAccount, 'account' | 'plugin'>, contacts: FoundContact[]): Promise<Map<string, FoundConversation>> {
    const found = new Map<string, FoundConversation>();
    // A contact created in this unit of work has no conversation yet.
    const stored = contacts.filter((c) => !c.created).map((c) => c.contact);
    if (stored.length > 0) {
      // The contacts are this unit of work's already; the account is the caller's (`account`):
      // only its id is read through the conversation, so it is not loaded (nor checked at flush).
      for (const conversation of await em.find(Conversation, { channelAccount: account.id, contact: { $in: stored } })) {
        found.set(conversation.contact.id, { conversation, created: false });
      }
    }
    for (const { contact } of contacts) {
      if (found.has(contact.id)) continue;
      const conversation = em.create(Conversation, { tenantId: account.tenantId, channelAccount: account.id, contact, windowed: plugin.capabilities.sessionWindow });
      found.set(contact.id, { conversation, created: true });
    }
    return found;
  }

  /**
   * `findOrCreate` for webhook ingest (ADR 0037): the conversation of each contact on its channel
   * account as a plain row, set-based and outside any unit of work: per few hundred contacts one
   * select and, for contacts without one, one insert of a new open conversation. The messages
   * recorded in them (`recordInbound`) are written at the end of the batch by
   * `MessageIngestWriter`. A conversation another process opened meanwhile fails the caller's
   * batch, which is then retried delivery by delivery and finds it stored.
   */
  async findOrCreateRows(em: EntityManager, { account, plugin }: Pick<ResolvedAccount, 'account' | 'plugin'>, contacts: IngestedContact[]): Promise<Map<string, IngestedConversation>> {
    const { sql } = this;
    const found = new Map<string, IngestedConversation>();
    const now = new Date();
    // On PostgreSQL locked until the batch commits, in one order: concurrent batches touching
    // the same conversations wait for each other instead of deadlocking.
    const lock = sql.kind === 'postgresql' ? ' order by id for update' : '';
    for (const chunk of chunksOf([...new Map(contacts.map((c) => [c.id, c])).values()])) {
      // A contact created in this batch has no conversation yet.
      const stored = chunk.filter((c) => !c.created);
      const contactIn = sql.inList('contact_id', stored.map((c) => c.id), 'text');
      const rows =
        stored.length === 0
          ? []
          : await sql.all<StoredConversationRow>(
              em,
              'select id, contact_id, status, assignee_id, tags, snoozed_until, last_inbound_at, window_expires_at, last_message_at, last_message_preview, unread_count, created_at ' +
                `from conversations where channel_account_id = ? and ${contactIn.sql}${lock}`,
              [account.id, ...contactIn.params],
              PLANNED_EACH_RUN,
            );
      const byId = new Map(chunk.map((c) => [c.id, c]));
      for (const row of rows) {
        found.set(row.contact_id, {
          id: row.id,
          channelAccount: { id: account.id },
          contact: byId.get(row.contact_id)!,
          status: row.status,
          assignee: row.assignee_id ? { id: row.assignee_id } : null,
          tags: sql.readJson<string[]>(row.tags),
          snoozedUntil: sql.readDate(row.snoozed_until),
          lastInboundAt: sql.readDate(row.last_inbound_at),
          windowExpiresAt: sql.readDate(row.window_expires_at),
          lastMessageAt: sql.readDate(row.last_message_at),
          lastMessagePreview: row.last_message_preview,
          unreadCount: Number(row.unread_count),
          createdAt: sql.readDate(row.created_at)!,
          created: false,
        });
      }
      const fresh = chunk.filter((c) => !found.has(c.id));
      if (fresh.length === 0) continue;
      const opened = fresh.map(
        (contact): IngestedConversation => ({
          id: newId(),
          channelAccount: { id: account.id },
          contact,
          status: 'open',
          assignee: null,
          tags: [],
          snoozedUntil: null,
          lastInboundAt: null,
          windowExpiresAt: null,
          lastMessageAt: null,
          lastMessagePreview: null,
          unreadCount: 0,
          createdAt: now,
          created: true,
        }),
      );
      const inserted = await this.insertRows(em, { account, plugin }, opened.map((c) => ({ id: c.id, contactId: c.contact.id })), 'open', now);
      if (inserted.size !== opened.length) throw new Error(`${opened.length - inserted.size} conversation(s) of this batch were opened meanwhile by another process`);
      for (const c of opened) found.set(c.contact.id, c);
    }
    return found;
  }

  /**
   * The conversation of each contact on one channel account, set-based and outside any unit of
   * work (a broadcast's hand-out): per few hundred contacts, one insert that skips contacts
   * that have one (a contact has one conversation per channel account: the unique key on
   * channel account + contact) and one select of their ids. New ones get `status`; stored ones
   * keep theirs.
   */
  async findOrCreateMany(
    em: EntityManager,
    { account, plugin }: Pick<ResolvedAccount, 'account' | 'plugin'>,
    contactIds: string[],
    status: Conversation['status'] = 'open',
  ): Promise<Map<string, ConversationRef>> {
    const { sql } = this;
    const found = new Map<string, ConversationRef>();
    for (const chunk of chunksOf([...new Set(contactIds)])) {
      const created = await this.insertRows(em, { account, plugin }, chunk.map((contactId) => ({ id: newId(), contactId })), status, new Date());
      const contactIn = sql.inList('contact_id', chunk, 'text');
      const rows = await sql.all<{ id: string; contact_id: string }>(
        em,
        `select id, contact_id from conversations where channel_account_id = ? and ${contactIn.sql}`,
        [account.id, ...contactIn.params],
        PLANNED_EACH_RUN,
      );
      for (const row of rows) found.set(row.contact_id, { id: row.id, contactId: row.contact_id, created: created.has(row.id) });
    }
    return found;
  }

  /**
   * Inserts new conversations (at most a chunk's worth) with `status`, created `now` (bookkeeping on
   * the wall clock, as the entity's defaults do), and answers the ids it
   * inserted: a contact another process opened one for first (the unique key on channel account
   * + contact) is skipped. The one place that knows what a new conversation row holds, for the
   * set-based callers.
   */
  private async insertRows(
    em: EntityManager,
    { account, plugin }: Pick<ResolvedAccount, 'account' | 'plugin'>,
    rows: { id: string; contactId: string }[],
    status: Conversation['status'],
    now: Date,
  ): Promise<Set<string>> {
    const { sql } = this;
    const windowed = sql.flag(plugin.capabilities.sessionWindow);
    const values = sql.rowsOf(
      rows.map((r) => [r.id, sql.date(now), sql.date(now), account.tenantId, account.id, r.contactId, status, windowed]),
      ['text', 'timestamptz', 'timestamptz', 'text', 'text', 'text', 'text', 'boolean', { constant: '0' }, { constant: sql.kind === 'postgresql' ? "'[]'::jsonb" : "'[]'" }],
    );
    const inserted = await sql.all<{ id: string }>(
      em,
      `insert into conversations (id, created_at, updated_at, tenant_id, channel_account_id, contact_id, status, windowed, unread_count, tags) ${values.sql} ` +
        'on conflict (channel_account_id, contact_id) do nothing returning id',
      values.params,
      { prepared: true },
    );
    return new Set(inserted.map((r) => r.id));
  }

  /**
   * Records a customer's message of an ingest batch in its conversation: reopens a resolved
   * conversation, wakes a snoozed one, moves the window (only forward, by the provider's
   * timestamp), the preview and the unread count, and adds to the batch the message, the
   * conversation's change (written with the batch, forward only in SQL: `MessageIngestWriter`)
   * and `conversation.opened` (when it (re)opened), `message.received` and, for media, the
   * command to fetch it.
   */
  recordInbound(batch: IngestBatch, tenant: string, now: Date, { account, plugin }: Pick<ResolvedAccount, 'account' | 'plugin'>, conversation: IngestedConversation, event: InboundMessageEvent): IngestedMessage {
    const opened = conversation.created || conversation.status === 'resolved';
    if (conversation.status === 'resolved') conversation.status = 'open';
    // The customer writing wakes a snoozed conversation.
    conversation.snoozedUntil = null;
    conversation.created = false;
    const touch = batch.touch(conversation);
    if (event.opensWindow && (!conversation.lastInboundAt || event.timestamp > conversation.lastInboundAt)) {
      conversation.lastInboundAt = event.timestamp;
      conversation.windowExpiresAt = plugin.policy.canSendFreeform({ lastInboundAt: event.timestamp }, event.timestamp).expiresAt;
      touch.windowMoved = true;
    }
    if (!conversation.lastMessageAt || event.timestamp >= conversation.lastMessageAt) {
      conversation.lastMessageAt = event.timestamp;
      conversation.lastMessagePreview = previewOf(event.content).slice(0, 255);
      touch.lastMessageMoved = true;
    }
    conversation.unreadCount += 1;
    touch.messages += 1;
    const message: IngestedMessage = {
      id: newId(),
      tenantId: account.tenantId,
      channelAccount: { id: account.id },
      conversation: { id: conversation.id, contact: { id: conversation.contact.id } },
      direction: 'inbound',
      content: event.content,
      status: 'received',
      error: null,
      externalId: event.externalId,
      replyToExternalId: event.replyToExternalId ?? null,
      providerTimestamp: event.timestamp,
      sentByAgentId: null,
      referral: event.referral ?? null,
      broadcastId: null,
      createdAt: new Date(),
    };
    batch.create(message);
    const ref = { conversationId: conversation.id, channelAccountId: account.id, contactId: conversation.contact.id };
    if (opened) batch.record(outboxRow(tenant, now, facts.conversationOpened(tenant, { ...ref, status: conversation.status, assigneeId: conversation.assignee?.id ?? null })));
    const view = messageView(message);
    batch.record(
      outboxRow(
        tenant,
        now,
        facts.messageReceived(tenant, { ...ref, message: view }),
        liveEvents.messageCreated(tenant, { channelAccountId: account.id, conversationId: conversation.id, data: { message: view, conversation: this.view(conversation, now, plugin) } }),
      ),
    );
    if (needsMediaFetch(event.content) && plugin.media) {
      batch.record(outboxRow(tenant, now, commands.fetchMedia(tenant, plugin.id, { messageId: message.id, channelAccountId: account.id })));
    }
    return message;
  }

  async list(principal: Principal, query: z.infer<typeof listConversationsQuerySchema>): Promise<Page<ConversationView>> {
    const now = this.clock.now();
    const and: FilterQuery<Conversation>[] = [{ tenantId: principal.tenantId }];
    if (principal.inboxIds !== 'all') and.push({ channelAccount: { $in: [...principal.inboxIds] } });
    if (query.channelAccountId) and.push({ channelAccount: query.channelAccountId });
    if (query.status === 'open') and.push({ status: { $ne: 'resolved' }, $or: [{ snoozedUntil: null }, { snoozedUntil: { $lte: now } }] });
    else if (query.status === 'snoozed') and.push({ status: { $ne: 'resolved' }, snoozedUntil: { $gt: now } });
    else if (query.status) and.push({ status: query.status });
    if (query.assignee === 'me') {
      if (principal.kind !== 'agent') throw new ObrolError('VALIDATION_FAILED', 'assignee=me needs an agent token, not an API key.');
      and.push({ assignee: principal.agentId });
    } else if (query.assignee === 'none') and.push({ assignee: null });
    else if (query.assignee) and.push({ assignee: query.assignee });
    if (query.window === 'open') and.push({ $or: [{ windowed: false }, { windowExpiresAt: { $gt: now } }] });
    if (query.window === 'closing')
      and.push({ windowed: true, windowExpiresAt: { $gt: now, $lte: new Date(now.getTime() + this.closingSoonMs) } });
    if (query.window === 'closed') and.push({ windowed: true, $or: [{ windowExpiresAt: null }, { windowExpiresAt: { $lte: now } }] });
    if (query.q) {
      const like = `%${query.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
      const tenant = await this.orm.em.fork().findOneOrFail(Tenant, principal.tenantId);
      // "0812…" finds "+62812…": a phone number is also looked for in international form.
      const phones = (phoneSpellingsOf(query.q, tenant.defaultCountry) ?? []).map((digits) => ({ contact: { phone: { $like: `%${digits}%` } } }));
      and.push({ $or: [{ contact: { name: { $like: like } } }, { contact: { phone: { $like: like } } }, { lastMessagePreview: { $like: like } }, ...phones] });
    }
    if (query.tag) {
      const tag = query.tag.toLowerCase().replace(/\s+/g, '-');
      and.push({ $or: [jsonArrayContains(this.kind, 'tags', tag), jsonArrayContains(this.kind, 'tags', tag, { table: 'contacts', key: 'contact_id' })] });
    }
    if (query.cursor) {
      const c = decodeCursor(query.cursor, timeCursorSchema);
      const t = c.t ? new Date(c.t) : null;
      and.push(t ? { $or: [{ lastMessageAt: { $lt: t } }, { lastMessageAt: t, id: { $lt: c.id } }] } : { id: { $lt: c.id } });
    }
    const rows = await this.orm.em.fork().find(
      Conversation,
      { $and: and },
      { orderBy: { lastMessageAt: 'desc', id: 'desc' }, limit: query.limit + 1, populate: ['contact', 'channelAccount'] },
    );
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return {
      items: items.map((c) => this.view(c, now)),
      nextCursor: rows.length > query.limit && last ? encodeCursor({ t: last.lastMessageAt?.toISOString() ?? null, id: last.id }) : null,
    };
  }

  /** A conversation the principal may see, or 404. */
  async get(principal: Principal, id: string, em = this.orm.em.fork()): Promise<Conversation> {
    const c = await em.findOne(Conversation, { id, tenantId: principal.tenantId }, { populate: ['contact', 'channelAccount'] });
    if (!c) throw new ObrolError('NOT_FOUND', 'Conversation not found.');
    assertInbox(principal, c.channelAccount.id, 'Conversation');
    return c;
  }

  async update(principal: Principal, id: string, input: z.infer<typeof updateConversationSchema>): Promise<ConversationView> {
    const em = this.orm.em.fork();
    const c = await this.get(principal, id, em);
    const now = this.clock.now();
    const ref = { conversationId: c.id, channelAccountId: c.channelAccount.id, contactId: c.contact.id };
    if (input.assigneeId !== undefined && input.assigneeId !== (c.assignee?.id ?? null)) {
      if (input.assigneeId) {
        const agent = await em.findOne(Agent, { id: input.assigneeId, tenantId: principal.tenantId }, { populate: ['inboxes'] });
        if (!agent || !agent.active) throw new ObrolError('VALIDATION_FAILED', 'assigneeId is not an active agent of this workspace.');
        if (agent.role !== 'admin' && !agent.inboxes.getItems().some((i) => i.id === c.channelAccount.id)) {
          throw new ObrolError('VALIDATION_FAILED', 'That agent does not belong to this inbox; add them to it first.');
        }
        c.assignee = agent;
      } else c.assignee = null;
      this.record(em, principal.tenantSlug, now, c, 'assigned', ref, principal.kind === 'agent' ? principal.agentId : null);
    }
    if (input.status && input.status !== c.status) {
      c.status = input.status;
      // Resolving or reopening ends a snooze.
      c.snoozedUntil = null;
      this.record(em, principal.tenantSlug, now, c, input.status === 'resolved' ? 'resolved' : 'opened', ref);
    }
    if (input.snoozedUntil !== undefined) {
      const until = input.snoozedUntil === null ? null : new Date(input.snoozedUntil);
      if (until && until <= now) throw new ObrolError('VALIDATION_FAILED', 'snoozedUntil must be in the future.', { problems: [{ field: 'snoozedUntil', message: 'must be in the future' }] });
      if (until && c.status === 'resolved') throw new ObrolError('VALIDATION_FAILED', 'A resolved conversation cannot be snoozed; reopen it first.', { problems: [{ field: 'snoozedUntil', message: 'conversation is resolved' }] });
      c.snoozedUntil = until;
      recordLive(em, principal.tenantSlug, now, liveEvents.conversationUpdated(principal.tenantSlug, { channelAccountId: ref.channelAccountId, conversationId: c.id, data: { conversation: this.view(c, now) } }));
    }
    const tagged = applyTagChange(c.tags, input);
    if (tagged) {
      c.tags = tagged.tags;
      recordEvent(
        em,
        principal.tenantSlug,
        now,
        facts.conversationTagged(principal.tenantSlug, { ...ref, tags: tagged.tags, added: tagged.added, removed: tagged.removed }),
        liveEvents.conversationUpdated(principal.tenantSlug, { channelAccountId: ref.channelAccountId, conversationId: c.id, data: { conversation: this.view(c, now) } }),
      );
    }
    if (input.markRead) c.unreadCount = 0;
    await em.flush();
    if (input.markRead) void this.sendReadReceipt(em, c);
    return this.view(c, now);
  }

  /** Tells the customer (blue ticks) that the latest message was read; best effort. */
  private async sendReadReceipt(em: EntityManager, c: Conversation): Promise<void> {
    try {
      const resolved = await this.channels.resolve(c.channelAccount.id);
      if (!resolved.plugin.markRead || !resolved.plugin.capabilities.readReceipts) return;
      const latest = await em.findOne(Message, { conversation: c, direction: 'inbound', externalId: { $ne: null } }, { orderBy: { id: 'desc' } });
      if (!latest?.externalId) return;
      const result = await resolved.plugin.markRead(latest.externalId, resolved.context);
      if (!result.ok) this.logger.warn(`read receipt for ${latest.id} failed: ${result.error.message}`);
    } catch (error) {
      this.logger.warn(`read receipt failed: ${(error as Error).message}`);
    }
  }

  /**
   * Records a change of assignment or status: its fact, and the conversation pushed to browsers.
   * An assignment someone else made (`byAgentId`, or null for auto-assignment) is also pushed to
   * the new assignee alone, so their inbox can tell them.
   */
  record(
    em: EntityManager,
    tenant: string,
    now: Date,
    c: Conversation,
    event: 'assigned' | 'resolved' | 'opened',
    ref: { conversationId: string; channelAccountId: string; contactId: string },
    byAgentId: string | null = null,
  ): void {
    const fact = event === 'assigned' ? facts.conversationAssigned : event === 'resolved' ? facts.conversationResolved : facts.conversationOpened;
    recordEvent(
      em,
      tenant,
      now,
      fact(tenant, { ...ref, status: c.status, assigneeId: c.assignee?.id ?? null }),
      liveEvents.conversationUpdated(tenant, { channelAccountId: ref.channelAccountId, conversationId: c.id, data: { conversation: this.view(c, now) } }),
    );
    if (event === 'assigned' && c.assignee && c.assignee.id !== byAgentId) {
      recordLive(em, tenant, now, liveEvents.agentAssigned(tenant, { channelAccountId: ref.channelAccountId, conversationId: c.id, recipientAgentId: c.assignee.id, data: { conversation: this.view(c, now), byAgentId } }));
    }
  }
}
