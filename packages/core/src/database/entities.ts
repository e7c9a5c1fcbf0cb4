import { Agent } from '../agents/agent.entity.js';
import { ApiKey } from '../auth/api-key.entity.js';
import { PasswordLink } from '../auth/password-link.entity.js';
import { RateLimitCounter } from '../auth/rate-limit-counter.entity.js';
import { Session } from '../auth/session.entity.js';
import { AuditLog } from '../audit/audit-log.entity.js';
import { ChannelAccount } from '../channels/channel-account.entity.js';
import { Contact } from '../contacts/contact.entity.js';
import { Conversation } from '../conversations/conversation.entity.js';
import { MediaObject } from '../media/media-object.entity.js';
import { IdempotencyRecord } from '../messages/idempotency-record.entity.js';
import { Message } from '../messages/message.entity.js';
import { WebhookDelivery } from '../outbound-webhooks/webhook-delivery.entity.js';
import { WebhookEndpoint } from '../outbound-webhooks/webhook-endpoint.entity.js';
import { Note } from '../notes/note.entity.js';
import { CannedResponse } from '../canned-responses/canned-response.entity.js';
import { OutboxEvent } from '../outbox/outbox-event.entity.js';
import { Template } from '../templates/template.entity.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { InboundWebhook } from '../webhooks/inbound-webhook.entity.js';

/** Every entity of the core, in one list for the ORM and the migration generator. */
export const coreEntities = [
  Tenant,
  Agent,
  Session,
  ApiKey,
  PasswordLink,
  ChannelAccount,
  Contact,
  Conversation,
  Message,
  IdempotencyRecord,
  Template,
  OutboxEvent,
  AuditLog,
  MediaObject,
  InboundWebhook,
  RateLimitCounter,
  WebhookEndpoint,
  WebhookDelivery,
  Note,
  CannedResponse,
];
