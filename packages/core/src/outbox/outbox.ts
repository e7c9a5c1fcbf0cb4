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
  const row = outboxRow(tenant, now, event, live);
  em.persist(outboxEntity(row));
  return row.payload;
}

/** An outbox row as an entity, for a unit of work to persist with the change it records. */
export function outboxEntity(row: OutboxRow): OutboxEvent {
  return Object.assign(new OutboxEvent(), row);
}

/** An outbox row as bulk writers insert it and the relay publishes it: its columns, not an entity. */
export type OutboxRow = Pick<OutboxEvent, 'id' | 'subject' | 'payload' | 'live' | 'createdAt'>;

/**
 * The outbox row `recordEvent` would record, as a plain object handed to no unit of work: for
 * writers that insert rows in bulk (`OutboxWriter`), thousands a second in a status flood.
 */
export function outboxRow<E extends OutgoingEvent>(tenant: string, now: Date, event: E, live?: OutgoingLiveEvent): OutboxRow & { payload: EventEnvelope & E['data'] } {
  const id = newId();
  const envelope: EventEnvelope = { eventId: id, occurredAt: now.toISOString(), schemaVersion: 1, tenantId: tenant };
  return {
    id,
    subject: event.subject,
    payload: { ...envelope, ...event.data },
    live: live ? { subject: live.subject, data: { ...envelope, ...live.event } } : null,
    createdAt: now,
  };
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
