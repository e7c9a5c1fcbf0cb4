import { type MessageView, isStatusAdvance } from '@obrol/contracts';
import type { ConversationFilters, ConversationView } from './views.js';

/** Window state as the list shows it: open, closing soon (< 2 h left), or closed. */
export type WindowState = 'open' | 'closing' | 'closed';

export function windowStateOf(c: Pick<ConversationView, 'window'>, now: Date = new Date()): WindowState {
  const { open, expiresAt, closingSoon } = c.window;
  if (!open) return 'closed';
  if (expiresAt && Date.parse(expiresAt) <= now.getTime()) return 'closed';
  return closingSoon ? 'closing' : 'open';
}

/** Snoozed: out of the open list until `snoozedUntil` (or until the customer writes). */
export function isSnoozed(c: Pick<ConversationView, 'snoozedUntil'>, now: Date = new Date()): boolean {
  return !!c.snoozedUntil && Date.parse(c.snoozedUntil) > now.getTime();
}

/**
 * Whether a conversation belongs in a list with these filters, judged on the client for live
 * updates. `q` and `tag` are left to the server (a tag may be the contact's): a conversation
 * already listed stays.
 */
export function matchesFilters(c: ConversationView, filters: ConversationFilters, meId: string | null, now: Date = new Date()): boolean {
  if (filters.status === 'open' || filters.status === 'snoozed') {
    if (c.status === 'resolved' || isSnoozed(c, now) !== (filters.status === 'snoozed')) return false;
  } else if (filters.status && c.status !== filters.status) return false;
  if (filters.channelAccountId && c.channelAccountId !== filters.channelAccountId) return false;
  if (filters.assignee === 'me' && (!meId || c.assigneeId !== meId)) return false;
  if (filters.assignee === 'none' && c.assigneeId !== null) return false;
  if (filters.assignee && filters.assignee !== 'me' && filters.assignee !== 'none' && c.assigneeId !== filters.assignee) return false;
  if (filters.window) {
    const state = windowStateOf(c, now);
    // The API's `open` filter includes conversations closing soon.
    if (filters.window === 'open' ? state === 'closed' : state !== filters.window) return false;
  }
  return true;
}

/** Newest activity first, as the API lists them. */
export function byActivity(a: ConversationView, b: ConversationView): number {
  const ta = a.lastMessageAt ?? a.createdAt;
  const tb = b.lastMessageAt ?? b.createdAt;
  return ta < tb ? 1 : ta > tb ? -1 : a.id < b.id ? 1 : -1;
}

/**
 * The later of two views of the same message. Events can arrive out of order (the POST's
 * `queued` answer after the `sent` event), so a status never goes backwards.
 */
export function laterMessage(a: MessageView, b: MessageView): MessageView {
  return a.status === b.status || isStatusAdvance(a.status, b.status) ? b : a;
}

/** Merges messages into a thread kept oldest first, without duplicates. */
export function mergeMessages(thread: readonly MessageView[], incoming: readonly MessageView[]): MessageView[] {
  const byId = new Map(thread.map((m) => [m.id, m]));
  for (const m of incoming) {
    const existing = byId.get(m.id);
    byId.set(m.id, existing ? laterMessage(existing, m) : m);
  }
  return [...byId.values()].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
}
