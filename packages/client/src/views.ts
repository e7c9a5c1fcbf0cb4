import type { MessageStatus, MessageView, SessionContent, TemplateCategory, TemplateComponents, TemplateParameters } from '@obrol/contracts';

/*
 * View types of the REST API, mirrored from the server's zod schemas (packages/core:
 * conversation.view.ts, agents.service.ts, templates.service.ts). Message views come from
 * @obrol/contracts directly.
 */

export type { MessageStatus, MessageView };

/** One page of a list endpoint. */
export interface Page<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

export type ConversationStatus = 'open' | 'pending' | 'resolved';

export interface ConversationView {
  id: string;
  channelAccountId: string;
  contact: { id: string; name: string | null; phone: string | null; externalId: string };
  status: ConversationStatus;
  assigneeId: string | null;
  lastInboundAt: string | null;
  lastMessageAt: string | null;
  lastMessagePreview: string | null;
  unreadCount: number;
  /** The channel's reply window, computed by its policy when the view was made. */
  window: { open: boolean; expiresAt: string | null; closingSoon: boolean };
  /** Whether a session (free-form) message may be sent now; when false, send a template. */
  canReply: boolean;
  createdAt: string;
}

export interface AgentView {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'agent';
  active: boolean;
  inboxIds: string[];
  createdAt: string;
}

export type Me = (AgentView & { kind: 'agent' }) | { kind: 'api-key'; id: string };

export interface LoginResult {
  token: string;
  expiresAt: string;
  agent: AgentView;
}

export interface TemplateView {
  id: string;
  channelAccountId: string;
  externalId: string | null;
  name: string;
  language: string;
  category: TemplateCategory;
  parameterFormat: 'positional' | 'named';
  components: TemplateComponents;
  status: string;
  rejectionReason: string | null;
  quality: string | null;
  /** What to fill when sending: positional numbers or names per component, and buttons that take a value. */
  variables: { header: string[]; body: string[]; buttons: { index: number; type: string }[] };
  syncedAt: string | null;
  updatedAt: string;
}

/** Filters of the conversation list (`GET /api/v1/conversations`). */
export interface ConversationFilters {
  status?: ConversationStatus;
  /** `me`, `none`, or an agent id. */
  assignee?: string;
  window?: 'open' | 'closing' | 'closed';
  channelAccountId?: string;
  q?: string;
}

export interface ConversationPatch {
  status?: ConversationStatus;
  assigneeId?: string | null;
  markRead?: true;
}

/** A template to send: `parameters` groups values the way the template is built. */
export interface TemplateInput {
  name: string;
  language: string;
  parameters: TemplateParameters;
}

/** The body of `POST /conversations/:id/messages`: a session message or a template. */
export type SendMessageInput = { content: SessionContent; replyToMessageId?: string } | { template: TemplateInput; replyToMessageId?: string };

/** A live event pushed on the realtime socket. */
export interface LiveEventFrame {
  type: 'message.created' | 'message.updated' | 'conversation.updated' | 'template.status' | (string & {});
  channelAccountId: string;
  conversationId?: string;
  data: { message?: MessageView; conversation?: ConversationView; [key: string]: unknown };
  eventId: string;
  occurredAt: string;
}
