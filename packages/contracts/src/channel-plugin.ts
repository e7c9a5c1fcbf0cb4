import type { z } from 'zod';
import type { Clock } from './clock.js';
import type { ChannelError } from './errors.js';
import type { MessageContent, TemplateParameters } from './message-content.js';
import type { Result } from './result.js';
import type { TemplateDefinition, TemplateDraft, TemplateProblem } from './templates.js';

/** What a channel can do. The inbox and API use it to offer only what will work. */
export interface ChannelCapabilities {
  text: boolean;
  media: boolean;
  interactive: boolean;
  location: boolean;
  contacts: boolean;
  reactions: boolean;
  templates: boolean;
  readReceipts: boolean;
  /** The channel limits free-form replies to a window after the customer's last message. */
  sessionWindow: boolean;
}

/** A webhook request as the core hands it to a plugin: the raw bytes, untouched. */
export interface WebhookRequest {
  method: 'GET' | 'POST';
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  rawBody: Buffer;
}

/** What the core answers the provider with. */
export interface WebhookReply {
  status: number;
  body: string;
  contentType?: string;
}

/**
 * The longest values the core stores from a channel event, the same on every database. Meta
 * documents no maximum for a wamid (~60 characters in practice) or a wa_id/BSUID (a phone
 * number's digits, or `US.ENT.` and ~20 digits); these leave room and match the columns. An
 * event with a longer id is refused (the delivery answers 400, naming the field); a longer
 * profile name is cut to `name` characters and the cut is logged.
 */
export const CHANNEL_EVENT_LIMITS = {
  /** A message's external id (also `replyToExternalId`, a status's id). */
  messageExternalId: 255,
  /** The customer's id at the provider. */
  contactExternalId: 128,
  /** E.164 with the +: 16 characters at most; room for formatting. */
  phone: 20,
  name: 200,
} as const;

/** The customer as the provider identifies them. */
export interface ChannelIdentity {
  /** The provider's stable id for the customer (WhatsApp: wa_id). */
  externalId: string;
  /** E.164 phone number with the leading +, when the channel knows it. */
  phone?: string;
  /** The profile name the customer chose. */
  name?: string;
}

/** A normalised inbound message. */
export interface InboundMessageEvent {
  kind: 'inbound_message';
  externalId: string;
  from: ChannelIdentity;
  /** When the provider says the customer sent it; the session window counts from here. */
  timestamp: Date;
  content: MessageContent;
  replyToExternalId?: string;
  /** Where the conversation came from (e.g. a click-to-WhatsApp ad). */
  referral?: Record<string, unknown>;
  /** False for messages that do not come from the customer (system notices): they do not open the window. */
  opensWindow: boolean;
}

/** A delivery status of an outbound message. */
export interface StatusEvent {
  kind: 'status';
  externalId: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  timestamp: Date;
  recipientExternalId?: string;
  error?: ChannelError;
  /** Billing facts the provider reported, kept as they came. */
  pricing?: Record<string, unknown>;
  /**
   * Obrol's message id (`OutboundMessage.messageId`) when the provider echoes it back
   * (WhatsApp: `biz_opaque_callback_data`). It settles a send whose outcome Obrol did not record.
   */
  messageId?: string;
}

/** A template changed at the provider: its status (approved, rejected with a reason…), its quality, or its category. */
export interface TemplateStatusEvent {
  kind: 'template_status';
  /** What changed; `status` when absent. */
  change?: 'status' | 'quality' | 'category';
  externalId?: string;
  name: string;
  language: string;
  /** The new status (for `change: 'status'`), upper case as the provider says it. */
  status: string;
  /** The new quality score (for `change: 'quality'`), e.g. GREEN, YELLOW, RED. */
  quality?: string;
  /** The new category (for `change: 'category'`). */
  category?: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  reason?: string;
  timestamp: Date;
}

/** Anything about the account itself (errors, quality, limits). */
export interface AccountEvent {
  kind: 'account_event';
  event: string;
  description: string;
  error?: ChannelError;
  /**
   * What the provider restricts the account from sending as of this event, replacing what it
   * said before: a restriction (recorded as the `channel.restricted` fact and kept on the account),
   * or both flags false when it lifted them (what was restricted before is recorded as the
   * `channel.restriction_lifted` fact). Absent when the event says nothing about sending.
   */
  restriction?: AccountRestriction;
  raw?: unknown;
  timestamp: Date;
}

/** What a provider no longer lets an account send, and until when (both false: nothing any more). */
export interface AccountRestriction {
  /** It may not start conversations: no template to a customer whose window is closed, so no broadcast. */
  businessInitiated: boolean;
  /** It may not answer customers. */
  customerInitiated: boolean;
  /** When the last of these restrictions ends, if the provider said. */
  until: Date | null;
}

/**
 * A customer's own choice about marketing messages, made on the provider's side (WhatsApp's
 * `user_preferences` webhook): `stop` opts them out of broadcasts, `resume` back in.
 */
export interface MarketingPreferenceEvent {
  kind: 'marketing_preference';
  from: ChannelIdentity;
  preference: 'stop' | 'resume';
  /** The provider's words, e.g. "User requested to stop marketing messages". */
  detail: string | null;
  timestamp: Date;
}

export type ChannelEvent = InboundMessageEvent | StatusEvent | TemplateStatusEvent | AccountEvent | MarketingPreferenceEvent;

/** The result of parsing one webhook delivery. */
export interface ParsedWebhook {
  events: ChannelEvent[];
}

/** Everything a plugin gets for one channel account. */
export interface ChannelContext<Config> {
  channelAccountId: string;
  tenantId: string;
  /** The account's validated, decrypted configuration. */
  config: Config;
  clock: Clock;
}

/** A message to send. The core has already stored it and checked the policy. */
export interface OutboundMessage {
  /**
   * Obrol's message id. Send it along where the provider echoes caller data in its status
   * webhooks, and return it as `StatusEvent.messageId`: after a crash it is the only evidence
   * of whether a send reached the provider.
   */
  messageId: string;
  to: ChannelIdentity;
  content: MessageContent;
  replyToExternalId?: string;
}

export interface SentMessage {
  externalId: string;
  /** The recipient id the provider resolved the address to (may differ from what was sent). */
  recipientExternalId?: string;
}

export type SendResult = Result<SentMessage, ChannelError>;

/** The state of the free-form reply window of a conversation. */
export interface SessionWindow {
  /** Whether a session (non-template) message may be sent now. */
  open: boolean;
  /** When it closes; null for channels without a window, or before the customer ever wrote. */
  expiresAt: Date | null;
}

/** The facts a policy decides from. */
export interface ConversationFacts {
  /** When the provider says the customer's last message was sent. */
  lastInboundAt: Date | null;
}

/** Channel rules the core asks about and never re-implements. */
export interface SessionPolicy {
  /** Whether a free-form (session) message may be sent now, and until when. */
  canSendFreeform(conversation: ConversationFacts, now: Date): SessionWindow;
}

/** Media the plugin fetched from the provider. */
export interface DownloadedMedia {
  bytes: Buffer;
  mimeType: string;
  filename?: string;
}

export interface ChannelMedia<Config> {
  /** Fetch an inbound media item's bytes by the provider's media id. */
  download(providerMediaId: string, ctx: ChannelContext<Config>): Promise<Result<DownloadedMedia, ChannelError>>;
  /** Upload bytes to the provider so they can be sent by id. */
  upload?(media: DownloadedMedia, ctx: ChannelContext<Config>): Promise<Result<{ providerMediaId: string }, ChannelError>>;
  /** Largest accepted size per content type, in bytes. */
  maxBytes: Partial<Record<'image' | 'video' | 'audio' | 'document' | 'sticker', number>>;
  /** Accepted MIME types per content type. */
  mimeTypes: Partial<Record<'image' | 'video' | 'audio' | 'document' | 'sticker', readonly string[]>>;
}

/** Approved message templates (WhatsApp HSM and the like). */
export interface ChannelTemplates<Config> {
  /** All templates the provider has for the account (every page). */
  list(ctx: ChannelContext<Config>): Promise<Result<TemplateDefinition[], ChannelError>>;
  /** Submit a new template for approval. */
  create(draft: TemplateDraft, ctx: ChannelContext<Config>): Promise<Result<TemplateDefinition, ChannelError>>;
  /**
   * Resubmit an edited template (a rejected, paused or approved one, same name and language)
   * by its external id; it goes back to review. Optional: without it, admins cannot edit in place.
   */
  update?(externalId: string, draft: TemplateDraft, ctx: ChannelContext<Config>): Promise<Result<TemplateDefinition, ChannelError>>;
  /**
   * Uploads the sample file of a media header (image, video, document) and returns the handle a
   * draft's header names as its example (`exampleUrl`). Optional: without it, a media header's
   * sample is whatever the admin types.
   */
  uploadHeaderSample?(media: DownloadedMedia, ctx: ChannelContext<Config>): Promise<Result<{ handle: string }, ChannelError>>;
  /** Delete a template (all its languages, or the one with this external id). */
  remove(name: string, externalId: string | undefined, ctx: ChannelContext<Config>): Promise<Result<void, ChannelError>>;
  /** Problems the provider would reject the draft for; empty when it looks fine. */
  lint(draft: TemplateDraft): TemplateProblem[];
  /** Problems with parameter values for a send; empty when they fit the template. */
  validateParameters(template: TemplateDefinition, parameters: TemplateParameters): TemplateProblem[];
  /** The text the customer will see. */
  render(template: TemplateDefinition, parameters: TemplateParameters): string;
}

/** Facts about the provider account found while checking credentials. */
export interface AccountCheck {
  /** The provider's id for the account (e.g. WhatsApp's phone number id). */
  externalId?: string;
  displayName?: string;
  displayPhoneNumber?: string;
  details?: Record<string, unknown>;
}

/**
 * A channel implementation. Framework-free: it can be unit-tested without Nest. A plugin
 * module registers one with the core (see `@ObrolPlugin` in `@obrol/core`).
 */
export interface ChannelPlugin<Config = unknown> {
  /** Stable id, lower case; used in URLs (`/webhooks/<id>/…`) and subjects. */
  id: string;
  displayName: string;
  capabilities: ChannelCapabilities;
  /** Validates a channel account's configuration. */
  configSchema: z.ZodType<Config>;
  /** Keys of the config that are secrets: encrypted at rest, never returned, never logged. */
  secretFields: readonly (keyof Config & string)[];
  /** Check the credentials with the provider when an account is created or changed. */
  checkAccount?(ctx: ChannelContext<Config>): Promise<Result<AccountCheck, ChannelError>>;
  /** Answer the provider's GET verification handshake, if the channel has one. */
  verifyWebhook?(req: WebhookRequest, ctx: ChannelContext<Config>): Result<WebhookReply, ChannelError>;
  /** Check the request's signature on the raw body, then normalise it into events. */
  parseWebhook(req: WebhookRequest, ctx: ChannelContext<Config>): Result<ParsedWebhook, ChannelError>;
  /**
   * Send one message. Returns a result value; throws only for bugs. The idempotency key is
   * stable across retries of the same message.
   */
  send(message: OutboundMessage, idempotencyKey: string, ctx: ChannelContext<Config>): Promise<SendResult>;
  /** Tell the provider the customer's message was read by an agent. */
  markRead?(externalId: string, ctx: ChannelContext<Config>): Promise<Result<void, ChannelError>>;
  /**
   * Show the customer that an agent is typing a reply to their message `externalId` (the
   * latest one they sent). Implementing it declares the capability; the core calls it only
   * while the session window is open, at most once per 20 seconds per conversation.
   */
  sendTypingIndicator?(externalId: string, ctx: ChannelContext<Config>): Promise<Result<void, ChannelError>>;
  policy: SessionPolicy;
  media?: ChannelMedia<Config>;
  templates?: ChannelTemplates<Config>;
}

/** Identity helper for type inference: `export const myChannel = defineChannelPlugin({...})`. */
export function defineChannelPlugin<Config>(plugin: ChannelPlugin<Config>): ChannelPlugin<Config> {
  return plugin;
}

/** A policy for channels that let the business write at any time. */
export const alwaysOpenPolicy: SessionPolicy = {
  canSendFreeform: () => ({ open: true, expiresAt: null }),
};

/** A policy for channels with a reply window of fixed length after the customer's last message. */
export function fixedWindowPolicy(windowMs: number): SessionPolicy {
  return {
    canSendFreeform({ lastInboundAt }, now) {
      if (!lastInboundAt) return { open: false, expiresAt: null };
      const expiresAt = new Date(lastInboundAt.getTime() + windowMs);
      return { open: now.getTime() < expiresAt.getTime(), expiresAt };
    },
  };
}
