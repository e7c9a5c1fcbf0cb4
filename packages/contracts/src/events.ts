import { z } from 'zod';
import { channelErrorSchema } from './errors.js';
import { messageContentSchema } from './message-content.js';
import { channelAccountViewSchema, contactViewSchema, conversationViewSchema, noteViewSchema, teammateViewSchema } from './api-views.js';

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
  conversationTagged: (tenant: string) => `chat.${token(tenant, 'tenant')}.conversation.tagged`,
  contactUpdated: (tenant: string) => `chat.${token(tenant, 'tenant')}.contact.updated`,
  templateStatus: (tenant: string) => `chat.${token(tenant, 'tenant')}.template.status`,
  channelRestricted: (tenant: string) => `chat.${token(tenant, 'tenant')}.channel.restricted`,
  channelRestrictionLifted: (tenant: string) => `chat.${token(tenant, 'tenant')}.channel.restriction_lifted`,
  send: (tenant: string, channel: string) => `cmd.${token(tenant, 'tenant')}.send.${token(channel, 'channel')}`,
  fetchMedia: (tenant: string, channel: string) => `cmd.${token(tenant, 'tenant')}.media.${token(channel, 'channel')}`,
  broadcastBatch: (tenant: string, broadcastId: string) =>
    `cmd.${token(tenant, 'tenant')}.broadcast.${token(broadcastId, 'broadcast id')}.batch`,
  broadcastStarted: (tenant: string) => `chat.${token(tenant, 'tenant')}.broadcast.started`,
  broadcastPaused: (tenant: string) => `chat.${token(tenant, 'tenant')}.broadcast.paused`,
  broadcastResumed: (tenant: string) => `chat.${token(tenant, 'tenant')}.broadcast.resumed`,
  broadcastCompleted: (tenant: string) => `chat.${token(tenant, 'tenant')}.broadcast.completed`,
  broadcastCancelled: (tenant: string) => `chat.${token(tenant, 'tenant')}.broadcast.cancelled`,
  live: (tenant: string, aggregate: LiveAggregate, event: string) =>
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

type LiveAggregate = 'conversation' | 'contact' | 'message' | 'template' | 'note' | 'agent' | 'broadcast' | 'channel';

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

const STATUS_RANK: Record<MessageStatus, number> = { received: 0, queued: 0, sent: 1, delivered: 2, read: 3, failed: 1 };

/**
 * Whether a message may move from `current` to `next`. Providers deliver statuses late, twice
 * and out of order, so statuses only move forward (`queued → sent → delivered → read`): a late
 * `delivered` never overwrites `read`, `failed` replaces only a message not yet delivered, and
 * a failed message moves on only on proof it arrived (`delivered`, `read`). The server and the
 * clients decide with this one function.
 */
export function isStatusAdvance(current: MessageStatus, next: MessageStatus): boolean {
  if (current === next) return false;
  if (next === 'failed') return current !== 'delivered' && current !== 'read';
  if (current === 'failed') return next === 'delivered' || next === 'read';
  return STATUS_RANK[next] > STATUS_RANK[current];
}

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
  /** The broadcast this message was sent by, or (inbound) the broadcast it replies to. */
  broadcastId: z.string().nullable().optional(),
  createdAt: z.iso.datetime(),
  providerTimestamp: z.iso.datetime().nullable(),
});
export type MessageView = z.infer<typeof messageViewSchema>;

export const conversationRefSchema = z.object({
  conversationId: z.string(),
  channelAccountId: z.string(),
  contactId: z.string(),
});

/** `chat.<t>.message.received|sent|status`. */
export const messageFactSchema = eventEnvelopeSchema.extend({
  ...conversationRefSchema.shape,
  message: messageViewSchema,
});
export type MessageFact = z.infer<typeof messageFactSchema>;

/** `chat.<t>.conversation.opened|assigned|resolved`. */
export const conversationFactSchema = eventEnvelopeSchema.extend({
  ...conversationRefSchema.shape,
  status: z.enum(['open', 'pending', 'resolved']),
  assigneeId: z.string().nullable(),
});
export type ConversationFact = z.infer<typeof conversationFactSchema>;

/** `chat.<t>.conversation.tagged`: the conversation's tags after a change. */
export const conversationTaggedFactSchema = eventEnvelopeSchema.extend({
  ...conversationRefSchema.shape,
  tags: z.array(z.string()),
  added: z.array(z.string()),
  removed: z.array(z.string()),
});
export type ConversationTaggedFact = z.infer<typeof conversationTaggedFactSchema>;

/** `chat.<t>.contact.updated`: the contact after an edit, and which fields changed. */
export const contactUpdatedFactSchema = eventEnvelopeSchema.extend({
  contactId: z.string(),
  channelAccountId: z.string(),
  changed: z.array(z.enum(['name', 'attributes', 'tags', 'optedIn', 'optedOut'])),
  contact: contactViewSchema,
});
export type ContactUpdatedFact = z.infer<typeof contactUpdatedFactSchema>;

const templateStatusDataSchema = z.object({
  channelAccountId: z.string(),
  templateId: z.string(),
  name: z.string(),
  language: z.string(),
  status: z.string(),
  reason: z.string().nullable(),
  quality: z.string().nullable(),
  category: z.string(),
});

/** `chat.<t>.template.status`. */
export const templateStatusFactSchema = eventEnvelopeSchema.extend(templateStatusDataSchema.shape);
export type TemplateStatusFact = z.infer<typeof templateStatusFactSchema>;

/**
 * `chat.<t>.channel.restricted`: the provider restricted what a channel account may send (Meta's
 * `account_update` with `ACCOUNT_RESTRICTION`, or the account disabled).
 */
export const channelRestrictedFactSchema = eventEnvelopeSchema.extend({
  channelAccountId: z.string(),
  /** It may not start conversations: no template to a customer whose window is closed, so no broadcast. */
  businessInitiated: z.boolean(),
  /** It may not answer customers. */
  customerInitiated: z.boolean(),
  /** When the last of these restrictions ends, if the provider said. */
  until: z.iso.datetime().nullable(),
  /** What the provider said, in English. */
  description: z.string(),
});
export type ChannelRestrictedFact = z.infer<typeof channelRestrictedFactSchema>;

/**
 * `chat.<t>.channel.restriction_lifted`: the provider lifted what it had restricted a channel
 * account from sending (Meta's `ACCOUNT_RESTRICTION` without it, or the account reinstated).
 * A restriction whose `until` passes ends without one: no webhook says so.
 */
export const channelRestrictionLiftedFactSchema = eventEnvelopeSchema.extend({
  channelAccountId: z.string(),
  /** It may start conversations again (it was restricted from that). */
  businessInitiated: z.boolean(),
  /** It may answer customers again (it was restricted from that). */
  customerInitiated: z.boolean(),
  /** What the provider said, in English. */
  description: z.string(),
});
export type ChannelRestrictionLiftedFact = z.infer<typeof channelRestrictionLiftedFactSchema>;

/** Counters of a broadcast's recipients by state, kept incrementally. */
export const broadcastCountersSchema = z.object({
  total: z.number().int(),
  pending: z.number().int(),
  queued: z.number().int(),
  sent: z.number().int(),
  delivered: z.number().int(),
  read: z.number().int(),
  failed: z.number().int(),
  skipped: z.number().int(),
  suppressed: z.number().int(),
  deferred: z.number().int(),
  /** Customer messages quoting the broadcast (a reply to it), counted as they arrive. */
  replies: z.number().int(),
});
export type BroadcastCounters = z.infer<typeof broadcastCountersSchema>;

const broadcastDataSchema = z.object({
  broadcastId: z.string(),
  channelAccountId: z.string(),
  name: z.string(),
  status: z.enum(['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled']),
  /** Why it paused, was cancelled or waits, in English (set by the engine on an auto-pause, or "paused by …"). */
  reason: z.string().nullable(),
  /** The same as a stable code the apps word (the broadcasts plugin's `BroadcastReasonCode`), with its values. */
  reasonCode: z.string().nullable().optional(),
  reasonParams: z.record(z.string(), z.union([z.string(), z.number()])).nullable().optional(),
  counters: broadcastCountersSchema,
  /**
   * Live progress only, while a worker plans the audience of a large start (the broadcast is
   * `scheduled`, due now): recipients planned so far, of those uploaded. Null otherwise.
   */
  planning: z.object({ planned: z.number().int().min(0), of: z.number().int().min(0) }).nullable().optional(),
});

/** `chat.<t>.broadcast.started|paused|resumed|completed|cancelled`. */
export const broadcastFactSchema = eventEnvelopeSchema.extend(broadcastDataSchema.shape);
export type BroadcastFact = z.infer<typeof broadcastFactSchema>;

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

/** The payload without the envelope the outbox adds when it records the event. */
export type Unenveloped<T> = Omit<T, keyof EventEnvelope>;

/**
 * Facts by name (`chat.<t>.<name>`): what happened, durable, published after commit. The
 * same names are the in-process hooks (`@OnEvent('message.received')`), fired after commit
 * in the process that committed.
 */
export interface FactMap {
  'message.received': MessageFact;
  'message.sent': MessageFact;
  'message.status': MessageFact;
  'conversation.opened': ConversationFact;
  'conversation.assigned': ConversationFact;
  'conversation.resolved': ConversationFact;
  'conversation.tagged': ConversationTaggedFact;
  'contact.updated': ContactUpdatedFact;
  'template.status': TemplateStatusFact;
  'channel.restricted': ChannelRestrictedFact;
  'channel.restriction_lifted': ChannelRestrictionLiftedFact;
  'broadcast.started': BroadcastFact;
  'broadcast.paused': BroadcastFact;
  'broadcast.resumed': BroadcastFact;
  'broadcast.completed': BroadcastFact;
  'broadcast.cancelled': BroadcastFact;
}
export type FactName = keyof FactMap;

/** Commands by name (`cmd.<t>.<name>.<channel>`): work with one owner, durable. */
export interface CommandMap {
  send: SendCommand;
  media: FetchMediaCommand;
}
export type CommandName = keyof CommandMap;

/** An event ready to record in the outbox: its subject and its data (the envelope is added then). */
export type OutgoingEvent =
  | { [N in FactName]: { kind: 'fact'; name: N; subject: string; data: Unenveloped<FactMap[N]> } }[FactName]
  | { [N in CommandName]: { kind: 'command'; name: N; subject: string; data: Unenveloped<CommandMap[N]> } }[CommandName];

const fact =
  <N extends FactName>(name: N, subject: (tenant: string) => string) =>
  (tenant: string, data: Unenveloped<FactMap[N]>) =>
    ({ kind: 'fact', name, subject: subject(tenant), data }) as OutgoingEvent & { kind: 'fact'; name: N };

/** Builders of facts: `facts.messageReceived(tenant, data)`. */
export const facts = {
  messageReceived: fact('message.received', subjects.messageReceived),
  messageSent: fact('message.sent', subjects.messageSent),
  messageStatus: fact('message.status', subjects.messageStatus),
  conversationOpened: fact('conversation.opened', subjects.conversationOpened),
  conversationAssigned: fact('conversation.assigned', subjects.conversationAssigned),
  conversationResolved: fact('conversation.resolved', subjects.conversationResolved),
  conversationTagged: fact('conversation.tagged', subjects.conversationTagged),
  contactUpdated: fact('contact.updated', subjects.contactUpdated),
  templateStatus: fact('template.status', subjects.templateStatus),
  channelRestricted: fact('channel.restricted', subjects.channelRestricted),
  channelRestrictionLifted: fact('channel.restriction_lifted', subjects.channelRestrictionLifted),
  broadcastStarted: fact('broadcast.started', subjects.broadcastStarted),
  broadcastPaused: fact('broadcast.paused', subjects.broadcastPaused),
  broadcastResumed: fact('broadcast.resumed', subjects.broadcastResumed),
  broadcastCompleted: fact('broadcast.completed', subjects.broadcastCompleted),
  broadcastCancelled: fact('broadcast.cancelled', subjects.broadcastCancelled),
};

/** Builders of commands: `commands.send(tenant, channelId, data)`. */
export const commands = {
  send: (tenant: string, channel: string, data: Unenveloped<SendCommand>) =>
    ({ kind: 'command', name: 'send', subject: subjects.send(tenant, channel), data }) as OutgoingEvent & { kind: 'command'; name: 'send' },
  fetchMedia: (tenant: string, channel: string, data: Unenveloped<FetchMediaCommand>) =>
    ({ kind: 'command', name: 'media', subject: subjects.fetchMedia(tenant, channel), data }) as OutgoingEvent & { kind: 'command'; name: 'media' },
};

/** The fact name of a durable subject (`chat.acme.message.received` → `message.received`), or null. */
export function factNameOf(subject: string): FactName | null {
  // Asked several times for every event on the bus, of a few subjects per tenant: remembered.
  const known = factNames.get(subject);
  if (known !== undefined) return known;
  const [kind, , aggregate, event] = subject.split('.');
  const name = `${aggregate}.${event}`;
  const fact = kind === 'chat' && name in FACT_NAMES ? (name as FactName) : null;
  if (factNames.size >= FACT_NAMES_REMEMBERED) factNames.clear();
  factNames.set(subject, fact);
  return fact;
}
const factNames = new Map<string, FactName | null>();
const FACT_NAMES_REMEMBERED = 10_000;
const FACT_NAMES: Record<FactName, true> = {
  'message.received': true,
  'message.sent': true,
  'message.status': true,
  'conversation.opened': true,
  'conversation.assigned': true,
  'conversation.resolved': true,
  'conversation.tagged': true,
  'contact.updated': true,
  'template.status': true,
  'channel.restricted': true,
  'channel.restriction_lifted': true,
  'broadcast.started': true,
  'broadcast.paused': true,
  'broadcast.resumed': true,
  'broadcast.completed': true,
  'broadcast.cancelled': true,
};

const liveBase = eventEnvelopeSchema.extend({ channelAccountId: z.string() });

/** What an agent does in a conversation, as other agents see it. */
export const conversationActivitySchema = z.object({
  agentId: z.string(),
  agentName: z.string(),
  state: z.enum(['viewing', 'typing', 'left']),
});
export type ConversationActivity = z.infer<typeof conversationActivitySchema>;

/**
 * A live push to browsers (`live.<t>.<type>`), losable. `channelAccountId` lets the gateway
 * check inbox membership; `type` tells what `data` holds.
 */
export const liveEventSchema = z.discriminatedUnion('type', [
  liveBase.extend({ type: z.literal('message.created'), conversationId: z.string(), data: z.object({ message: messageViewSchema, conversation: conversationViewSchema }) }),
  liveBase.extend({ type: z.literal('message.updated'), conversationId: z.string(), data: z.object({ message: messageViewSchema }) }),
  liveBase.extend({ type: z.literal('conversation.updated'), conversationId: z.string(), data: z.object({ conversation: conversationViewSchema }) }),
  /** A contact was edited (name, attributes, tags, opt-in/out): contact panels showing it refresh. */
  liveBase.extend({ type: z.literal('contact.updated'), contactId: z.string(), data: z.object({ contact: contactViewSchema }) }),
  liveBase.extend({ type: z.literal('template.status'), data: templateStatusDataSchema }),
  /** A channel account changed on the provider's word (WhatsApp restricted it or lifted that): apps showing it replace it. */
  liveBase.extend({ type: z.literal('channel.updated'), data: z.object({ channel: channelAccountViewSchema }) }),
  liveBase.extend({ type: z.literal('broadcast.progress'), data: broadcastDataSchema }),
  liveBase.extend({ type: z.literal('note.created'), conversationId: z.string(), data: z.object({ note: noteViewSchema }) }),
  /** Only the mentioned agent receives it (`recipientAgentId`). */
  liveBase.extend({ type: z.literal('agent.mentioned'), conversationId: z.string(), recipientAgentId: z.string(), data: z.object({ note: noteViewSchema }) }),
  /** Only the new assignee receives it, when someone else (a colleague or auto-assignment) gave them the conversation. */
  liveBase.extend({ type: z.literal('agent.assigned'), conversationId: z.string(), recipientAgentId: z.string(), data: z.object({ conversation: conversationViewSchema, byAgentId: z.string().nullable() }) }),
  /** Another agent is viewing or typing in a conversation (collision); `left` when they stop. Never stored. */
  liveBase.extend({ type: z.literal('conversation.activity'), conversationId: z.string(), data: conversationActivitySchema }),
  /**
   * An agent came online, went away or offline. Of no one inbox: the gateway sends it to those
   * who see the agent in their team (who share an inbox with them; everyone for an admin).
   */
  eventEnvelopeSchema.extend({ type: z.literal('agent.presence'), data: teammateViewSchema }),
]);
export type LiveEvent = z.infer<typeof liveEventSchema>;
export type LiveEventType = LiveEvent['type'];
export type LiveEventOf<T extends LiveEventType> = Extract<LiveEvent, { type: T }>;

/** A live event ready to record: its subject and the event without its envelope. */
export interface OutgoingLiveEvent {
  subject: string;
  event: LiveEvent extends infer E ? (E extends LiveEvent ? Unenveloped<E> : never) : never;
}

const LIVE_EVENT_TYPES: Record<LiveEventType, true> = {
  'message.created': true,
  'message.updated': true,
  'conversation.updated': true,
  'contact.updated': true,
  'template.status': true,
  'channel.updated': true,
  'broadcast.progress': true,
  'note.created': true,
  'agent.mentioned': true,
  'agent.assigned': true,
  'conversation.activity': true,
  'agent.presence': true,
};

const live =
  <T extends LiveEventType>(type: T) =>
  (tenant: string, event: Omit<Unenveloped<LiveEventOf<T>>, 'type'>): OutgoingLiveEvent => {
    const [aggregate, name] = type.split('.') as [LiveAggregate, string];
    return { subject: subjects.live(tenant, aggregate, name), event: { ...event, type } as OutgoingLiveEvent['event'] };
  };

/** Builders of live events: `liveEvents.messageUpdated(tenant, { channelAccountId, conversationId, data })`. */
export const liveEvents = {
  messageCreated: live('message.created'),
  messageUpdated: live('message.updated'),
  conversationUpdated: live('conversation.updated'),
  contactUpdated: live('contact.updated'),
  templateStatus: live('template.status'),
  channelUpdated: live('channel.updated'),
  broadcastProgress: live('broadcast.progress'),
  noteCreated: live('note.created'),
  agentMentioned: live('agent.mentioned'),
  agentAssigned: live('agent.assigned'),
  conversationActivity: live('conversation.activity'),
  agentPresence: live('agent.presence'),
};

/**
 * Reads a frame from the realtime socket: the live event it carries, or null for anything
 * else (the `hello` and `pong` frames, unknown types from a newer server, garbage). Checks the
 * shape the client relies on, not every field.
 */
export function readLiveEvent(frame: unknown): LiveEvent | null {
  if (!frame || typeof frame !== 'object') return null;
  const { type, channelAccountId, data } = frame as Record<string, unknown>;
  if (typeof type !== 'string' || !(type in LIVE_EVENT_TYPES)) return null;
  // Every live event but an agent's presence belongs to one inbox.
  if ((type !== 'agent.presence' && typeof channelAccountId !== 'string') || !data || typeof data !== 'object') return null;
  const isObject = (v: unknown) => !!v && typeof v === 'object';
  const { message, conversation } = data as Record<string, unknown>;
  if ((type === 'message.created' || type === 'message.updated') && !isObject(message)) return null;
  if ((type === 'message.created' || type === 'conversation.updated' || type === 'agent.assigned') && !isObject(conversation)) return null;
  if (type === 'contact.updated' && !isObject((data as Record<string, unknown>).contact)) return null;
  if (type === 'channel.updated' && !isObject((data as Record<string, unknown>).channel)) return null;
  if ((type === 'note.created' || type === 'agent.mentioned') && !isObject((data as Record<string, unknown>).note)) return null;
  return frame as LiveEvent;
}
