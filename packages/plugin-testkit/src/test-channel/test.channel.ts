import { timingSafeEqual } from 'node:crypto';
import {
  type ChannelEvent,
  type ChannelPlugin,
  type MessageContent,
  type ErrorCode,
  type TemplateDefinition,
  type TemplateParameters,
  type TemplateProblem,
  defineChannelPlugin,
  err,
  fixedWindowPolicy,
  messageContentSchema,
  ok,
} from '@obrol/contracts';
import { z } from 'zod';
import { TEST_SIGNATURE_HEADER, signTestWebhook, testWebhookSchema } from './test-webhook.js';
import { TestProvider } from './test-provider.js';

export const testChannelConfigSchema = z.object({
  /** Signs webhooks (HMAC-SHA256) and answers the GET handshake. */
  webhookSecret: z.string().min(8, 'must be at least 8 characters'),
  /** The provider's id for this account. */
  accountId: z.string().min(1).default('test-account'),
  /** Refuse this account's credentials (to test the check on create). */
  rejectCredentials: z.boolean().default(false),
});
export type TestChannelConfig = z.infer<typeof testChannelConfigSchema>;

const HOURS_24 = 24 * 60 * 60 * 1000;
const RECEIVE_ONLY = new Set(['interactive_reply', 'system', 'order', 'unsupported']);

/** The event's content in the content model; anything else is kept as `unsupported`. */
function contentOf(e: { text?: string; content?: unknown }): MessageContent {
  if (e.content !== undefined) {
    const parsed = messageContentSchema.safeParse(e.content);
    if (parsed.success) return parsed.data;
    const providerType = typeof e.content === 'object' && e.content !== null && typeof (e.content as { type?: unknown }).type === 'string' ? (e.content as { type: string }).type : 'unknown';
    return { type: 'unsupported', providerType, raw: e.content };
  }
  return e.text !== undefined ? { type: 'text', text: e.text } : { type: 'unsupported', providerType: 'empty', raw: e };
}
const VARIABLE = /\{\{\s*([a-z0-9_]+)\s*\}\}/g;

function bodyVariables(t: TemplateDefinition): string[] {
  return [...new Set([...t.components.body.text.matchAll(VARIABLE)].map((m) => m[1]!))];
}

function textOf(p: NonNullable<TemplateParameters['body']>[number]): string {
  return p.type === 'text' ? p.text : 'fallback' in p ? p.fallback : `[${p.type}]`;
}

/**
 * A real channel plugin for tests: a small signed-JSON webhook format, a 24-hour reply window
 * like WhatsApp's, templates, and sends that go to an in-memory {@link TestProvider}. It walks
 * the whole core pipeline the way a production plugin does; nothing in the core knows it exists.
 */
export function createTestChannel(provider: TestProvider = new TestProvider()): ChannelPlugin<TestChannelConfig> {
  return defineChannelPlugin<TestChannelConfig>({
    id: 'test',
    displayName: 'Test channel',
    capabilities: {
      text: true,
      media: true,
      interactive: true,
      location: true,
      contacts: true,
      reactions: true,
      templates: true,
      readReceipts: true,
      sessionWindow: true,
    },
    configSchema: testChannelConfigSchema,
    secretFields: ['webhookSecret'],

    async checkAccount({ config }) {
      if (config.rejectCredentials) {
        return err({ code: 'CHANNEL_AUTH_FAILED', message: 'The test provider refused these credentials.', retryable: false });
      }
      return ok({ externalId: config.accountId, displayName: 'Test account' });
    },

    verifyWebhook(req, { config }) {
      if (req.query.token !== config.webhookSecret || !req.query.challenge) {
        return err({ code: 'WEBHOOK_VERIFY_FAILED', message: 'The verify token does not match.', retryable: false });
      }
      return ok({ status: 200, body: req.query.challenge, contentType: 'text/plain' });
    },

    parseWebhook(req, { config }) {
      const given = Buffer.from(req.headers[TEST_SIGNATURE_HEADER] ?? '', 'utf8');
      const expected = Buffer.from(signTestWebhook(req.rawBody, config.webhookSecret), 'utf8');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return err({ code: 'WEBHOOK_SIGNATURE_INVALID', message: `Missing or wrong ${TEST_SIGNATURE_HEADER}.`, retryable: false });
      }
      let json: unknown;
      try {
        json = JSON.parse(req.rawBody.toString('utf8'));
      } catch {
        return err({ code: 'WEBHOOK_PAYLOAD_INVALID', message: 'The body is not JSON.', retryable: false });
      }
      const parsed = testWebhookSchema.safeParse(json);
      if (!parsed.success) return err({ code: 'WEBHOOK_PAYLOAD_INVALID', message: parsed.error.issues[0]!.message, retryable: false });
      const events: ChannelEvent[] = parsed.data.events.map((e): ChannelEvent => {
        switch (e.type) {
          case 'message':
            return {
              kind: 'inbound_message',
              externalId: e.id,
              from: { externalId: e.from.id, phone: e.from.phone, name: e.from.name },
              timestamp: new Date(e.timestamp),
              content: contentOf(e),
              replyToExternalId: e.replyTo,
              opensWindow: !e.system,
            };
          case 'status':
            return {
              kind: 'status',
              externalId: e.id,
              status: e.status,
              timestamp: new Date(e.timestamp),
              error: e.error ? { code: e.error.code as ErrorCode, message: e.error.message, retryable: false } : undefined,
              messageId: e.messageId,
            };
          case 'template':
            return { kind: 'template_status', name: e.name, language: e.language, status: e.status, reason: e.reason, timestamp: new Date(e.timestamp) };
          case 'preference':
            return { kind: 'marketing_preference', from: { externalId: e.from.id, phone: e.from.phone, name: e.from.name }, preference: e.preference, detail: e.detail ?? null, timestamp: new Date(e.timestamp) };
        }
      });
      return ok({ events });
    },

    async send(message, idempotencyKey, { channelAccountId }) {
      if (RECEIVE_ONLY.has(message.content.type)) {
        return err({ code: 'CONTENT_NOT_SUPPORTED', message: `The test channel cannot send ${message.content.type} messages.`, retryable: false });
      }
      const result = provider.accept(channelAccountId, message, idempotencyKey);
      if ('code' in result) return err(result);
      return ok({ externalId: result.externalId, recipientExternalId: message.to.externalId });
    },

    async markRead(externalId) {
      provider.readMarks.push(externalId);
      return ok(undefined);
    },

    policy: fixedWindowPolicy(HOURS_24),

    media: {
      async download(providerMediaId) {
        const media = provider.media.get(providerMediaId);
        return media ? ok(media) : err({ code: 'MEDIA_FAILED', message: `No media ${providerMediaId} at the test provider.`, retryable: false });
      },
      maxBytes: { image: 5 * 1024 * 1024, document: 100 * 1024 * 1024 },
      mimeTypes: { image: ['image/jpeg', 'image/png'] },
    },

    templates: {
      async list() {
        return ok(provider.templates.map((t) => ({ ...t })));
      },
      async create(draft) {
        const created: TemplateDefinition = { ...draft, externalId: `tpl-${provider.templates.length + 1}`, status: 'PENDING' };
        provider.templates.push(created);
        return ok(created);
      },
      async update(externalId, draft) {
        const index = provider.templates.findIndex((t) => t.externalId === externalId);
        if (index < 0) return err({ code: 'TEMPLATE_NOT_FOUND', message: `No template ${externalId}.`, retryable: false });
        const edited: TemplateDefinition = { ...draft, externalId, status: 'PENDING' };
        provider.templates[index] = edited;
        return ok(edited);
      },
      async remove(name) {
        const index = provider.templates.findIndex((t) => t.name === name);
        if (index < 0) return err({ code: 'TEMPLATE_NOT_FOUND', message: `No template ${name}.`, retryable: false });
        provider.templates.splice(index, 1);
        return ok(undefined);
      },
      lint(draft) {
        const problems: TemplateProblem[] = [];
        if (!/^[a-z0-9_]{1,512}$/.test(draft.name)) {
          problems.push({ path: 'name', rule: 'name.format', message: 'The name may only contain lower-case letters, digits and underscores.' });
        }
        return problems;
      },
      validateParameters(template, parameters) {
        const expected = bodyVariables(template);
        const given = parameters.body ?? [];
        if (given.length !== expected.length) {
          return [{ path: 'parameters.body', rule: 'parameters.count', message: `The body needs ${expected.length} parameter(s), got ${given.length}.` }];
        }
        return [];
      },
      render(template, parameters) {
        const names = bodyVariables(template);
        const values = new Map(names.map((n, i) => [n, parameters.body?.[i] ? textOf(parameters.body[i]!) : `{{${n}}}`]));
        return template.components.body.text.replace(VARIABLE, (_m, n: string) => values.get(n) ?? `{{${n}}}`);
      },
    },
  });
}
