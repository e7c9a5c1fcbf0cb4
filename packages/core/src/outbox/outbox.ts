import type { EntityManager } from '@mikro-orm/core';
import type { EventEnvelope, OutgoingEvent, OutgoingLiveEvent } from '@obrol/contracts';
import { newId } from '../database/base.entity.js';
import { OutboxEvent } from './outbox-event.entity.js';

/**
 * Records an event (built with `facts`, `commands` from contracts) in the caller's unit of
 * work, so it commits (or not) with the state change; `live` is an optional losable push to
 * browsers sent after the durable publish. The commit wakes the relay (`OutboxCommitSubscriber`).
 */
export function recordEvent<E extends OutgoingEvent>(em: EntityManager, tenant: string, now: Date, event: E, live?: OutgoingLiveEvent): EventEnvelope & E['data'] {
  const { row, payload } = rowOf(tenant, now, event, live);
  em.persist(row);
  return payload;
}

/**
 * The outbox row `recordEvent` would record, not handed to any unit of work: for writers that
 * insert rows in bulk (`OutboxWriter`).
 */
export function outboxRow<E extends OutgoingEvent>(tenant: string, now: Date, event: E, live?: OutgoingLiveEvent): OutboxEvent {
  return rowOf(tenant, now, event, live).row;
}

function rowOf<E extends OutgoingEvent>(tenant: string, now: Date, event: E, live?: OutgoingLiveEvent): { row: OutboxEvent; payload: EventEnvelope & E['data'] } {
  const row = new OutboxEvent();
  row.id = newId();
  row.subject = event.subject;
  const envelope: EventEnvelope = { eventId: row.id, occurredAt: now.toISOString(), schemaVersion: 1, tenantId: tenant };
  const payload = { ...envelope, ...event.data };
  row.payload = payload;
  row.live = live ? { subject: live.subject, data: { ...envelope, ...live.event } } : null;
  row.createdAt = now;
  return { row, payload };
}

/** Records a live-only push (no durable fact), sent after the transaction commits. */
export function recordLive(em: EntityManager, tenant: string, now: Date, live: OutgoingLiveEvent): void {
  const row = new OutboxEvent();
  row.id = newId();
  row.payload = {};
  row.live = { subject: live.subject, data: { eventId: row.id, occurredAt: now.toISOString(), schemaVersion: 1, tenantId: tenant, ...live.event } };
  row.createdAt = now;
  em.persist(row);
}
