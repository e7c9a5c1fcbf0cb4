import { z } from 'zod';
import type { FactName } from './events.js';

/**
 * What each fact means to a back-end system subscribed to it with an outbound webhook. Typed by
 * `FactName`, so a fact added to `FactMap` does not compile until it says what it is, and then
 * it is a subscribable webhook event by its name with no other code.
 */
export const FACT_DESCRIPTIONS: Record<FactName, string> = {
  'message.received': 'A customer sent a message to one of your inboxes.',
  'message.sent': 'An outbound message was accepted by the channel (it has its provider id).',
  'message.status': "An outbound message's status moved forward: delivered, read or failed.",
  'conversation.opened': 'A conversation was opened (a new customer, or one reopened).',
  'conversation.assigned': 'A conversation was assigned to an agent, or unassigned.',
  'conversation.resolved': 'A conversation was resolved.',
  'conversation.tagged': "A conversation's tags changed (the tags now, and which were added or removed).",
  'contact.updated': 'A contact was edited: name, attributes, tags, or opt-in/opt-out (which fields changed).',
  'template.status': "A message template's review status or quality changed.",
  'channel.restricted': 'WhatsApp restricted a number: it may not start conversations (templates, broadcasts) or answer customers, until a time if it said.',
  'channel.restriction_lifted': 'WhatsApp lifted a restriction of a number: it may start conversations, or answer customers, again.',
  'broadcast.started': 'A broadcast started sending (now, or at its scheduled time).',
  'broadcast.paused': 'A broadcast was paused, by a person or by itself (the reason says why).',
  'broadcast.resumed': 'A paused broadcast was resumed.',
  'broadcast.completed': 'Every recipient of a broadcast was sent, failed or skipped.',
  'broadcast.cancelled': 'A broadcast was cancelled; its remaining recipients are not sent.',
};

/** The event a test delivery carries (`POST /api/v1/webhook-endpoints/:id/test`). */
export const PING_EVENT = 'ping';

/** One subscribable event type in the catalogue (`GET /api/v1/webhook-events`). */
export interface WebhookEventType {
  type: string;
  description: string;
}

/** Every event an outbound webhook endpoint may subscribe to, by name. */
export function webhookEventCatalogue(): WebhookEventType[] {
  return Object.entries(FACT_DESCRIPTIONS).map(([type, description]) => ({ type, description }));
}

/**
 * Whether an endpoint subscribed to `patterns` wants `type`: an exact name, `aggregate.*`
 * (`message.*`) or `*` (everything). `ping` goes to every endpoint that asks for a test.
 */
export function subscribesTo(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}

/** Whether a subscription pattern names something that exists: a known event, `aggregate.*` of a known aggregate, or `*`. */
export function isKnownEventPattern(pattern: string): boolean {
  if (pattern === '*') return true;
  const names = Object.keys(FACT_DESCRIPTIONS);
  if (pattern.endsWith('.*')) return names.some((n) => n.startsWith(pattern.slice(0, -1)));
  return names.includes(pattern);
}

export const webhookDeliveryStatusSchema = z.enum(['pending', 'succeeded', 'failed']);
export type WebhookDeliveryStatus = z.infer<typeof webhookDeliveryStatusSchema>;

/** An outbound webhook endpoint as the API shows it (never its secret). */
export const webhookEndpointViewSchema = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  lastDelivery: z
    .object({ status: webhookDeliveryStatusSchema, at: z.iso.datetime(), responseStatus: z.number().int().nullable() })
    .nullable()
    .describe('the most recent attempt to this endpoint, or null before the first'),
});
export type WebhookEndpointView = z.infer<typeof webhookEndpointViewSchema>;

/** One event delivered (or being delivered) to one endpoint, with its last attempt. */
export const webhookDeliveryViewSchema = z.object({
  id: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  status: webhookDeliveryStatusSchema,
  attempts: z.number().int(),
  lastAttemptAt: z.iso.datetime().nullable(),
  nextAttemptAt: z.iso.datetime().nullable().describe('when it is tried again; null once it succeeded or failed for good'),
  lastResponseStatus: z.number().int().nullable(),
  lastResponseBody: z.string().nullable().describe("the start of the receiver's last answer"),
  lastError: z.string().nullable().describe('why the last attempt failed (timeout, refused, HTTP status)'),
  createdAt: z.iso.datetime(),
});
export type WebhookDeliveryView = z.infer<typeof webhookDeliveryViewSchema>;

/** What a receiver gets as the JSON body of a delivery. */
export const webhookPayloadSchema = z.object({
  id: z.string().describe('the event id: the same on every retry and replay, dedupe by it'),
  type: z.string(),
  createdAt: z.iso.datetime(),
  tenant: z.string().optional(),
  data: z.record(z.string(), z.unknown()),
});
export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

export const webhookDeliveryDetailSchema = webhookDeliveryViewSchema.extend({ endpointId: z.string(), payload: webhookPayloadSchema });
export type WebhookDeliveryDetail = z.infer<typeof webhookDeliveryDetailSchema>;
