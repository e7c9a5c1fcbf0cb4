import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/core';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { HandWrittenSql, chunksOf, PLANNED_EACH_RUN } from '../database/hand-written-sql.js';
import { databaseKindOf } from '../database/orm-config.js';
import { type IngestedMessage, type StoredMessageRow, storedMessageOf } from './message-ingest.writer.js';

/**
 * A queued outbound message as the send path reads it: a plain row with its conversation's
 * contact (where it goes), never managed by a unit of work. Shaped like the entity where they
 * overlap, so `messageView` and `applyStatus` take it.
 */
export interface QueuedSend extends IngestedMessage {
  conversation: { id: string; contact: { id: string; externalId: string; phone: string | null; name: string | null } };
  sendAttempts: number;
  idempotencyKey: string | null;
}

/** A send the provider accepted, with the id it gave the message. */
export interface AcceptedSend {
  send: QueuedSend;
  externalId: string;
}

interface QueuedRow extends StoredMessageRow {
  contact_external_id: string;
  contact_phone: string | null;
  contact_name: string | null;
  send_attempts: number | string;
  idempotency_key: string | null;
}

/**
 * The set-based statements of the send path's group commit (ADR 0026): a batch of send commands
 * is loaded with one select, its attempts are opened with one conditional update, and the
 * accepted sends are recorded with one update. The attempt rules are those of `SendAttempts`,
 * written for many rows at once: an attempt opens only on a queued message with none open and
 * the attempt count read, and closes only if it is still the one this process opened.
 */
@Injectable()
export class SendBatchWriter {
  private readonly sql: HandWrittenSql;

  constructor(@Inject(CORE_OPTIONS) options: CoreOptions) {
    this.sql = new HandWrittenSql(databaseKindOf(options.database.url));
  }

  /** The messages by id, each with its conversation's contact; missing ids are absent. */
  async load(em: EntityManager, ids: string[]): Promise<Map<string, QueuedSend>> {
    const found = new Map<string, QueuedSend>();
    for (const chunk of chunksOf([...new Set(ids)])) {
      const idIn = this.sql.inList('m.id', chunk, 'text');
      const rows = await this.sql.all<QueuedRow>(
        em,
        'select m.id, m.tenant_id, m.channel_account_id, m.conversation_id, c.contact_id, ct.external_id as contact_external_id, ct.phone as contact_phone, ' +
          'ct.name as contact_name, m.direction, m.content, m.status, m.error, m.external_id, m.reply_to_external_id, m.provider_timestamp, m.sent_by_agent_id, ' +
          'm.referral, m.broadcast_id, m.created_at, m.send_attempts, m.idempotency_key ' +
          'from messages m join conversations c on c.id = m.conversation_id join contacts ct on ct.id = c.contact_id ' +
          `where ${idIn.sql}`,
        idIn.params,
        PLANNED_EACH_RUN,
      );
      for (const row of rows) found.set(row.id, this.fromRow(row));
    }
    return found;
  }

  /**
   * Opens the next attempt of each send, committed at once (`em` outside a transaction). Returns
   * the ones this process won; the others were claimed by another delivery, or an earlier attempt
   * of theirs is still open (in doubt). The winners' `sendAttempts` count the new attempt.
   */
  async openAttempts(em: EntityManager, sends: QueuedSend[], now: Date): Promise<QueuedSend[]> {
    const { sql } = this;
    const won = new Set<string>();
    const byAttempts = new Map<number, QueuedSend[]>();
    for (const send of sends) {
      const group = byAttempts.get(send.sendAttempts);
      if (group) group.push(send);
      else byAttempts.set(send.sendAttempts, [send]);
    }
    for (const [attempts, group] of byAttempts) {
      for (const chunk of chunksOf(group)) {
        const idIn = sql.inList('id', chunk.map((s) => s.id), 'text');
        const rows = await sql.all<{ id: string }>(
          em,
          'update messages set send_attempts = send_attempts + 1, send_started_at = ? ' +
            `where ${sql.unindexed('status')} = 'queued' and send_started_at is null and send_attempts = ? and ${idIn.sql} returning id`,
          [sql.date(now), attempts, ...idIn.params],
          { prepared: true },
        );
        for (const row of rows) won.add(row.id);
      }
    }
    const winners = sends.filter((s) => won.has(s.id));
    for (const send of winners) send.sendAttempts += 1;
    return winners;
  }

  /**
   * Records accepted sends as `sent` with the provider's ids, closing their attempts, in the
   * caller's transaction. Returns those recorded; one missing was settled meanwhile by a status
   * or given up on by the reconciler, and its outcome is no longer ours to record. The returned
   * rows hold what was stored.
   */
  async recordSent(em: EntityManager, accepted: AcceptedSend[]): Promise<QueuedSend[]> {
    const { sql } = this;
    const recorded: QueuedSend[] = [];
    for (const chunk of chunksOf(accepted)) {
      const v = sql.rowsOf(
        chunk.map(({ send, externalId }) => [send.id, externalId, send.sendAttempts]),
        ['text', 'text', 'int'],
      );
      const rows = await sql.all<{ id: string }>(
        em,
        `with v (ref, provider_id, attempts) as (${v.sql}) ` +
          `update messages set status = 'sent', external_id = v.provider_id, send_started_at = null, updated_at = ? ` +
          `from v where messages.id = v.ref and messages.send_attempts = v.attempts and messages.send_started_at is not null returning messages.id`,
        // Bookkeeping on the wall clock, as the entity's `onUpdate` does.
        [...v.params, sql.date(new Date())],
        { prepared: true },
      );
      const closed = new Set(rows.map((r) => r.id));
      for (const { send, externalId } of chunk) {
        if (!closed.has(send.id)) continue;
        send.status = 'sent';
        send.externalId = externalId;
        recorded.push(send);
      }
    }
    return recorded;
  }

  private fromRow(row: QueuedRow): QueuedSend {
    return {
      ...storedMessageOf(this.sql, row),
      conversation: { id: row.conversation_id, contact: { id: row.contact_id, externalId: row.contact_external_id, phone: row.contact_phone, name: row.contact_name } },
      sendAttempts: Number(row.send_attempts),
      idempotencyKey: row.idempotency_key,
    };
  }
}
