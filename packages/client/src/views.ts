import type { AgentView, ConfigField, ConversationView, LiveEvent, NotificationSettings, SessionContent, TemplateParameters } from '@obrol/contracts';

export type { AgentAvailability, AgentPresence, ConversationActivity, NoteView, TeammateView } from '@obrol/contracts';

/* View types of the REST API: the server builds its responses to these same types. */
export type { AgentView, ChannelAccountView, ChannelRestrictionView, ContactView, ConversationView, MessageSearchHit, MessageStatus, MessageView, SearchSnippet, Page, TemplateView, WebhookDeliveryDetail, WebhookDeliveryStatus, WebhookDeliveryView, WebhookEndpointView, WebhookEventType } from '@obrol/contracts';

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
  /** Conversations carrying this tag, or whose contact carries it. */
  tag?: string;
}

export interface ConversationPatch {
  status?: ConversationStatus;
  assigneeId?: string | null;
  /** Snooze until then; null wakes it. */
  snoozedUntil?: string | null;
  markRead?: true;
  /** Replace every tag, or add and remove some (normalised by the server). */
  tags?: string[];
  addTags?: string[];
  removeTags?: string[];
}

/** An edit of a contact (`PATCH /api/v1/contacts/{id}`); an attribute set to null is removed. */
export interface ContactPatch {
  name?: string | null;
  attributes?: Record<string, string | null>;
  tags?: string[];
  addTags?: string[];
  removeTags?: string[];
}

/** What the contact panel shows beside the thread (`GET /api/v1/contacts/{id}/activity`). */
export interface ContactActivity {
  conversations: { id: string; channelAccountId: string; contactId: string; status: ConversationStatus; lastMessageAt: string | null; lastMessagePreview: string | null; createdAt: string }[];
  broadcasts: { messageId: string; broadcastId: string; templateName: string | null; status: string; sentAt: string }[];
}

/** A tag in use, for suggestions (`GET /api/v1/tags`). */
export interface TagUsage {
  tag: string;
  conversations: number;
  contacts: number;
}

/** A canned response as the API lists it. */
export interface CannedResponseView {
  id: string;
  shortcut: string;
  text: string;
  updatedAt: string;
}

/** The body of `POST /canned-responses` (and, partly, of `PATCH`). */
export interface CannedResponseInput {
  shortcut: string;
  text: string;
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

/* The admin console's views. */
export type { ChannelHealth, ConfigField, NotificationSettings, TemplateDraft, TemplateProblem } from '@obrol/contracts';

export type AgentRole = AgentView['role'];

/** A one-time set-password link (invitation or reset), shown to the admin to hand over. */
export interface PasswordLink {
  url: string;
  purpose: 'invite' | 'reset';
  expiresAt: string;
}

export interface PasswordLinkInfo {
  purpose: 'invite' | 'reset';
  email: string;
  name: string;
  expiresAt: string;
}

export interface AgentInput {
  email: string;
  name: string;
  role: AgentRole;
  inboxIds: string[];
  /** Leave out to invite with a one-time link. */
  password?: string;
}

export interface AgentPatch {
  name?: string;
  role?: AgentRole;
  inboxIds?: string[];
  active?: boolean;
}

export interface AccountPatch {
  name?: string;
  locale?: 'en' | 'id' | null;
  notifications?: Partial<NotificationSettings>;
}

export type ApiKeyScope = 'read' | 'send';

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  inboxIds: string[] | null;
  scopes: ApiKeyScope[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface ApiKeyInput {
  name: string;
  inboxIds: string[] | null;
  scopes: ApiKeyScope[];
}

/** An installed channel plugin with its generated configuration form. */
export interface ChannelPluginView {
  id: string;
  displayName: string;
  secretFields: string[];
  configForm: ConfigField[];
  hasVerifyToken: boolean;
}

export interface AccountCheckView {
  externalId: string | null;
  displayName: string | null;
  displayPhoneNumber: string | null;
  details: Record<string, unknown>;
}

export interface ChannelInput {
  plugin: string;
  name: string;
  config: Record<string, unknown>;
}

export interface ChannelPatch {
  name?: string;
  /** Merged into the current config; left-out secrets keep their value. */
  config?: Record<string, unknown>;
  active?: boolean;
  /** Round-robin new and reopened conversations to the inbox's online agents. */
  autoAssign?: boolean;
  /** Unresolved conversations an agent may hold before auto-assignment passes them over (1–1000). */
  autoAssignLimit?: number;
}

export interface TemplateRegistration {
  name: string;
  language: string;
  category?: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  namespace?: string;
}

export interface TemplateSyncResult {
  total: number;
  created: number;
  updated: number;
  removed: number;
}
