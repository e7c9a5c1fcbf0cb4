import { type ConversationView, windowStateOf } from '@obrol/client';
import type { ConversationListItem } from '@obrol/ui';

/** A conversation as a row of the list: the name to show, its window, a short time. */
export function toListItem(c: ConversationView, now: Date, locale: string, notes: { mine: string; assigned: string }, meId: string | null): ConversationListItem {
  return {
    id: c.id,
    name: c.contact.name ?? c.contact.phone ?? c.contact.externalId,
    preview: c.lastMessagePreview,
    unreadCount: c.unreadCount,
    window: windowStateOf(c, now),
    time: c.lastMessageAt ? shortTime(c.lastMessageAt, now, locale) : undefined,
    note: c.assigneeId ? (c.assigneeId === meId ? notes.mine : notes.assigned) : undefined,
  };
}

/** "14:05" today, "25 Nov" before. */
export function shortTime(iso: string, now: Date, locale: string): string {
  const d = new Date(iso);
  const sameDay = d.toDateString() === now.toDateString();
  return sameDay ? d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' }) : d.toLocaleDateString(locale, { day: 'numeric', month: 'short' });
}
