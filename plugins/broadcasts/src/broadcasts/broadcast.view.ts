import type { BroadcastCounters } from '@obrol/contracts';
import type { Broadcast } from './broadcast.entity.js';
import type { BroadcastRecipient } from './broadcast-recipient.entity.js';
import type { BroadcastView, RecipientView } from './broadcast.schemas.js';

export const countersOf = (b: Broadcast): BroadcastCounters => ({
  total: b.total,
  pending: b.pending,
  queued: b.queued,
  sent: b.sent,
  delivered: b.delivered,
  read: b.read,
  failed: b.failed,
  skipped: b.skipped,
  suppressed: b.suppressed,
  deferred: b.deferred,
  replies: b.replies,
});

export const broadcastView = (b: Broadcast): BroadcastView => ({
  id: b.id,
  channelAccountId: b.channelAccount.id,
  name: b.name,
  template: { name: b.templateName, language: b.templateLanguage },
  variables: b.variables,
  audience: b.audienceFilter,
  defaultCountry: b.defaultCountry,
  messagesPerSecond: b.messagesPerSecond,
  status: b.status,
  reason: b.reason,
  reasonCode: b.reasonCode,
  reasonParams: b.reasonParams,
  scheduledAt: b.scheduledAt?.toISOString() ?? null,
  scheduledLocal: b.scheduledLocal,
  timeZone: b.timeZone,
  startedAt: b.startedAt?.toISOString() ?? null,
  finishedAt: b.finishedAt?.toISOString() ?? null,
  createdAt: b.createdAt.toISOString(),
  counters: countersOf(b),
});

export const recipientView = (r: BroadcastRecipient): RecipientView => ({
  id: r.id,
  phone: r.phone,
  country: r.country,
  csvRow: r.csvRow,
  contactId: r.contactId,
  status: r.status,
  reason: r.reason,
  reasonCode: r.reasonCode,
  reasonParams: r.reasonParams,
  errorCode: r.errorCode,
  messageId: r.messageId,
  attempts: r.attempts,
  nextAttemptAt: r.nextAttemptAt?.toISOString() ?? null,
  updatedAt: r.updatedAt.toISOString(),
});
