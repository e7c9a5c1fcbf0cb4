import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/core';
import type { Clock } from '@obrol/contracts';
import { CLOCK, CORE_OPTIONS, type CoreOptions, HandWrittenSql, chunksOf, databaseKindOf } from '@obrol/core';
import type { CounterShift } from './broadcast-counters.js';

/** A broadcast message whose recipient moves. */
export interface RecipientOfMessage {
  broadcastId: string;
  messageId: string;
}

/**
 * The set-based moves of recipients on the send path (ADR 0026): a batch of accepted sends moves
 * its queued recipients to sent with one statement, and each broadcast's counters with one update,
 * in the transaction that records the messages as sent.
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

  /**
   * Moves the queued recipients of these messages to sent, with their broadcasts' counters. A
   * recipient a faster status moved already is left as it is. Returns the broadcasts that moved.
   */
  async queuedToSent(tx: EntityManager, recipients: RecipientOfMessage[]): Promise<string[]> {
    const { sql } = this;
    const moved = new Map<string, number>();
    for (const chunk of chunksOf(recipients)) {
      const broadcasts = [...new Set(chunk.map((r) => r.broadcastId))];
      const rows = await sql.all<{ broadcast_id: string }>(
        tx,
        `update broadcast_recipients set status = 'sent', reason = null, error_code = null, next_attempt_at = null, updated_at = ? ` +
          `where status = 'queued' and message_id in (${chunk.map(() => '?').join(', ')}) and broadcast_id in (${broadcasts.map(() => '?').join(', ')}) returning broadcast_id`,
        [sql.date(this.clock.now()), ...chunk.map((r) => r.messageId), ...broadcasts],
      );
      for (const row of rows) moved.set(row.broadcast_id, (moved.get(row.broadcast_id) ?? 0) + 1);
    }
    for (const [broadcastId, count] of moved) await this.shiftCounters(tx, broadcastId, { queued: -count, sent: count });
    return [...moved.keys()];
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
