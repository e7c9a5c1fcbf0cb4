import { z } from 'zod';
import { channelErrorSchema } from './errors.js';
import { messageContentSchema } from './message-content.js';

/**
 * Event subjects: `<kind>.<tenant>.<aggregate>.<event>`, lower case, built only through the
 * helpers below. No personal data (phone numbers) ever goes into a subject.
 *
 * - `chat.*`  facts, past tense, durable (JetStream stream OBROL_CHAT)
 * - `cmd.*`   commands with one owner each, durable work queue (stream OBROL_CMD)
 * - `live.*`  fan-out to browsers, losable: clients refetch on reconnect
 */
const TOKEN = /^[a-z0-9_-]{1,64}$/;

function token(value: string, what: string): string {
  const v = value.toLowerCase();
  if (!TOKEN.test(v)) throw new Error(`invalid ${what} for a subject: ${JSON.stringify(value)}`);
  return v;
}

export const subjects = {
  messageReceived: (tenant: string) => `chat.${token(tenant, 'tenant')}.message.received`,
  messageSent: (tenant: string) => `chat.${token(tenant, 'tenant')}.message.sent`,
  messageStatus: (tenant: string) => `chat.${token(tenant, 'tenant')}.message.status`,
  conversationOpened: (tenant: string) => `chat.${token(tenant, 'tenant')}.conversation.opened`,
  conversationAssigned: (tenant: string) => `chat.${token(tenant, 'tenant')}.conversation.assigned`,
  conversationResolved: (tenant: string) => `chat.${token(tenant, 'tenant')}.conversation.resolved`,
  templateStatus: (tenant: string) => `chat.${token(tenant, 'tenant')}.template.status`,
  send: (tenant: string, channel: string) => `cmd.${token(tenant, 'tenant')}.send.${token(channel, 'channel')}`,
  fetchMedia: (tenant: string, channel: string) => `cmd.${token(tenant, 'tenant')}.media.${token(channel, 'channel')}`,
  broadcastBatch: (tenant: string, broadcastId: string) =>
    `cmd.${token(tenant, 'tenant')}.broadcast.${token(broadcastId, 'broadcast id')}.batch`,
  live: (tenant: string, aggregate: 'conversation' | 'message' | 'template', event: string) =>
    `live.${token(tenant, 'tenant')}.${aggregate}.${token(event, 'event')}`,
  /** Wildcards for subscribers. */
  all: {
    chat: 'chat.>',
    cmd: 'cmd.>',
    live: 'live.>',
    sends: 'cmd.*.send.*',
    mediaFetches: 'cmd.*.media.*',
  },
} as const;

/** Fields every event payload carries. */
export const eventEnvelopeSchema = z.object({
  eventId: z.string().min(1),
  occurredAt: z.iso.datetime(),
  schemaVersion: z.literal(1),
  tenantId: z.string(),
});
export type EventEnvelope = z.infer<typeof eventEnvelopeSchema>;

export const messageStatusSchema = z.enum(['received', 'queued', 'sent', 'delivered', 'read', 'failed']);
export type MessageStatus = z.infer<typeof messageStatusSchema>;

/** A message as the API and realtime clients see it. */
export const messageViewSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  channelAccountId: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  content: messageContentSchema,
  status: messageStatusSchema,
  error: channelErrorSchema.nullable(),
  externalId: z.string().nullable(),
  replyToExternalId: z.string().nullable(),
  sentByAgentId: z.string().nullable(),
  createdAt: z.iso.datetime(),
  providerTimestamp: z.iso.datetime().nullable(),
});
export type MessageView = z.infer<typeof messageViewSchema>;

export const conversationRefSchema = z.object({
  conversationId: z.string(),
  channelAccountId: z.string(),
  contactId: z.string(),
});

export const messageEventSchema = eventEnvelopeSchema.extend({
  ...conversationRefSchema.shape,
  message: messageViewSchema,
});
export type MessageEvent = z.infer<typeof messageEventSchema>;

export const conversationEventSchema = eventEnvelopeSchema.extend({
  ...conversationRefSchema.shape,
  status: z.enum(['open', 'pending', 'resolved']),
  assigneeId: z.string().nullable(),
});
export type ConversationEvent = z.infer<typeof conversationEventSchema>;

export const templateStatusFactSchema = eventEnvelopeSchema.extend({
  channelAccountId: z.string(),
  templateId: z.string(),
  name: z.string(),
  language: z.string(),
  status: z.string(),
  reason: z.string().nullable(),
});
export type TemplateStatusFact = z.infer<typeof templateStatusFactSchema>;

/** Command: send one stored outbound message through its channel. */
export const sendCommandSchema = eventEnvelopeSchema.extend({
  messageId: z.string(),
  channelAccountId: z.string(),
  conversationId: z.string(),
  attempt: z.number().int().min(1).default(1),
});
export type SendCommand = z.infer<typeof sendCommandSchema>;

/** Command: download an inbound message's media from the provider and store it. */
export const fetchMediaCommandSchema = eventEnvelopeSchema.extend({
  messageId: z.string(),
  channelAccountId: z.string(),
});
export type FetchMediaCommand = z.infer<typeof fetchMediaCommandSchema>;

/** A live push to browsers. `channelAccountId` lets the gateway check inbox membership. */
export const liveEventSchema = eventEnvelopeSchema.extend({
  type: z.string(),
  channelAccountId: z.string(),
  conversationId: z.string().optional(),
  data: z.unknown(),
});
export type LiveEvent = z.infer<typeof liveEventSchema>;
