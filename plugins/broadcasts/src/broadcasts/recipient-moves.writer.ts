import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/core';
import type { Clock } from '@obrol/contracts';
import { CLOCK, CORE_OPTIONS, type CoreOptions, HandWrittenSql, chunksOf, databaseKindOf, PLANNED_EACH_RUN } from '@obrol/core';
import type { CounterShift } from './broadcast-counters.js';
import type { RecipientStatus } from './broadcast.schemas.js';

/** A recipient as a status move reads it. */
export interface FollowedRecipient {
  id: string;
  broadcastId: string;
  messageId: string;
  status: RecipientStatus;
  attempts: number;
}

/** A recipient's move from the status it was read in. */
export interface RecipientMove {
  recipient: FollowedRecipient;
  to: RecipientStatus;
  reason: string | null;
  /** What the apps translate `reason` from, with the values it names (null: Meta's reason, in `reason`). */
  reasonCode?: string | null;
  reasonParams?: Record<string, string | number> | null;
  errorCode: string | null;
  nextAttemptAt: Date | null;
}

/** A pending recipient as the audience's freeze planned it (`planRecipient`). */
export interface PlannedRecipient {
  id: string;
  status: RecipientStatus;
  reason: string | null;
  reasonCode: string | null;
  reasonParams: Record<string, string | number> | null;
  parameters: unknown;
  contactId: string | null;
  /** Its number's country (ISO 3166 alpha-2), when the plan found it; kept as it is when not given. */
  country?: string | null;
}

/** A broadcast message whose recipient moves. */
export interface RecipientOfMessage {
  broadcastId: string;
  messageId: string;
}

/**
 * The set-based moves of recipients (ADR 0026): a batch of accepted sends moves its queued
 * recipients to sent with one statement, in the transaction that records the messages as sent;
 * a batch of statuses reads its recipients with one select and moves them with one
 * compare-and-set update; each broadcast's counters move with one update per batch.
 */
@Injectable()
export class RecipientMovesWriter {
  private readonly sql: HandWrittenSql;

  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CORE_OPTIONS) core: CoreOptions,
  ) {
    this.sql = new HandWrittenSql(databaseKindOf(core.database.url));
  }

  /** Stores the plan of each recipient (its status, reason and parameters) with one statement per chunk. */
  async planned(tx: EntityManager, recipients: PlannedRecipient[]): Promise<void> {
    const { sql } = this;
    for (const chunk of chunksOf(recipients)) {
      const v = sql.rowsOf(
        chunk.map((r) => [r.id, r.status, r.reason, r.reasonCode, sql.json(r.reasonParams), sql.json(r.parameters), r.contactId, r.country ?? null]),
        ['text', 'text', 'text', 'text', 'jsonb', 'jsonb', 'text', 'text'],
      );
      await sql.run(
        tx,
        `with v (ref, status, reason, reason_code, reason_params, parameters, contact_id, country) as (${v.sql}) ` +
          'update broadcast_recipients set status = v.status, reason = v.reason, reason_code = v.reason_code, reason_params = v.reason_params, ' +
          'parameters = v.parameters, contact_id = v.contact_id, country = coalesce(v.country, broadcast_recipients.country), updated_at = ? from v where broadcast_recipients.id = v.ref',
        [...v.params, sql.date(this.clock.now())],
        { prepared: true },
      );
    }
  }

  /**
   * Moves the queued recipients of these messages to sent, with their broadcasts' counters. A
   * recipient a faster status moved already is left as it is. Returns the broadcasts that moved.
   */
  async queuedToSent(tx: EntityManager, recipients: RecipientOfMessage[]): Promise<string[]> {
    const { sql } = this;
    const moved = new Map<string, number>();
    for (const chunk of chunksOf(recipients)) {
      const messageIn = sql.inList('message_id', chunk.map((r) => r.messageId), 'text');
      const broadcastIn = sql.inList(sql.unindexed('broadcast_id'), [...new Set(chunk.map((r) => r.broadcastId))], 'text');
      const rows = await sql.all<{ broadcast_id: string }>(
        tx,
        `update broadcast_recipients set status = 'sent', reason = null, error_code = null, next_attempt_at = null, updated_at = ? ` +
          `where ${sql.unindexed('status')} = 'queued' and ${messageIn.sql} and ${broadcastIn.sql} returning broadcast_id`,
        [sql.date(this.clock.now()), ...messageIn.params, ...broadcastIn.params],
        { prepared: true },
      );
      for (const row of rows) moved.set(row.broadcast_id, (moved.get(row.broadcast_id) ?? 0) + 1);
    }
    for (const [broadcastId, count] of inIdOrder(moved)) await this.shiftCounters(tx, broadcastId, { queued: -count, sent: count });
    return [...moved.keys()];
  }

  /** The recipients of these messages. */
  async recipientsOf(tx: EntityManager, messageIds: string[]): Promise<FollowedRecipient[]> {
    const found: FollowedRecipient[] = [];
    for (const chunk of chunksOf([...new Set(messageIds)])) {
      const messageIn = this.sql.inList('message_id', chunk, 'text');
      const rows = await this.sql.all<{ id: string; broadcast_id: string; message_id: string; status: RecipientStatus; attempts: number | string }>(
        tx,
        `select id, broadcast_id, message_id, status, attempts from broadcast_recipients where ${messageIn.sql}`,
        messageIn.params,
        PLANNED_EACH_RUN,
      );
      for (const r of rows) found.push({ id: r.id, broadcastId: r.broadcast_id, messageId: r.message_id, status: r.status, attempts: Number(r.attempts) });
    }
    return found;
  }

  /**
   * Applies the moves whose recipient is still in the status it was read in (compare-and-set),
   * with the counters of their broadcasts. Returns the moves applied; the others lost to a
   * concurrent move and are for the caller to read again.
   */
  async move(tx: EntityManager, moves: RecipientMove[]): Promise<RecipientMove[]> {
    const { sql } = this;
    const applied: RecipientMove[] = [];
    for (const chunk of chunksOf(moves)) {
      const v = sql.rowsOf(
        chunk.map((m) => [
          m.recipient.id,
          m.recipient.status,
          m.to,
          m.reason,
          m.reasonCode ?? null,
          sql.json(m.reasonParams ?? null),
          m.errorCode,
          sql.date(m.nextAttemptAt),
        ]),
        ['text', 'text', 'text', 'text', 'text', 'jsonb', 'text', 'timestamptz'],
      );
      const rows = await sql.all<{ id: string }>(
        tx,
        `with v (ref, from_status, to_status, reason, reason_code, reason_params, error_code, next_attempt_at) as (${v.sql}) ` +
          'update broadcast_recipients set status = v.to_status, reason = v.reason, reason_code = v.reason_code, reason_params = v.reason_params, ' +
          'error_code = v.error_code, next_attempt_at = v.next_attempt_at, updated_at = ? ' +
          'from v where broadcast_recipients.id = v.ref and broadcast_recipients.status = v.from_status returning broadcast_recipients.id',
        [...v.params, sql.date(this.clock.now())],
        { prepared: true },
      );
      const moved = new Set(rows.map((r) => r.id));
      applied.push(...chunk.filter((m) => moved.has(m.recipient.id)));
    }
    const shifts = new Map<string, CounterShift>();
    for (const { recipient, to } of applied) {
      const shift = shifts.get(recipient.broadcastId) ?? {};
      shift[recipient.status] = (shift[recipient.status] ?? 0) - 1;
      shift[to] = (shift[to] ?? 0) + 1;
      shifts.set(recipient.broadcastId, shift);
    }
    for (const [broadcastId, shift] of inIdOrder(shifts)) await this.shiftCounters(tx, broadcastId, shift);
    return applied;
  }

  /**
   * The broadcast messages among these whose customer has opted out (since the audience was
   * planned), with when: one select per few hundred messages, through their recipients' contacts.
   * Each contact is looked up by its key: as a join, PostgreSQL without statistics on a fresh
   * table (and a plan kept for the statement since) read every contact of the tenant at each
   * batch of sends to find the few opted out.
   */
  async optedOutOf(em: EntityManager, messageIds: string[]): Promise<Map<string, Date>> {
    const found = new Map<string, Date>();
    for (const chunk of chunksOf([...new Set(messageIds)])) {
      const messageIn = this.sql.inList('r.message_id', chunk, 'text');
      const rows = await this.sql.all<{ message_id: string; opted_out_at: unknown }>(
        em,
        `select r.message_id, (select c.opted_out_at from contacts c where c.id = r.contact_id) as opted_out_at from broadcast_recipients r where ${messageIn.sql}`,
        messageIn.params,
        PLANNED_EACH_RUN,
      );
      for (const row of rows) if (row.opted_out_at !== null) found.set(row.message_id, this.sql.readDate(row.opted_out_at)!);
    }
    return found;
  }

  /** `shiftCounters` without the unit of work: one update of the broadcast's row. */
  async shiftCounters(tx: EntityManager, broadcastId: string, shift: CounterShift): Promise<void> {
    const columns = Object.entries(shift).filter(([, by]) => by && Math.trunc(by) !== 0);
    if (columns.length === 0) return;
    await this.sql.run(
      tx,
      `update broadcasts set ${columns.map(([column]) => `"${column}" = "${column}" + ?`).join(', ')} where id = ?`,
      [...columns.map(([, by]) => Math.trunc(by!)), broadcastId],
    );
  }
}

/**
 * Broadcasts' counters rows in id order: transactions that move the counters of the same
 * broadcasts (two webhook batches, a batch and a send) take their row locks in one order on
 * PostgreSQL, and wait for each other rather than deadlock.
 */
function inIdOrder<T>(byBroadcast: Map<string, T>): Array<[string, T]> {
  return [...byBroadcast].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
