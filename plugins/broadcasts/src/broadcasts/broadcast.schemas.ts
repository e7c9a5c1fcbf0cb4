import { broadcastCountersSchema, errorCodeSchema } from '@obrol/contracts';
import { pageQuerySchema } from '@obrol/core';
import { z } from 'zod';

export const broadcastStatusSchema = z.enum(['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled']);
export type BroadcastStatus = z.infer<typeof broadcastStatusSchema>;

export const recipientStatusSchema = z.enum(['pending', 'queued', 'sent', 'delivered', 'read', 'failed', 'skipped', 'suppressed', 'deferred']);
export type RecipientStatus = z.infer<typeof recipientStatusSchema>;

/** Where one template variable takes its value from, per recipient. */
export const variableSourceSchema = z.discriminatedUnion('from', [
  /** A column of the uploaded CSV. */
  z.object({ from: z.literal('column'), column: z.string().min(1).max(100), fallback: z.string().max(1024).optional() }),
  /** A contact field (`name`, `phone`) or attribute (`attributes.city`). */
  z.object({ from: z.literal('contact'), field: z.string().regex(/^(name|phone|attributes\.[^.]{1,100})$/, 'must be name, phone or attributes.<key>'), fallback: z.string().max(1024).optional() }),
  /** The same text for everyone. */
  z.object({ from: z.literal('constant'), value: z.string().min(1).max(1024) }),
]);
export type VariableSource = z.infer<typeof variableSourceSchema>;

const headerMediaTypeSchema = z.enum(['image', 'video', 'document']);

/**
 * The header's file: a link per recipient (a column, a contact field or a constant), or one file
 * uploaded with `POST /api/v1/media` on the broadcast's channel account, sent to everyone.
 */
export const headerMediaSchema = z.union([
  z.object({ type: headerMediaTypeSchema, source: variableSourceSchema }),
  z.object({ type: headerMediaTypeSchema, mediaId: z.string().min(1).max(36), filename: z.string().min(1).max(240).optional() }),
]);
export type HeaderMedia = z.infer<typeof headerMediaSchema>;

const namedSourceSchema = z.object({ name: z.string().min(1).max(100).optional(), source: variableSourceSchema });

/**
 * A source for each variable of the template: body and header text in order (with `name` for
 * templates with named parameters), a header file (a link or an upload), button URL suffixes and copy codes.
 */
export const variableMappingSchema = z.object({
  header: z.array(namedSourceSchema).max(1).optional(),
  headerMedia: headerMediaSchema.optional(),
  body: z.array(namedSourceSchema).max(100).optional(),
  buttons: z.array(z.object({ index: z.number().int().min(0).max(9), subType: z.enum(['url', 'copy_code']), source: variableSourceSchema })).max(10).optional(),
});
export type VariableMapping = z.infer<typeof variableMappingSchema>;

/** Contacts of the broadcast's channel account: by ids, or by tags (all of them) and attributes (all equal). */
export const audienceFilterSchema = z.object({
  contactIds: z.array(z.string().min(1).max(36)).max(10_000).optional(),
  tags: z.array(z.string().min(1).max(100)).max(20).optional(),
  attributes: z.record(z.string().max(100), z.string().max(1024)).optional(),
});
export type AudienceFilter = z.infer<typeof audienceFilterSchema>;

/** A broadcast's editable fields, without defaults: a PATCH changes only what it sends. */
const broadcastFieldsSchema = z.object({
  name: z.string().min(1).max(200),
  template: z.object({ name: z.string().min(1).max(512), language: z.string().min(2).max(15) }),
  variables: variableMappingSchema,
  audience: audienceFilterSchema.optional(),
  /** Region of numbers written without a country code (ISO 3166 alpha-2). */
  defaultCountry: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code like ID'),
  /** Messages per second from this number; capped by the server's maximum. */
  messagesPerSecond: z.number().int().min(1).max(1000).optional(),
});

export const createBroadcastSchema = broadcastFieldsSchema.extend({
  channelAccountId: z.string().min(1).max(36),
  variables: broadcastFieldsSchema.shape.variables.default({}),
  defaultCountry: broadcastFieldsSchema.shape.defaultCountry.default('ID'),
});

export const updateBroadcastSchema = broadcastFieldsSchema.partial();

export const scheduleBroadcastSchema = z.object({
  /** Local date-time, e.g. `2026-12-01T09:00:00`, read in `timeZone`. Omit to start now. */
  at: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, 'must be a local date-time like 2026-12-01T09:00').optional(),
  /** IANA time zone, e.g. `Asia/Jakarta`. */
  timeZone: z.string().min(1).max(64).optional(),
});

export const listBroadcastsQuerySchema = pageQuerySchema.extend({
  status: broadcastStatusSchema.optional(),
  channelAccountId: z.string().max(36).optional(),
});

export const listRecipientsQuerySchema = pageQuerySchema.extend({
  status: recipientStatusSchema.optional(),
  phone: z.string().max(20).optional(),
});

/** The values a reason code's sentence names. */
export const reasonParamsSchema = z.record(z.string(), z.union([z.string(), z.number()]));

export const broadcastViewSchema = z.object({
  id: z.string(),
  channelAccountId: z.string(),
  name: z.string(),
  template: z.object({ name: z.string(), language: z.string() }),
  variables: variableMappingSchema,
  audience: audienceFilterSchema.nullable(),
  defaultCountry: z.string(),
  messagesPerSecond: z.number().int(),
  status: broadcastStatusSchema,
  reason: z.string().nullable(),
  /** `reason` as a stable code the apps word: PAUSED_BY, CANCELLED_BY, PAUSED_ON_ERROR, PAUSED_FAILURE_RATE, TEMPLATE_STATUS, TEMPLATE_NOT_APPROVED, HEADER_UPLOAD_FAILED, DAILY_LIMIT, PAUSED_RESTRICTED, RESUMED_AFTER_RESTRICTION. */
  reasonCode: z.string().nullable(),
  reasonParams: reasonParamsSchema.nullable(),
  scheduledAt: z.iso.datetime().nullable(),
  scheduledLocal: z.string().nullable(),
  timeZone: z.string().nullable(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  counters: broadcastCountersSchema,
});
export type BroadcastView = z.infer<typeof broadcastViewSchema>;

/**
 * Why a recipient was not sent, as a stable code the apps translate (with `reasonParams`):
 * an empty or too long variable, a header link missing or not https, an opt-out, a country
 * where WhatsApp does not deliver marketing, or a cancelled broadcast.
 */
export const recipientReasonCodeSchema = z.enum(['VARIABLE_EMPTY', 'VARIABLE_TOO_LONG', 'HEADER_LINK_MISSING', 'HEADER_LINK_INVALID', 'OPTED_OUT', 'MARKETING_COUNTRY_BLOCKED', 'BROADCAST_CANCELLED']);
export type RecipientReasonCode = z.infer<typeof recipientReasonCodeSchema>;

export const recipientViewSchema = z.object({
  id: z.string(),
  phone: z.string(),
  country: z.string().nullable(),
  csvRow: z.number().int().nullable(),
  contactId: z.string().nullable(),
  status: recipientStatusSchema,
  reason: z.string().nullable(),
  reasonCode: recipientReasonCodeSchema.nullable(),
  reasonParams: reasonParamsSchema.nullable(),
  errorCode: z.string().nullable(),
  messageId: z.string().nullable(),
  attempts: z.number().int(),
  nextAttemptAt: z.iso.datetime().nullable(),
  updatedAt: z.iso.datetime(),
});
export type RecipientView = z.infer<typeof recipientViewSchema>;

/** Why a CSV row was refused: a stable `code` with its `params` for a translated text, and `message` in English. */
export const rowErrorCodeSchema = z.enum([
  'FILE_EMPTY',
  'CSV_MALFORMED',
  'HEADER_NO_PHONE_COLUMN',
  'HEADER_COLUMN_MISSING',
  'CELL_COUNT_MISMATCH',
  'NOT_UTF8',
  'PHONE_EMPTY',
  'PHONE_INVALID',
  'PHONE_DUPLICATE',
  'VALUE_MISSING',
]);
export type RowErrorCode = z.infer<typeof rowErrorCodeSchema>;

export const rowErrorSchema = z.object({
  row: z.number().int(),
  column: z.string().optional(),
  code: rowErrorCodeSchema,
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  message: z.string(),
});
export type RowError = z.infer<typeof rowErrorSchema>;

export const audienceImportSchema = z.object({
  broadcastId: z.string(),
  imported: z.number().int(),
  rows: z.number().int(),
  errors: z.array(rowErrorSchema),
});

/**
 * Failed recipients counted per error code by the database (the provider's code where it gave one),
 * with one of the provider's reasons for it, and Obrol's stable code for the failure, by which an
 * app words it in the reader's language.
 */
export const failureGroupsSchema = z.object({
  items: z.array(z.object({ errorCode: z.string().nullable(), code: errorCodeSchema.nullable(), reason: z.string().nullable(), count: z.number().int() })),
});
export type FailureGroups = z.infer<typeof failureGroupsSchema>;
