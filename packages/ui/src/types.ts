import type { MessageView, TemplateComponents, TemplateParameters } from '@obrol/contracts';

export type WindowState = 'open' | 'closing' | 'closed';

/** One row of the conversation list, already shaped by the app. */
export interface ConversationListItem {
  id: string;
  name: string | null;
  preview: string | null;
  unreadCount: number;
  window: WindowState;
  /** Pre-formatted time of the last message. */
  time?: string;
  /** A short note such as the assignee's name. */
  note?: string;
  /** The work on it, when not plainly open: resolved, or snoozed (with a pre-formatted label). */
  status?: { kind: 'resolved' | 'snoozed'; label: string };
}

/** A message a search found, ready to show: who, when, and the stretch of text with the matches marked. */
export interface MessageSearchItem {
  messageId: string;
  conversationId: string;
  name: string | null;
  /** The business wrote it (shown as "You"). */
  outbound: boolean;
  /** Pre-formatted time of the message. */
  time: string;
  snippet: { text: string; marks: { start: number; end: number }[] };
}

/** Someone who can be @mentioned in a private note. */
export interface Mentionable {
  id: string;
  name: string;
}

/** What the note composer sends. */
export interface NoteDraft {
  text: string;
  mentionedAgentIds: string[];
}

export type { MessageView };

/** What the picker needs of a template (a subset of the API's template view). */
export interface PickerTemplate {
  id: string;
  name: string;
  language: string;
  parameterFormat: 'positional' | 'named';
  components: TemplateComponents;
  variables: { header: string[]; body: string[]; buttons: { index: number; type: string }[] };
}

/** The `template` of `POST /conversations/:id/messages`. */
export interface TemplateSend {
  name: string;
  language: string;
  parameters: TemplateParameters;
}

/** A file attached in the composer, as the app checked it: ready, uploading, or refused (with why). */
export interface ComposerAttachment {
  name: string;
  /** Pre-formatted size ("1.2 MB"). */
  size: string;
  kind: 'image' | 'video' | 'audio' | 'document' | null;
  /** An object URL to preview an image. */
  previewUrl?: string | null;
  /** 0..1 while uploading, else null. */
  progress: number | null;
  /** Why it cannot be sent, in words; null when it can. */
  error: string | null;
}

/** A message quoted by a reply: who wrote it and a short preview. */
export interface QuotedMessage {
  author: string;
  preview: string;
}

/** A canned response offered in the composer, its text already filled for the contact. */
export interface CannedChoice {
  shortcut: string;
  text: string;
}

/** One of the contact's conversations in the contact panel, already worded by the app. */
export interface ContactPanelConversation {
  id: string;
  /** The inbox's name. */
  inbox: string;
  status: string;
  time: string | null;
  preview: string | null;
  /** The conversation open beside the panel. */
  current: boolean;
}

/** A broadcast the contact received: its name (or the template's) and when. */
export interface ContactPanelBroadcast {
  id: string;
  name: string;
  time: string;
  status: string;
}
