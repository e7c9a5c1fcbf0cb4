import {
  defineChannelPlugin,
  err,
  ok,
  type AccountCheck,
  type ChannelContext,
  type ChannelError,
  type ChannelPlugin,
} from '@obrol/contracts';
import { GraphApiClient } from './graph-api.client.js';
import { fetchGraphHttp, pooledGraphHttp } from './graph-http.js';
import { downloadMedia, uploadMedia, WHATSAPP_MEDIA_MAX_BYTES, WHATSAPP_MEDIA_MIME_TYPES } from './media.transfer.js';
import { asArray, asRecord, asString } from './json-payload.reader.js';
import { toGraphMessage } from './outbound.mapper.js';
import { whatsAppSessionWindowPolicy } from './session-window.policy.js';
import { uploadHeaderSample } from './templates/template-header-sample.js';
import { createTemplate, listTemplates, removeTemplate, updateTemplate } from './templates/template-management.api.js';
import { validateTemplateParameters } from './templates/template-parameters.js';
import { lintTemplate } from './templates/template.linter.js';
import { renderTemplate } from './templates/template.renderer.js';
import { answerVerificationHandshake } from './webhook-handshake.js';
import { isValidWhatsAppSignature } from './webhook-signature.js';
import { parseWhatsAppWebhook } from './webhook.parser.js';
import { whatsAppConfigSchemaFor, WHATSAPP_SECRET_FIELDS, type WhatsAppConfig } from './whatsapp-config.schema.js';

/** Options of the WhatsApp channel. */
export interface WhatsAppChannelOptions {
  /** A fetch for every Graph call instead of the pooled default (`pooledGraphHttp`). Tests inject a fake. */
  fetch?: typeof fetch;
  /** Allow a plain-http Graph origin on any host (OBROL_ALLOW_INSECURE_GRAPH); loopback is always allowed. */
  allowInsecureGraph?: boolean;
}

type Ctx = ChannelContext<WhatsAppConfig>;

/**
 * The WhatsApp Cloud API channel (`id: "whatsapp"`): webhook handshake and signed webhook
 * parsing, sending every session type and templates, read receipts, the 24-hour customer
 * service window, media transfer and template management. Framework-free: the Nest module
 * registers the value this returns.
 */
export function createWhatsAppChannel(options: WhatsAppChannelOptions = {}): ChannelPlugin<WhatsAppConfig> {
  const http = options.fetch ? fetchGraphHttp(options.fetch) : pooledGraphHttp();
  const graphOf = (ctx: Ctx) => new GraphApiClient(ctx.config, http);

  return defineChannelPlugin<WhatsAppConfig>({
    id: 'whatsapp',
    displayName: 'WhatsApp',
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
    configSchema: whatsAppConfigSchemaFor(options),
    secretFields: WHATSAPP_SECRET_FIELDS,

    async checkAccount(ctx) {
      const res = await graphOf(ctx).request({
        method: 'GET',
        path: ctx.config.phoneNumberId,
        query: { fields: 'display_phone_number,verified_name,quality_rating,throughput,whatsapp_business_manager_messaging_limit' },
      });
      if (!res.ok) return err(asAccountCheckError(res.error));
      const body = asRecord(res.value);
      // externalId: the phone number id Meta answers for (AccountCheck gains it in newer contracts).
      const check = {
        externalId: asString(body?.['id']) ?? ctx.config.phoneNumberId,
        ...(asString(body?.['verified_name']) ? { displayName: asString(body?.['verified_name']) } : {}),
        ...(asString(body?.['display_phone_number']) ? { displayPhoneNumber: asString(body?.['display_phone_number']) } : {}),
        details: {
          phoneNumberId: asString(body?.['id']) ?? ctx.config.phoneNumberId,
          qualityRating: asString(body?.['quality_rating']),
          messagingLimit: asString(body?.['whatsapp_business_manager_messaging_limit']),
          throughput: asString(asRecord(body?.['throughput'])?.['level']),
        },
      };
      return ok<AccountCheck>(check);
    },

    verifyWebhook(req, ctx) {
      return answerVerificationHandshake(req, ctx.config.verifyToken);
    },

    parseWebhook(req, ctx) {
      if (!isValidWhatsAppSignature(req.rawBody, req.headers['x-hub-signature-256'], ctx.config.appSecret)) {
        return err({
          code: 'WEBHOOK_SIGNATURE_INVALID',
          message: 'The webhook signature (X-Hub-Signature-256) is missing or does not match the app secret.',
          retryable: false,
        });
      }
      let payload: unknown;
      try {
        payload = JSON.parse(req.rawBody.toString('utf8'));
      } catch {
        return err({ code: 'WEBHOOK_PAYLOAD_INVALID', message: 'The webhook body is not valid JSON.', retryable: false });
      }
      const parsed = parseWhatsAppWebhook(payload, {
        phoneNumberId: ctx.config.phoneNumberId,
        wabaId: ctx.config.wabaId,
        now: ctx.clock.now(),
      });
      return parsed
        ? ok(parsed)
        : err({ code: 'WEBHOOK_PAYLOAD_INVALID', message: 'The webhook body is not a WhatsApp Business Account notification (no entry list).', retryable: false });
    },

    async send(message, _idempotencyKey, ctx) {
      // The Cloud API has no idempotency key: the core must not call send twice for one key.
      const body = toGraphMessage(message);
      if (!body.ok) return body;
      const res = await graphOf(ctx).request({ method: 'POST', path: `${ctx.config.phoneNumberId}/messages`, body: { json: body.value } });
      if (!res.ok) return res;
      const answer = asRecord(res.value);
      const externalId = asString(asRecord(asArray(answer?.['messages'])[0])?.['id']);
      if (!externalId) {
        return err({
          code: 'CHANNEL_ERROR',
          message: 'WhatsApp accepted the request but returned no message id; check the conversation before sending again.',
          retryable: false,
        });
      }
      const recipient = asString(asRecord(asArray(answer?.['contacts'])[0])?.['wa_id']);
      return ok({ externalId, ...(recipient ? { recipientExternalId: recipient } : {}) });
    },

    async markRead(externalId, ctx) {
      const res = await graphOf(ctx).request({
        method: 'POST',
        path: `${ctx.config.phoneNumberId}/messages`,
        body: { json: { messaging_product: 'whatsapp', status: 'read', message_id: externalId } },
      });
      return res.ok ? ok(undefined) : res;
    },

    async sendTypingIndicator(externalId, ctx) {
      // Meta shows "typing…" for up to 25 s or until the reply, and marks the message read (WHATSAPP.md §2.4).
      const res = await graphOf(ctx).request({
        method: 'POST',
        path: `${ctx.config.phoneNumberId}/messages`,
        body: { json: { messaging_product: 'whatsapp', status: 'read', message_id: externalId, typing_indicator: { type: 'text' } } },
      });
      return res.ok ? ok(undefined) : res;
    },

    policy: whatsAppSessionWindowPolicy,

    media: {
      download: (providerMediaId, ctx) => downloadMedia(graphOf(ctx), providerMediaId, ctx.config.phoneNumberId),
      upload: (media, ctx) => uploadMedia(graphOf(ctx), media, ctx.config.phoneNumberId),
      maxBytes: WHATSAPP_MEDIA_MAX_BYTES,
      mimeTypes: WHATSAPP_MEDIA_MIME_TYPES,
    },

    templates: {
      list: (ctx) => listTemplates(graphOf(ctx), ctx.config.wabaId),
      create: (draft, ctx) => createTemplate(graphOf(ctx), ctx.config.wabaId, draft),
      update: (externalId, draft, ctx) => updateTemplate(graphOf(ctx), externalId, draft),
      remove: (name, externalId, ctx) => removeTemplate(graphOf(ctx), ctx.config.wabaId, name, externalId),
      uploadHeaderSample: (media, ctx) => uploadHeaderSample(graphOf(ctx), ctx.config.appId, media),
      lint: lintTemplate,
      validateParameters: validateTemplateParameters,
      render: renderTemplate,
    },
  });
}

/** While checking credentials, what went wrong is said in an admin's words. */
function asAccountCheckError(error: ChannelError): ChannelError {
  if (error.code === 'CHANNEL_UNAVAILABLE' || error.code === 'RATE_LIMITED') return error;
  const message =
    error.providerCode === 190
      ? 'The access token is invalid or has expired; generate a new system-user token in Meta Business Settings and paste it here.'
      : error.providerCode === 100 || error.providerCode === 803
        ? 'Meta does not know this phone number ID, or the token cannot see it; check the phone number ID in API Setup and that the token belongs to its WhatsApp Business Account.'
        : error.code === 'CHANNEL_AUTH_FAILED'
          ? 'The access token lacks the whatsapp_business_messaging or whatsapp_business_management permission for this phone number; grant them to the system user and generate a new token.'
          : `Meta refused the credentials check: ${error.providerMessage ?? error.message}`;
  return { ...error, code: 'CHANNEL_AUTH_FAILED', message, retryable: false };
}

