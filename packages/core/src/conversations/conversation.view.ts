import type { SessionWindow } from '@obrol/contracts';
import type { Conversation } from './conversation.entity.js';

export interface ConversationView {
  id: string;
  channelAccountId: string;
  contact: { id: string; name: string | null; phone: string | null; externalId: string };
  status: Conversation['status'];
  assigneeId: string | null;
  lastInboundAt: string | null;
  lastMessageAt: string | null;
  lastMessagePreview: string | null;
  unreadCount: number;
  /** The channel's reply window, computed by its policy now. */
  window: { open: boolean; expiresAt: string | null; closingSoon: boolean };
  /** Whether a free-form reply may be sent now; when false, send a template. */
  canReply: boolean;
  createdAt: string;
}

export function conversationView(c: Conversation, window: SessionWindow, now: Date, closingSoonMs: number): ConversationView {
  const expiresAt = window.expiresAt;
  const closingSoon = window.open && !!expiresAt && expiresAt.getTime() - now.getTime() <= closingSoonMs;
  return {
    id: c.id,
    channelAccountId: c.channelAccount.id,
    contact: { id: c.contact.id, name: c.contact.name ?? null, phone: c.contact.phone ?? null, externalId: c.contact.externalId },
    status: c.status,
    assigneeId: c.assignee?.id ?? null,
    lastInboundAt: c.lastInboundAt?.toISOString() ?? null,
    lastMessageAt: c.lastMessageAt?.toISOString() ?? null,
    lastMessagePreview: c.lastMessagePreview,
    unreadCount: c.unreadCount,
    window: { open: window.open, expiresAt: expiresAt?.toISOString() ?? null, closingSoon },
    canReply: window.open,
    createdAt: c.createdAt.toISOString(),
  };
}
