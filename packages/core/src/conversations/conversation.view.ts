import type { ConversationView, SessionWindow } from '@obrol/contracts';
import type { Conversation } from './conversation.entity.js';

export { type ConversationView, conversationViewSchema } from '@obrol/contracts';

/** What a view is made of: a `Conversation` with its contact, or the plain row webhook ingest works with. */
export type ConversationViewSource = Pick<Conversation, 'id' | 'status' | 'tags' | 'snoozedUntil' | 'lastInboundAt' | 'lastMessageAt' | 'lastMessagePreview' | 'unreadCount' | 'createdAt'> & {
  channelAccount: { id: string };
  contact: { id: string; name: string | null; phone: string | null; externalId: string };
  assignee: { id: string } | null;
};

export function conversationView(c: ConversationViewSource, window: SessionWindow, now: Date, closingSoonMs: number): ConversationView {
  const expiresAt = window.expiresAt;
  const closingSoon = window.open && !!expiresAt && expiresAt.getTime() - now.getTime() <= closingSoonMs;
  return {
    id: c.id,
    channelAccountId: c.channelAccount.id,
    contact: { id: c.contact.id, name: c.contact.name ?? null, phone: c.contact.phone ?? null, externalId: c.contact.externalId },
    status: c.status,
    assigneeId: c.assignee?.id ?? null,
    tags: c.tags,
    snoozedUntil: c.snoozedUntil && c.snoozedUntil > now ? c.snoozedUntil.toISOString() : null,
    lastInboundAt: c.lastInboundAt?.toISOString() ?? null,
    lastMessageAt: c.lastMessageAt?.toISOString() ?? null,
    lastMessagePreview: c.lastMessagePreview,
    unreadCount: c.unreadCount,
    window: { open: window.open, expiresAt: expiresAt?.toISOString() ?? null, closingSoon },
    canReply: window.open,
    createdAt: c.createdAt.toISOString(),
  };
}
