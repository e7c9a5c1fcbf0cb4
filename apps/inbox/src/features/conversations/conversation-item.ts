import { type ConversationView, isSnoozed, windowStateOf } from '@obrol/client';
import type { ConversationListItem } from '@obrol/ui';

/** The words a row needs, already translated. */
export interface ListItemWords {
  mine: string;
  /** The assignee's name, when known. */
  nameOf: (agentId: string) => string | null;
  /** "Assigned" when the name is not known. */
  assigned: string;
  resolved: string;
  snoozedUntil: (time: string) => string;
}

/** A conversation as a row of the list: the name to show, its status apart from its window, the assignee, a short time. */
export function toListItem(c: ConversationView, now: Date, locale: string, words: ListItemWords, meId: string | null): ConversationListItem {
  const status: ConversationListItem['status'] =
    c.status === 'resolved'
      ? { kind: 'resolved', label: words.resolved }
      : isSnoozed(c, now) && c.snoozedUntil
        ? { kind: 'snoozed', label: words.snoozedUntil(shortTime(c.snoozedUntil, now, locale)) }
        : undefined;
  return {
    id: c.id,
    name: c.contact.name ?? c.contact.phone ?? c.contact.externalId,
    preview: c.lastMessagePreview,
    unreadCount: c.unreadCount,
    window: windowStateOf(c, now),
    time: c.lastMessageAt ? shortTime(c.lastMessageAt, now, locale) : undefined,
    note: c.assigneeId ? (c.assigneeId === meId ? words.mine : (words.nameOf(c.assigneeId) ?? words.assigned)) : undefined,
    ...(status ? { status } : {}),
  };
}

/** "14:05" today, "25 Nov" before (and "25 Nov 09:00" for a later day, as snoozes are). */
export function shortTime(iso: string, now: Date, locale: string): string {
  const d = new Date(iso);
  const sameDay = d.toDateString() === now.toDateString();
  if (sameDay) return d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  if (d > now) return d.toLocaleString(locale, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  return d.toLocaleDateString(locale, { day: 'numeric', month: 'short' });
}
