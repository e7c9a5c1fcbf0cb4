import { Injectable } from '@nestjs/common';
import { MikroORM, UniqueConstraintViolationException } from '@mikro-orm/core';
import { type EventEnvelope, type WebhookPayload, factNameOf, subjects, subscribesTo } from '@obrol/contracts';
import type { DeliveredMessage, HandlerOutcome } from '../bus/event-bus.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { OnCommand } from '../work/declared-work.js';
import { WebhookDelivery } from './webhook-delivery.entity.js';
import { WebhookEndpointCache } from './webhook-endpoint.cache.js';
import { WebhookDeliverySender } from './webhook-delivery.sender.js';

/** What a receiver gets of a fact: the envelope's id, type and time, and the fact without its internal fields. */
export function payloadOf(type: string, fact: EventEnvelope & Record<string, unknown>): WebhookPayload {
  const { eventId, occurredAt, tenantId, schemaVersion: _version, ...data } = fact;
  return { id: eventId, type, createdAt: occurredAt, tenant: tenantId, data };
}

/**
 * Turns every durable fact into one delivery per subscribed, enabled endpoint of its tenant.
 * Recording is idempotent (unique endpoint + event), so a redelivered fact records nothing new;
 * sending is left to `WebhookDeliverySender`, which this wakes.
 */
@Injectable()
export class WebhookFactConsumer {
  private readonly tenantIds = new Map<string, string>();

  constructor(
    private readonly orm: MikroORM,
    private readonly sender: WebhookDeliverySender,
    private readonly endpointCache: WebhookEndpointCache,
  ) {}

  // Every fact comes here, and most need no more than a look at the cached endpoints: pulled
  // from NATS 64 at a time rather than one pull request per fact (ADR 0044).
  @OnCommand({ durableName: 'core-outbound-webhooks', subjects: [subjects.all.chat], concurrency: 4, prefetch: 60 })
  record = async ({ subject, data }: DeliveredMessage<EventEnvelope & Record<string, unknown>>): Promise<HandlerOutcome> => {
    const type = factNameOf(subject);
    if (!type) return { action: 'ack' };
    const tenantId = await this.tenantIdOf(data.tenantId);
    if (!tenantId) return { action: 'drop', reason: `unknown tenant ${data.tenantId}` };
    const occurredAt = new Date(data.occurredAt);
    // An endpoint hears about what happened after it was created, even when the bus hands the fact over late.
    const endpoints = (await this.endpointCache.enabledOf(tenantId)).filter(
      (e) => subscribesTo(e.events, type) && e.createdAtMs <= occurredAt.getTime(),
    );
    if (!endpoints.length) return { action: 'ack' };
    const payload = payloadOf(type, data);
    // Forked only now: most facts have no endpoint to go to, and a fork is not free.
    const em = this.orm.em.fork();
    let recorded = 0;
    for (const endpoint of endpoints) {
      try {
        const delivery = em.create(WebhookDelivery, {
          tenantId,
          endpointId: endpoint.id,
          eventId: data.eventId,
          eventType: type,
          payload,
          nextAttemptAt: occurredAt,
          createdAt: occurredAt,
          updatedAt: occurredAt,
        }, { persist: false });
        await em.insert(delivery);
        recorded++;
      } catch (error) {
        if (!(error instanceof UniqueConstraintViolationException)) throw error;
      }
    }
    if (recorded) this.sender.wake();
    return { action: 'ack' };
  };

  /** Facts name their tenant by its subject token (slug); endpoints belong to its id. Slugs never change. */
  private async tenantIdOf(slug: string): Promise<string | null> {
    const cached = this.tenantIds.get(slug);
    if (cached) return cached;
    const tenant = await this.orm.em.fork().findOne(Tenant, { slug }, { fields: ['id'] });
    if (tenant) this.tenantIds.set(slug, tenant.id);
    return tenant?.id ?? null;
  }
}
