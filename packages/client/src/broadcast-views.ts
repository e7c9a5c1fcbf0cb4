import type { BroadcastCounters, ErrorCode } from '@obrol/contracts';

// The broadcasts plugin's API shapes (plugins/broadcasts/src/broadcasts/broadcast.schemas.ts),
// restated here: the client sits below the plugins and may not import them.

export type { BroadcastCounters, ChannelAccountView as ChannelAccountSummary } from '@obrol/contracts';

export type BroadcastStatus = 'draft' | 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled';
export type RecipientStatus = 'pending' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed' | 'skipped' | 'suppressed' | 'deferred';

/** Where one template variable takes its value from, per recipient. */
export type VariableSource =
  | { from: 'column'; column: string; fallback?: string }
  | { from: 'contact'; field: string; fallback?: string }
  | { from: 'constant'; value: string };

export type HeaderMediaType = 'image' | 'video' | 'document';

/** The header's file: a link per recipient, or one file uploaded with `uploadMedia`, sent to everyone. */
export type HeaderMedia = { type: HeaderMediaType; source: VariableSource } | { type: HeaderMediaType; mediaId: string; filename?: string };

export interface VariableMapping {
  header?: { name?: string; source: VariableSource }[];
  headerMedia?: HeaderMedia;
  body?: { name?: string; source: VariableSource }[];
  buttons?: { index: number; subType: 'url' | 'copy_code'; source: VariableSource }[];
}

export interface AudienceFilter {
  contactIds?: string[];
  tags?: string[];
  attributes?: Record<string, string>;
}

export interface BroadcastDraft {
  name: string;
  template: { name: string; language: string };
  variables?: VariableMapping;
  audience?: AudienceFilter;
  defaultCountry?: string;
  messagesPerSecond?: number;
}

export interface BroadcastView {
  id: string;
  channelAccountId: string;
  name: string;
  template: { name: string; language: string };
  variables: VariableMapping;
  audience: AudienceFilter | null;
  defaultCountry: string;
  messagesPerSecond: number;
  status: BroadcastStatus;
  /** Why it is paused, cancelled or waiting (or that it resumed by itself), in English; `reasonCode` and `reasonParams` say it for the apps to word. */
  reason: string | null;
  reasonCode: string | null;
  reasonParams: Record<string, string | number> | null;
  scheduledAt: string | null;
  scheduledLocal: string | null;
  timeZone: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
  counters: BroadcastCounters;
  /**
   * While a worker plans the audience of a large start: recipients planned so far, of those
   * uploaded. Only live progress events carry it (the API's answers do not).
   */
  planning?: { planned: number; of: number } | null;
}

/** Why a recipient was not sent (skipped, suppressed, cancelled): a stable code the apps word, with `reasonParams`. */
export type RecipientReasonCode =
  | 'VARIABLE_EMPTY'
  | 'VARIABLE_TOO_LONG'
  | 'HEADER_LINK_MISSING'
  | 'HEADER_LINK_INVALID'
  | 'OPTED_OUT'
  | 'MARKETING_COUNTRY_BLOCKED'
  | 'BROADCAST_CANCELLED';

/** A recipient's reason as the server states it: the code and its values (null for failures, worded by `errorCode`), and in English. */
export interface RecipientReason {
  reason: string | null;
  reasonCode: RecipientReasonCode | null;
  reasonParams: Record<string, string | number> | null;
}

export interface RecipientView extends RecipientReason {
  id: string;
  phone: string;
  country: string | null;
  csvRow: number | null;
  contactId: string | null;
  status: RecipientStatus;
  errorCode: string | null;
  messageId: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  updatedAt: string;
}

/** Why the audience CSV reader refused a row: a stable code, the values its text needs, and the text in English. */
export type RowErrorCode =
  | 'FILE_EMPTY'
  | 'CSV_MALFORMED'
  | 'HEADER_NO_PHONE_COLUMN'
  | 'HEADER_COLUMN_MISSING'
  | 'CELL_COUNT_MISMATCH'
  | 'NOT_UTF8'
  | 'PHONE_EMPTY'
  | 'PHONE_INVALID'
  | 'PHONE_DUPLICATE'
  | 'VALUE_MISSING';

export interface RowError {
  row: number;
  column?: string;
  code: RowErrorCode;
  params: Record<string, string | number>;
  message: string;
}

/**
 * Failed recipients counted per error code by the server, largest first: `errorCode` is the
 * provider's code where it gave one, `code` Obrol's stable code (worded by the apps), `reason` the
 * provider's own sentence.
 */
export interface FailureGroups {
  items: { errorCode: string | null; code: ErrorCode | null; reason: string | null; count: number }[];
}

export interface AudienceImport {
  broadcastId: string;
  imported: number;
  rows: number;
  errors: RowError[];
}

export interface BroadcastPreview extends RecipientReason {
  recipient: RecipientView;
  status: string;
  parameters: unknown;
  text: string | null;
}

export interface BroadcastValidation {
  ok: boolean;
  /** What stops the whole broadcast: a stable code with its values, and the English `message`. */
  problems: { code: 'TEMPLATE_NOT_APPROVED' | 'HEADER_MEDIA_UNMAPPED'; params: Record<string, string>; message: string }[];
  counts: { total: number; ready: number; skipped: number; suppressed: number };
  examples: ({ phone: string; csvRow: number | null; status: string } & RecipientReason)[];
}

export interface BroadcastEstimate {
  messages: number;
  category: string;
  currency: string;
  totalCost: number | null;
  byCountry: { country: string | null; count: number; unitPrice: number | null; cost: number | null }[];
  duration: { seconds: number | null; days: number; text: string };
}

/** Start now (empty), or at a local date-time in an IANA time zone. */
export interface ScheduleInput {
  at?: string;
  timeZone?: string;
}
