import { type EntityManager, raw } from '@mikro-orm/core';
import { Broadcast } from './broadcast.entity.js';
import type { RecipientStatus } from './broadcast.schemas.js';

export type CounterShift = Partial<Record<RecipientStatus | 'total' | 'replies', number>>;

/**
 * Moves a broadcast's counters by these amounts in one atomic update, in the caller's
 * transaction: every writer changes counters in the same transaction as the recipients it
 * moves, so they never need a counting scan.
 */
export async function shiftCounters(em: EntityManager, broadcastId: string, shift: CounterShift): Promise<void> {
  const data: Record<string, unknown> = {};
  for (const [column, by] of Object.entries(shift)) {
    if (by) data[column] = raw(`${column} + ${Math.trunc(by)}`);
  }
  if (Object.keys(data).length) await em.nativeUpdate(Broadcast, { id: broadcastId }, data);
}
