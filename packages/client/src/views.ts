import type { AgentView, ConversationView, LiveEvent, SessionContent, TemplateParameters } from '@obrol/contracts';

export type { AgentPresence, ConversationActivity, NoteView, TeammateView } from '@obrol/contracts';

/* View types of the REST API: the server builds its responses to these same types. */
export type { AgentView, ChannelAccountView, ContactView, ConversationView, MessageStatus, MessageView, Page, TemplateView, WebhookDeliveryDetail, WebhookDeliveryStatus, WebhookDeliveryView, WebhookEndpointView, WebhookEventType } from '@obrol/contracts';

export type ConversationStatus = ConversationView['status'];

export type Me = (AgentView & { kind: 'agent' }) | { kind: 'api-key'; id: string };

export interface LoginResult {
  token: string;
  expiresAt: string;
  agent: AgentView;
}

/** Filters of the conversation list (`GET /api/v1/conversations`). */
export interface ConversationFilters {
  /** `open`: unresolved and not snoozed; `snoozed`; `resolved`. */
  status?: ConversationStatus | 'snoozed';
  /** `me`, `none`, or an agent id. */
  assignee?: string;
  window?: 'open' | 'closing' | 'closed';
  channelAccountId?: string;
  q?: string;
}

export interface ConversationPatch {
  status?: ConversationStatus;
  assigneeId?: string | null;
  /** Snooze until then; null wakes it. */
  snoozedUntil?: string | null;
  markRead?: true;
}

/** A canned response as the API lists it. */
export interface CannedResponseView {
  id: string;
  shortcut: string;
  text: string;
  updatedAt: string;
}

/** The body of `POST /conversations/:id/notes`. */
export interface NoteInput {
  text: string;
  mentionedAgentIds?: string[];
}

/** A template to send: `parameters` groups values the way the template is built. */
export interface TemplateInput {
  name: string;
  language: string;
  parameters: TemplateParameters;
}

/** The body of `POST /conversations/:id/messages`: a session message or a template. */
export type SendMessageInput = { content: SessionContent; replyToMessageId?: string } | { template: TemplateInput; replyToMessageId?: string };

/** A live event pushed on the realtime socket: the catalogue's discriminated union, by `type`. */
export type LiveEventFrame = LiveEvent;
