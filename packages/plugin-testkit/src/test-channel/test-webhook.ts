import { createHmac } from 'node:crypto';
import type { MessageContent } from '@obrol/contracts';
import { z } from 'zod';

/** The test channel's webhook body: a small provider format of its own. */
export const testWebhookSchema = z.object({
  account: z.string().optional(),
  events: z.array(
    z.discriminatedUnion('type', [
      z.object({
        type: z.literal('message'),
        id: z.string().min(1),
        from: z.object({ id: z.string().min(1), phone: z.string().optional(), name: z.string().optional() }),
        timestamp: z.iso.datetime(),
        text: z.string().optional(),
        /** Any content; what does not fit the content model becomes `unsupported`, never dropped. */
        content: z.unknown().optional(),
        replyTo: z.string().optional(),
        system: z.boolean().optional(),
      }),
      z.object({
        type: z.literal('status'),
        id: z.string().min(1),
        status: z.enum(['sent', 'delivered', 'read', 'failed']),
        timestamp: z.iso.datetime(),
        error: z.object({ code: z.string(), message: z.string() }).optional(),
        /** Obrol's message id, echoed the way WhatsApp echoes `biz_opaque_callback_data`. */
        messageId: z.string().optional(),
      }),
      z.object({
        type: z.literal('template'),
        name: z.string(),
        language: z.string(),
        status: z.string(),
        reason: z.string().optional(),
        timestamp: z.iso.datetime(),
      }),
      z.object({
        type: z.literal('preference'),
        from: z.object({ id: z.string().min(1), phone: z.string().optional(), name: z.string().optional() }),
        preference: z.enum(['stop', 'resume']),
        detail: z.string().optional(),
        timestamp: z.iso.datetime(),
      }),
    ]),
  ),
});
export type TestWebhook = z.infer<typeof testWebhookSchema>;

export const TEST_SIGNATURE_HEADER = 'x-test-signature';

/** `hex(HMAC-SHA256(body, secret))`, the test channel's webhook signature. */
export function signTestWebhook(body: string | Buffer, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** Builders for test webhook events. */
export const testEvents = {
  text(id: string, from: { id: string; phone?: string; name?: string }, text: string, timestamp: Date = new Date()) {
    return { type: 'message' as const, id, from, timestamp: timestamp.toISOString(), text };
  },
  content(id: string, from: { id: string; phone?: string; name?: string }, content: MessageContent, timestamp: Date = new Date()) {
    return { type: 'message' as const, id, from, timestamp: timestamp.toISOString(), content };
  },
  /** The customer stopped or resumed marketing messages on the provider's side. */
  preference(from: { id: string; phone?: string; name?: string }, preference: 'stop' | 'resume', detail?: string, timestamp: Date = new Date()) {
    return { type: 'preference' as const, from, preference, ...(detail ? { detail } : {}), timestamp: timestamp.toISOString() };
  },
  status(id: string, status: 'sent' | 'delivered' | 'read' | 'failed', timestamp: Date = new Date(), error?: { code: string; message: string }, messageId?: string) {
    return { type: 'status' as const, id, status, timestamp: timestamp.toISOString(), ...(error ? { error } : {}), ...(messageId ? { messageId } : {}) };
  },
};
