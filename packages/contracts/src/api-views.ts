import { z } from 'zod';
import { templateCategorySchema, templateComponentsSchema } from './templates.js';

/**
 * What the REST API returns, as zod schemas: the server documents its responses (OpenAPI) from
 * them and builds its views to their types; clients use the same types.
 */

/** One page of a list endpoint. */
export const pageSchema = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable().describe('pass as cursor to get the next page; null on the last page') });
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A conversation as the API and realtime clients see it. */
export const conversationViewSchema = z.object({
  id: z.string(),
  channelAccountId: z.string(),
  contact: z.object({ id: z.string(), name: z.string().nullable(), phone: z.string().nullable(), externalId: z.string() }),
  status: z.enum(['open', 'pending', 'resolved']).describe('the work on it: open (unresolved) or resolved; independent of the reply window'),
  assigneeId: z.string().nullable(),
  tags: z.array(z.string()).describe("the conversation's own tags (the contact's are on the contact)"),
  snoozedUntil: z.iso.datetime().nullable().describe('while in the future, the conversation is snoozed: out of the open list until then or until the customer writes'),
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
  /** Whether the reply window lets a free-form reply go now; when false, send a template. */
  canReply: z
    .boolean()
    .describe("whether the reply window lets a session message go now; when false, send a template. A restriction of the number itself is on its channel account's `restriction`"),
  createdAt: z.iso.datetime(),
});
export type ConversationView = z.infer<typeof conversationViewSchema>;

/** A stretch of a message's text around a search match; `marks` are the matched ranges (UTF-16 offsets, end exclusive). */
export const searchSnippetSchema = z.object({
  text: z.string(),
  marks: z.array(z.object({ start: z.number().int(), end: z.number().int() })),
});
export type SearchSnippet = z.infer<typeof searchSnippetSchema>;

/** A message that matches a full-text search, with its conversation (newest match first). */
export const messageSearchHitSchema = z.object({
  messageId: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  createdAt: z.iso.datetime(),
  snippet: searchSnippetSchema,
  conversation: conversationViewSchema,
});
export type MessageSearchHit = z.infer<typeof messageSearchHitSchema>;

/** What an agent wants to be told about; every setting defaults to on. */
export const notificationSettingsSchema = z.object({
  newConversationSound: z.boolean().describe('a sound when a new conversation arrives in one of my inboxes'),
  assignedToMe: z.boolean().describe('a browser notification when a conversation is assigned to me'),
  everyMessage: z.boolean().describe('a browser notification for every new customer message in my inboxes'),
  desktop: z.boolean().describe('a desktop notification for a new customer message in a conversation assigned to me or unassigned'),
  messageSound: z.boolean().describe('a sound for a new customer message in a conversation assigned to me or unassigned'),
});
export type NotificationSettings = z.infer<typeof notificationSettingsSchema>;

export const agentViewSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(['admin', 'agent', 'marketer']).describe('admin: everything, including the admin area; agent: their inboxes; marketer: their inboxes and broadcasts'),
  active: z.boolean(),
  inboxIds: z.array(z.string()).describe('channel accounts the agent belongs to (admins see all)'),
  locale: z.string().nullable().describe("the interface language the agent chose; null: the browser's"),
  notifications: notificationSettingsSchema,
  createdAt: z.iso.datetime(),
});
export type AgentView = z.infer<typeof agentViewSchema>;

export const agentPresenceSchema = z.enum(['online', 'away']);
export type AgentPresence = z.infer<typeof agentPresenceSchema>;

/** What teammates see: the agent's own presence while they have the app open, offline otherwise. */
export const agentAvailabilitySchema = z.enum(['online', 'away', 'offline']);
export type AgentAvailability = z.infer<typeof agentAvailabilitySchema>;

/** A teammate as every agent sees them: enough to assign, mention and show who is online. */
export const teammateViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(['admin', 'agent', 'marketer']),
  presence: agentPresenceSchema,
  availability: agentAvailabilitySchema,
  lastSeenAt: z.iso.datetime().nullable().describe('when the agent last had the app open; null: never'),
  inboxIds: z.array(z.string()).describe('channel accounts the agent belongs to'),
});
export type TeammateView = z.infer<typeof teammateViewSchema>;

/** A private note between agents in a conversation; never sent to the customer. */
export const noteViewSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  authorId: z.string().nullable(),
  authorName: z.string().nullable(),
  text: z.string(),
  mentionedAgentIds: z.array(z.string()),
  createdAt: z.iso.datetime(),
});
export type NoteView = z.infer<typeof noteViewSchema>;

export const templateViewSchema = z.object({
  id: z.string(),
  channelAccountId: z.string(),
  externalId: z.string().nullable(),
  name: z.string(),
  language: z.string(),
  category: templateCategorySchema,
  parameterFormat: z.enum(['positional', 'named']),
  components: templateComponentsSchema,
  status: z.string().describe('PENDING, APPROVED, REJECTED, PAUSED, DISABLED… as the provider reports it'),
  rejectionReason: z.string().nullable(),
  quality: z.string().nullable(),
  /** Variables to fill when sending, by component (positional numbers or names). */
  variables: z
    .object({ header: z.array(z.string()), body: z.array(z.string()), buttons: z.array(z.object({ index: z.number().int(), type: z.string() })) })
    .describe('what to fill when sending: positional numbers or names per component, and the buttons that take a value'),
  syncedAt: z.iso.datetime().nullable(),
  updatedAt: z.iso.datetime(),
});
export type TemplateView = z.infer<typeof templateViewSchema>;

export const contactViewSchema = z.object({
  id: z.string(),
  channelAccountId: z.string(),
  externalId: z.string().describe("the channel's id for the customer (WhatsApp: wa_id)"),
  phone: z.string().nullable(),
  name: z.string().nullable(),
  attributes: z.record(z.string(), z.string()),
  tags: z.array(z.string()),
  optedInAt: z.iso.datetime().nullable(),
  optedOutAt: z.iso.datetime().nullable(),
  optedOutSource: z.enum(['keyword', 'button', 'meta', 'agent', 'api']).nullable().describe('how the customer opted out: a stop keyword, an opt-out button, Meta (marketing opt-out), an agent or the API'),
  optedOutReason: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type ContactView = z.infer<typeof contactViewSchema>;

export const channelCapabilitiesSchema = z.object({
  text: z.boolean(),
  media: z.boolean(),
  interactive: z.boolean(),
  location: z.boolean(),
  contacts: z.boolean(),
  reactions: z.boolean(),
  templates: z.boolean(),
  readReceipts: z.boolean(),
  sessionWindow: z.boolean(),
});

/** What Obrol knows about an account's health: the last credential check and the last webhook. */
export const channelHealthSchema = z.object({
  lastWebhookAt: z.iso.datetime().nullable().describe('when the provider last delivered a webhook for this account (to the minute)'),
  checkedAt: z.iso.datetime().nullable().describe('when the credentials were last checked with the provider'),
  displayName: z.string().nullable(),
  displayPhoneNumber: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).describe("the provider's facts from the last check, e.g. qualityRating, messagingLimit, throughput"),
});
export type ChannelHealth = z.infer<typeof channelHealthSchema>;

/**
 * One field of a channel plugin's configuration form, generated from the plugin's zod schema:
 * the apps draw the form from this, so a new channel plugin needs no UI code.
 */
export const configFieldSchema = z.object({
  name: z.string(),
  type: z.enum(['string', 'number', 'integer', 'boolean', 'enum']),
  label: z.string(),
  description: z.string().nullable(),
  secret: z.boolean().describe('write-only: encrypted at rest, never shown again'),
  required: z.boolean().describe('must be filled (no default)'),
  enum: z.array(z.string()).nullable(),
  default: z.unknown().optional(),
  format: z.string().nullable().describe('JSON Schema format, e.g. uri'),
  pattern: z.string().nullable(),
});
export type ConfigField = z.infer<typeof configFieldSchema>;

/**
 * What the provider restricts a number from sending now (WhatsApp's `account_update`), until
 * when. Sends it forbids are refused with `CHANNEL_RESTRICTED` before anything is stored.
 */
export const channelRestrictionViewSchema = z.object({
  businessInitiated: z.boolean().describe('it may not start conversations: no template to a customer whose reply window is closed (so no broadcast)'),
  customerInitiated: z.boolean().describe('it may not answer customers: no session message (reply)'),
  until: z.iso.datetime().nullable().describe('when the restriction ends, if the provider said; afterwards the number may send again'),
  since: z.iso.datetime().describe('when the provider announced it'),
  description: z.string().describe('what the provider said, in English'),
});
export type ChannelRestrictionView = z.infer<typeof channelRestrictionViewSchema>;

/**
 * A restriction while it lasts, read the same way by the server (which refuses sends) and the
 * apps (which say why): null when nothing is restricted (a lift), or once its `until` has passed.
 */
export function restrictionInForce<R extends Pick<ChannelRestrictionView, 'businessInitiated' | 'customerInitiated' | 'until'>>(restriction: R | null | undefined, now: Date): R | null {
  if (!restriction || (!restriction.businessInitiated && !restriction.customerInitiated)) return null;
  return restriction.until !== null && Date.parse(restriction.until) <= now.getTime() ? null : restriction;
}

export const channelAccountViewSchema = z.object({
  id: z.string(),
  plugin: z.string(),
  name: z.string(),
  active: z.boolean(),
  externalId: z.string().nullable(),
  config: z.record(z.string(), z.unknown()).describe('the configuration without its secret fields'),
  secretsSet: z.array(z.string()).describe('which secret fields are set; their values are write-only'),
  webhookUrl: z.string().describe("the URL to give the provider for this account's webhooks"),
  capabilities: channelCapabilitiesSchema.nullable(),
  mediaLimits: z
    .object({
      maxBytes: z.record(z.string(), z.number().int()).describe('largest file per content type (image, video, audio, document, sticker), in bytes'),
      mimeTypes: z.record(z.string(), z.array(z.string())).describe('accepted MIME types per content type'),
    })
    .nullable()
    .describe("the plugin's limits for sending media; null when the channel sends none"),
  autoAssign: z.boolean().describe('new and reopened conversations go round-robin to online agents of this inbox'),
  autoAssignLimit: z.number().int().describe('auto-assignment skips an agent with this many unresolved conversations'),
  health: channelHealthSchema,
  restriction: channelRestrictionViewSchema.nullable().describe('what the provider restricts the number from sending now; null when nothing (or once it ended)'),
  createdAt: z.iso.datetime(),
});
export type ChannelAccountView = z.infer<typeof channelAccountViewSchema>;
