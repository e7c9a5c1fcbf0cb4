import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/core';
import type { MessageContent, TemplateParameters } from '@obrol/contracts';
import { CORE_OPTIONS, type CoreOptions, HandWrittenSql, chunksOf, databaseKindOf } from '@obrol/core';
import { inItsAudience } from './broadcast-recipient.entity.js';

/** A pending recipient as the hand-out claims it: only what its message needs. */
export interface ClaimedRecipient {
  id: string;
  phone: string;
  parameters: TemplateParameters | null;
  attempts: number;
}

/** A broadcast message to insert, queued for the send consumer. */
export interface QueuedBroadcastMessage {
  id: string;
  tenantId: string;
  channelAccountId: string;
  conversationId: string;
  broadcastId: string;
  content: MessageContent;
  idempotencyKey: string;
}

/** A claimed recipient's move to queued: its message and its contact. */
export interface RecipientQueued {
  recipientId: string;
  messageId: string;
  contactId: string;
}

/**
 * The SQL of a broadcast's hand-out (ADR 0027), written by hand like the ingest path's
 * (`MessageIngestWriter`): claiming a batch of pending recipients, inserting their messages,
 * touching their conversations and moving the recipients to queued, each one statement per few
 * hundred rows in the hand-out's transaction, instead of a unit of work that inserted and
 * updated row by row. The one place that knows these rows' columns for the hand-out.
 */
@Injectable()
export class BroadcastHandOutWriter {
  private readonly sql: HandWrittenSql;

  constructor(@Inject(CORE_OPTIONS) options: CoreOptions) {
    this.sql = new HandWrittenSql(databaseKindOf(options.database.url));
  }

  /**
   * The first `limit` pending recipients of the broadcast, by id. On PostgreSQL they stay locked
   * until the hand-out commits and rows another worker holds are skipped, so two workers never
   * claim the same recipient; SQLite's single writer serialises hand-outs anyway.
   */
  async claim(em: EntityManager, broadcastId: string, limit: number): Promise<ClaimedRecipient[]> {
    const lock = this.sql.kind === 'postgresql' ? ' for update skip locked' : '';
    const rows = await this.sql.all<{ id: string; phone: string; parameters: unknown; attempts: number | string }>(
      em,
      `select id, phone, parameters, attempts from broadcast_recipients where broadcast_id = ? and ${inItsAudience()} and status = 'pending' order by id limit ?${lock}`,
      [broadcastId, broadcastId, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      phone: r.phone,
      parameters: r.parameters === null ? null : this.sql.readJson<TemplateParameters>(r.parameters),
      attempts: Number(r.attempts),
    }));
  }

  /**
   * Inserts the messages, queued. Their idempotency keys are unique: a message of the same
   * recipient and attempt stored already fails the hand-out rather than sending twice.
   */
  async insertMessages(em: EntityManager, messages: QueuedBroadcastMessage[]): Promise<void> {
    const { sql } = this;
    // Bookkeeping on the wall clock, as the entity's defaults do.
    const now = sql.date(new Date());
    for (const chunk of chunksOf(messages)) {
      const values = sql.rowsOf(
        chunk.map((m) => [m.id, now, now, m.tenantId, m.channelAccountId, m.conversationId, sql.json(m.content), m.idempotencyKey, m.broadcastId]),
        ['text', 'timestamptz', 'timestamptz', 'text', 'text', 'text', { constant: "'outbound'" }, 'jsonb', { constant: "'queued'" }, 'text', { constant: '0' }, 'text'],
      );
      await sql.run(
        em,
        `insert into messages (id, created_at, updated_at, tenant_id, channel_account_id, conversation_id, direction, content, status, idempotency_key, send_attempts, broadcast_id) ${values.sql}`,
        values.params,
        { prepared: true },
      );
    }
  }

  /** Sets each conversation's last message (its time and preview) to the broadcast's. */
  async touchConversations(em: EntityManager, at: Date, previews: Array<{ conversationId: string; preview: string }>): Promise<void> {
    const { sql } = this;
    for (const chunk of chunksOf(previews)) {
      const v = sql.rowsOf(
        chunk.map((p) => [p.conversationId, p.preview]),
        ['text', 'text'],
      );
      await sql.run(
        em,
        `with v (ref, preview) as (${v.sql}) ` +
          'update conversations set last_message_at = ?, last_message_preview = v.preview, updated_at = ? from v where conversations.id = v.ref',
        [...v.params, sql.date(at), sql.date(new Date())],
        { prepared: true },
      );
    }
  }

  /**
   * Moves claimed recipients from pending to queued with their message, contact and one more
   * attempt. A recipient no longer pending fails the hand-out: it was claimed, so something
   * else moved it, and its message must not be sent.
   */
  async markQueued(em: EntityManager, moves: RecipientQueued[]): Promise<void> {
    const { sql } = this;
    for (const chunk of chunksOf(moves)) {
      const v = sql.rowsOf(
        chunk.map((m) => [m.recipientId, m.messageId, m.contactId]),
        ['text', 'text', 'text'],
      );
      const moved = await sql.all<{ id: string }>(
        em,
        `with v (ref, message_id, contact_id) as (${v.sql}) ` +
          "update broadcast_recipients set status = 'queued', message_id = v.message_id, contact_id = v.contact_id, attempts = attempts + 1, next_attempt_at = null, updated_at = ? " +
          "from v where broadcast_recipients.id = v.ref and broadcast_recipients.status = 'pending' returning broadcast_recipients.id",
        [...v.params, sql.date(new Date())],
        { prepared: true },
      );
      if (moved.length !== chunk.length) throw new Error(`${chunk.length - moved.length} claimed recipient(s) of this hand-out were moved meanwhile`);
    }
  }
}
