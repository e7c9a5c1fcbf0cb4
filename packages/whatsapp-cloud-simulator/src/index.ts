export { createWhatsAppSimulator, startWhatsAppSimulator, type SendResponse, type SimulatedCustomers, type WhatsAppSimulator } from './whatsapp-simulator.js';
export {
  SIMULATOR_DEFAULTS,
  type AutoReply,
  type PairRateLimit,
  type SimulatorClock,
  type StatusDelays,
  type TemplateReview,
  type WebhookRetry,
  type WhatsAppSimulatorOptions,
  type ResolvedSimulatorOptions,
} from './simulator-options.js';
export type { CustomerContent, CustomerSendOptions, InboundMessageRecord, OutboundMessageRecord, OutboundStatus, SimulatedCustomer, TypingIndicatorRecord } from './customer-directory.js';
export type { DeliveryAttempt, WebhookDelivery, WebhookKind } from './webhook-dispatcher.js';
export { DEFAULT_TEMPLATES, type StoredTemplate, type TemplateSeed, type TemplateStatus } from './template-store.js';
export type { TemplateComponentDefinition, RenderedTemplate } from './template-rules.js';
export type { StoredMedia } from './media-store.js';
export { RESUMABLE_UPLOAD_TYPES, type UploadedFile } from './upload-sessions.js';
export type { GraphErrorEnvelope, WebhookErrorObject } from './graph-error.js';
