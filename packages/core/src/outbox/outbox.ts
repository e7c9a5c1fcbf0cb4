import type { EntityManager } from '@mikro-orm/core';
import { newId } from '../database/base.entity.js';
import { OutboxEvent } from './outbox-event.entity.js';

/** Fields every event payload carries (see `eventEnvelopeSchema` in contracts). */
export interface Envelope {
  eventId: string;
  occurredAt: string;
  schemaVersion: 1;
  tenantId: string;
}

/**
 * Records an event in the caller's unit of work, so it commits (or not) with the state change.
 * `live` is an optional losable push to browsers sent after the durable publish.
 */
export function recordEvent<T extends object>(
  em: EntityManager,
  subject: string,
  tenant: string,
  now: Date,
  data: T,
  live?: { subject: string; data: unknown },
): Envelope & T {
  const event = new OutboxEvent();
  event.id = newId();
  event.subject = subject;
  const payload = { eventId: event.id, occurredAt: now.toISOString(), schemaVersion: 1 as const, tenantId: tenant, ...data };
  event.payload = payload;
  event.live = live ? { subject: live.subject, data: { eventId: event.id, occurredAt: payload.occurredAt, schemaVersion: 1, tenantId: tenant, ...(live.data as object) } } : null;
  event.createdAt = now;
  em.persist(event);
  return payload;
}

/** Records a live-only push (no durable fact), sent after the transaction commits. */
export function recordLive(em: EntityManager, tenant: string, now: Date, live: { subject: string; data: unknown }): void {
  const event = new OutboxEvent();
  event.id = newId();
  event.payload = {};
  event.live = { subject: live.subject, data: { eventId: event.id, occurredAt: now.toISOString(), schemaVersion: 1, tenantId: tenant, ...(live.data as object) } };
  event.createdAt = now;
  em.persist(event);
}
