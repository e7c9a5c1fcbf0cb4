import type { SessionWindow } from '@obrol/contracts';
import { z } from 'zod';
import type { Conversation } from './conversation.entity.js';

/** A conversation as the API and realtime clients see it. */
export const conversationViewSchema = z.object({
  id: z.string(),
  channelAccountId: z.string(),
  contact: z.object({ id: z.string(), name: z.string().nullable(), phone: z.string().nullable(), externalId: z.string() }),
  status: z.enum(['open', 'pending', 'resolved']),
  assigneeId: z.string().nullable(),
  lastInboundAt: z.iso.datetime().nullable(),
  lastMessageAt: z.iso.datetime().nullable(),
  lastMessagePreview: z.string().nullable(),
  unreadCount: z.number().int(),
  /** The channel's reply window, computed by its policy now. */
  window: z.object({
    open: z.boolean(),
    expiresAt: z.iso.datetime().nullable().describe('when the reply window closes; null for channels without one or before the customer wrote'),
    closingSoon: z.boolean().describe('open, and closes within the "closing soon" margin (2 h)'),
  }),
  /** Whether a free-form reply may be sent now; when false, send a template. */
  canReply: z.boolean().describe('whether a session message may be sent now; when false, send a template'),
  createdAt: z.iso.datetime(),
});
export type ConversationView = z.infer<typeof conversationViewSchema>;

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
