import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/core';
import type { ChannelError, MessageContent, MessageStatus } from '@obrol/contracts';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { type CountedStatement, HandWrittenSql, type RowColumn, chunksOf, PLANNED_EACH_RUN } from '../database/hand-written-sql.js';
import { databaseKindOf } from '../database/orm-config.js';
import type { OutboxRow } from '../outbox/outbox.js';
import { OutboxWriter } from '../outbox/outbox.writer.js';
import type { Message } from './message.entity.js';

/**
 * A message as the ingest path reads and writes it: a plain row, never managed by a unit of
 * work. Shaped like the entity where they overlap, so `messageView` and `applyStatus` take either.
 */
export interface IngestedMessage {
  id: string;
  tenantId: string;
  channelAccount: { id: string };
  conversation: { id: string; contact: { id: string } };
  direction: Message['direction'];
  content: MessageContent;
  status: MessageStatus;
  error: ChannelError | null;
  externalId: string | null;
  replyToExternalId: string | null;
  providerTimestamp: Date | null;
  sentByAgentId: string | null;
  referral: Record<string, unknown> | null;
  broadcastId: string | null;
  createdAt: Date;
}

/** The same message as a plain row (a `Message` with its conversation and contact loaded). */
export function ingestedOf(m: Message): IngestedMessage {
  return {
    id: m.id,
    tenantId: m.tenantId,
    channelAccount: { id: m.channelAccount.id },
    conversation: { id: m.conversation.id, contact: { id: m.conversation.contact.id } },
    direction: m.direction,
    content: m.content,
    status: m.status,
    error: m.error,
    externalId: m.externalId,
    replyToExternalId: m.replyToExternalId,
    providerTimestamp: m.providerTimestamp,
    sentByAgentId: m.sentByAgentId,
    referral: m.referral,
    broadcastId: m.broadcastId,
    createdAt: m.createdAt,
  };
}

/** A conversation as a batch leaves it, where the batch's writes read it. */
interface TouchedConversation {
  id: string;
  lastInboundAt: Date | null;
  windowExpiresAt: Date | null;
  lastMessageAt: Date | null;
  lastMessagePreview: string | null;
}

/** A conversation customers wrote to in one batch: how many messages it got, and what they moved. */
export interface ConversationTouch {
  conversation: TouchedConversation;
  messages: number;
  /** The window (last inbound time and its end) moved forward. */
  windowMoved: boolean;
  /** The last message's time and preview moved. */
  lastMessageMoved: boolean;
}

/**
 * What one group commit writes to the hot tables, collected while its deliveries are applied
 * and written at the end with a handful of set-based statements (`MessageIngestWriter.write`).
 */
export class IngestBatch {
  /** New inbound messages, in the order they were recorded. */
  readonly created: IngestedMessage[] = [];
  /** Stored messages whose status moved, by id; each holds its final status and error. */
  readonly moved = new Map<string, IngestedMessage>();
  /** Outbox rows, in the order they were recorded. */
  readonly outbox: OutboxRow[] = [];
  /** Conversations customers wrote to, by id. */
  readonly touched = new Map<string, ConversationTouch>();
  private readonly createdIds = new Set<string>();

  create(message: IngestedMessage): void {
    this.created.push(message);
    this.createdIds.add(message.id);
  }

  /** Notes that `message`'s status (already changed on the object) must be stored. */
  statusMoved(message: IngestedMessage): void {
    // A message created in this batch is inserted with its latest status anyway.
    if (!this.createdIds.has(message.id)) this.moved.set(message.id, message);
  }

  /** The change a customer's message makes to `conversation`, accumulated over the batch. */
  touch(conversation: TouchedConversation): ConversationTouch {
    let touch = this.touched.get(conversation.id);
    if (!touch) this.touched.set(conversation.id, (touch = { conversation, messages: 0, windowMoved: false, lastMessageMoved: false }));
    return touch;
  }

  record(row: OutboxRow): void {
    this.outbox.push(row);
  }
}

/**
 * Status order inside SQL, the same as `isStatusAdvance` in contracts (`message-ingest.writer`
 * specs compare the two on every pair): forward only, `failed` replaces only an undelivered
 * message, and a failed message moves on only on proof it arrived.
 */
const rank = (column: string) => `(case ${column} when 'sent' then 1 when 'failed' then 1 when 'delivered' then 2 when 'read' then 3 else 0 end)`;
export const statusAdvanceSql = (current: string, next: string) =>
  `(case when ${current} = ${next} then false ` +
  `when ${next} = 'failed' then ${current} not in ('delivered', 'read') ` +
  `when ${current} = 'failed' then ${next} in ('delivered', 'read') ` +
  `else ${rank(next)} > ${rank(current)} end)`;

const MESSAGE_COLUMNS =
  'id, created_at, updated_at, tenant_id, channel_account_id, conversation_id, direction, content, status, error, external_id, reply_to_external_id, provider_timestamp, referral, send_attempts';
/** The columns of `MESSAGE_COLUMNS` as `HandWrittenSql.rowsOf` takes them. */
const MESSAGE_TYPES: RowColumn[] = [
  ...['text', 'timestamptz', 'timestamptz', 'text', 'text', 'text', 'text', 'jsonb', 'text', 'jsonb', 'text', 'text', 'timestamptz', 'jsonb'],
  { constant: '0' },
];

/** A `messages` row joined with its conversation's contact id, as hand-written selects read it. */
export interface StoredMessageRow {
  id: string;
  tenant_id: string;
  channel_account_id: string;
  conversation_id: string;
  contact_id: string;
  direction: Message['direction'];
  content: unknown;
  status: MessageStatus;
  error: unknown;
  /** Always set on the rows ingest looks up (it finds them by it); a queued send has none yet. */
  external_id: string | null;
  reply_to_external_id: string | null;
  provider_timestamp: unknown;
  sent_by_agent_id: string | null;
  referral: unknown;
  broadcast_id: string | null;
  created_at: unknown;
}

/**
 * The set-based write path of webhook ingest (ADR 0017, 0037): the message rows of a group commit
 * are looked up, inserted and moved with hand-written statements in the batch's transaction,
 * not through the unit of work — one lookup per few hundred external ids, one update of the
 * conversations customers wrote to, one multi-row insert (deduplicated on channel account +
 * external id), one status update (forward-only in SQL) and one outbox insert per batch. The one place that knows the SQL of these rows: a column added
 * to `messages` that ingest must fill goes here.
 */
@Injectable()
export class MessageIngestWriter {
  private readonly sql: HandWrittenSql;

  constructor(
    private readonly outbox: OutboxWriter,
    @Inject(CORE_OPTIONS) options: CoreOptions,
  ) {
    this.sql = new HandWrittenSql(databaseKindOf(options.database.url));
  }

  /**
   * Messages of one channel account by the provider's ids. On PostgreSQL the rows are locked
   * until the batch commits, so the statuses computed from them are the ones stored.
   */
  async findByExternalIds(em: EntityManager, channelAccountId: string, externalIds: string[]): Promise<Map<string, IngestedMessage>> {
    const found = new Map<string, IngestedMessage>();
    const ids = [...new Set(externalIds)].sort();
    const lock = this.sql.kind === 'postgresql' ? ' order by m.id for update of m' : '';
    for (const chunk of chunksOf(ids)) {
      const externalIdIn = this.sql.inList('m.external_id', chunk, 'text');
      const rows = await this.sql.all<StoredMessageRow>(
        em,
        'select m.id, m.tenant_id, m.channel_account_id, m.conversation_id, c.contact_id, m.direction, m.content, m.status, m.error, m.external_id, ' +
          'm.reply_to_external_id, m.provider_timestamp, m.sent_by_agent_id, m.referral, m.broadcast_id, m.created_at ' +
          `from messages m join conversations c on c.id = m.conversation_id where m.channel_account_id = ? and ${externalIdIn.sql}${lock}`,
        [channelAccountId, ...externalIdIn.params],
        PLANNED_EACH_RUN,
      );
      for (const row of rows) found.set(row.external_id!, storedMessageOf(this.sql, row));
    }
    return found;
  }

  /**
   * Writes what the batch collected, in the caller's transaction, after its unit of work was
   * flushed: on PostgreSQL in one round trip (ADR 0040). The four write different rows: the
   * conversations touched, new inbound messages, statuses of messages stored before (never one
   * of this batch's new ones: a status is for a message Obrol sent), and outbox rows.
   */
  async write(em: EntityManager, batch: IngestBatch): Promise<void> {
    await this.sql.runCounted(em, [
      ...this.touchConversations([...batch.touched.values()]),
      ...this.insert(batch.created),
      ...this.moveStatuses([...batch.moved.values()]),
      ...this.outbox.statements(batch.outbox),
    ]);
    this.outbox.written(em, batch.outbox);
  }

  /**
   * Moves the conversations customers wrote to, relative to what is stored when the statement
   * runs, so a change another process made since the batch read them is kept: the unread count
   * grows by the batch's messages, a resolved conversation reopens (an open or pending one keeps
   * its status), a snooze ends, and the window and the last message move only forward.
   */
  private touchConversations(touches: ConversationTouch[]): CountedStatement[] {
    const { sql } = this;
    const laterInbound = 'v.inbound_at is not null and (conversations.last_inbound_at is null or v.inbound_at > conversations.last_inbound_at)';
    const laterMessage = 'v.message_at is not null and (conversations.last_message_at is null or v.message_at >= conversations.last_message_at)';
    return [...chunksOf(touches)].map((chunk) => {
      const v = sql.rowsOf(
        chunk.map(({ conversation: c, messages, windowMoved, lastMessageMoved }) => [
          c.id,
          messages,
          sql.date(windowMoved ? c.lastInboundAt : null),
          sql.date(windowMoved ? c.windowExpiresAt : null),
          sql.date(lastMessageMoved ? c.lastMessageAt : null),
          lastMessageMoved ? c.lastMessagePreview : null,
        ]),
        ['text', 'int', 'timestamptz', 'timestamptz', 'timestamptz', 'text'],
      );
      return {
        sql: `with v (ref, messages, inbound_at, expires_at, message_at, preview) as (${v.sql}) ` +
          "update conversations set status = case when conversations.status = 'resolved' then 'open' else conversations.status end, snoozed_until = null, " +
          'unread_count = conversations.unread_count + v.messages, ' +
          `last_inbound_at = case when ${laterInbound} then v.inbound_at else conversations.last_inbound_at end, ` +
          `window_expires_at = case when ${laterInbound} then v.expires_at else conversations.window_expires_at end, ` +
          `last_message_at = case when ${laterMessage} then v.message_at else conversations.last_message_at end, ` +
          `last_message_preview = case when ${laterMessage} then v.preview else conversations.last_message_preview end, ` +
          'updated_at = ? from v where conversations.id = v.ref returning conversations.id',
        // Bookkeeping on the wall clock, as the entity's `onUpdate` does.
        params: [...v.params, sql.date(new Date())],
        expected: chunk.length,
        mismatch: (missing) => `${missing} conversation(s) of this batch were deleted while it was applied`,
        prepared: true,
      };
    });
  }

  /**
   * Inserts new inbound messages. A row another process inserted first (the unique key on
   * channel account + external id) fails the batch, as the unit of work did: its deliveries are
   * retried alone and then find the message stored.
   */
  private insert(messages: IngestedMessage[]): CountedStatement[] {
    const { sql } = this;
    return [...chunksOf(messages)].map((chunk) => {
      const rows = sql.rowsOf(
        chunk.map((m) => [
          m.id,
          sql.date(m.createdAt),
          sql.date(m.createdAt),
          m.tenantId,
          m.channelAccount.id,
          m.conversation.id,
          m.direction,
          sql.json(m.content),
          m.status,
          sql.json(m.error),
          m.externalId,
          m.replyToExternalId,
          sql.date(m.providerTimestamp),
          sql.json(m.referral),
        ]),
        MESSAGE_TYPES,
      );
      return {
        sql: `insert into messages (${MESSAGE_COLUMNS}) ${rows.sql} on conflict (channel_account_id, external_id) do nothing returning id`,
        params: rows.params,
        expected: chunk.length,
        mismatch: (missing) => `${missing} inbound message(s) of this batch were stored meanwhile by another process`,
        prepared: true,
      };
    });
  }

  /**
   * One update for the batch's status changes; the database applies each only if it moves the
   * stored status forward. A change it refuses means the row moved since it was read (nothing
   * locks rows on SQLite's single writer, and they are locked on PostgreSQL), so the batch fails
   * and is retried rather than recording a fact that did not happen.
   */
  private moveStatuses(messages: IngestedMessage[]): CountedStatement[] {
    const { sql } = this;
    return [...chunksOf(messages)].map((chunk) => {
      const v = sql.rowsOf(
        chunk.map((m) => [m.id, m.status, sql.json(m.error)]),
        ['text', 'text', 'jsonb'],
      );
      return {
        sql:
          `with v (ref, next_status, next_error) as (${v.sql}) ` +
          'update messages set status = v.next_status, error = v.next_error, updated_at = ? ' +
          `from v where messages.id = v.ref and ${statusAdvanceSql('messages.status', 'v.next_status')} returning messages.id`,
        // Bookkeeping on the wall clock, as the entity's `onUpdate` does.
        params: [...v.params, sql.date(new Date())],
        expected: chunk.length,
        mismatch: (missing) => `${missing} message status(es) of this batch changed while it was applied`,
        prepared: true,
      };
    });
  }
}

/** A message row read by hand, as the plain `IngestedMessage` (the send path adds its own columns to it). */
export function storedMessageOf(sql: HandWrittenSql, row: StoredMessageRow): IngestedMessage {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    channelAccount: { id: row.channel_account_id },
    conversation: { id: row.conversation_id, contact: { id: row.contact_id } },
    direction: row.direction,
    content: sql.readJson<MessageContent>(row.content),
    status: row.status,
    error: row.error === null ? null : sql.readJson<ChannelError>(row.error),
    externalId: row.external_id,
    replyToExternalId: row.reply_to_external_id,
    providerTimestamp: sql.readDate(row.provider_timestamp),
    sentByAgentId: row.sent_by_agent_id,
    broadcastId: row.broadcast_id,
    referral: row.referral === null ? null : sql.readJson<Record<string, unknown>>(row.referral),
    createdAt: sql.readDate(row.created_at)!,
  };
}
