import type { BroadcastCounters, BroadcastView } from '@obrol/client';

/** Recipients the engine is done with, whatever the outcome. */
export function handled(c: BroadcastCounters): number {
  return c.sent + c.delivered + c.read + c.failed + c.skipped + c.suppressed;
}

/** Whole percent handled; 100 only when every recipient is. */
export function percentHandled(c: BroadcastCounters): number {
  if (c.total === 0) return 0;
  const done = handled(c);
  return done >= c.total ? 100 : Math.min(99, Math.floor((done / c.total) * 100));
}

/** Funnel stages are cumulative: a read message was delivered and sent too. */
export function funnel(c: BroadcastCounters): { sent: number; delivered: number; read: number; failed: number } {
  return { sent: c.sent + c.delivered + c.read, delivered: c.delivered + c.read, read: c.read, failed: c.failed };
}

/**
 * Started, and a worker plans its audience before it runs (a large one, ADR 0033): due now with
 * no local time, unlike a broadcast scheduled for a time, or telling live how far its plan got.
 */
export function isStarting(b: Pick<BroadcastView, 'status' | 'scheduledAt' | 'scheduledLocal' | 'planning'>): boolean {
  return b.status === 'scheduled' && (!!b.planning || (!!b.scheduledAt && !b.scheduledLocal));
}

/** Whether its recipients are counted yet: they are when it starts (a draft or a broadcast still to start has no count). */
export function isCounted(b: Pick<BroadcastView, 'startedAt' | 'counters'>): boolean {
  return !!b.startedAt || b.counters.total > 0;
}

/** Whole percent of a starting broadcast's recipients prepared; 100 only when all are. */
export function percentPlanned(planning: { planned: number; of: number }): number {
  if (planning.of === 0) return 0;
  return planning.planned >= planning.of ? 100 : Math.min(99, Math.floor((planning.planned / planning.of) * 100));
}
