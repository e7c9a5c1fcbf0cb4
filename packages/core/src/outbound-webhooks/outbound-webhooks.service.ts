import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import {
  type Clock,
  ObrolError,
  PING_EVENT,
  type WebhookDeliveryDetail,
  type WebhookDeliveryView,
  type WebhookEndpointView,
  isKnownEventPattern,
  webhookDeliveryStatusSchema,
} from '@obrol/contracts';
import { z } from 'zod';
import { AuditService } from '../audit/audit.service.js';
import { type Principal, actorOf, assertAdmin } from '../auth/principal.js';
import { SecretBox } from '../channels/secret-box.js';
import { CLOCK } from '../clock/clock.token.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { newId } from '../database/base.entity.js';
import { decodeCursor, encodeCursor, idCursorSchema } from '../http/pagination.js';
import { endpointUrlProblem } from './endpoint-url.policy.js';
import { WebhookDelivery } from './webhook-delivery.entity.js';
import { WebhookDeliverySender } from './webhook-delivery.sender.js';
import { WebhookEndpoint } from './webhook-endpoint.entity.js';
import { WebhookEndpointCache } from './webhook-endpoint.cache.js';
import { newSigningSecret } from './webhook-signature.js';

const eventsSchema = z
  .array(z.string().trim().min(1).max(100).refine(isKnownEventPattern, { message: 'is not a known event (see GET /api/v1/webhook-events), an aggregate wildcard such as message.* or *' }))
  .min(1, 'subscribe to at least one event')
  .max(50)
  .transform((events) => [...new Set(events)]);

export const createEndpointSchema = z.object({
  url: z.string().trim().min(1).max(2048).describe('https:// URL that receives the events'),
  events: eventsSchema.describe('event names, aggregate wildcards (message.*) or *'),
  description: z.string().trim().max(500).optional(),
});

export const updateEndpointSchema = z.object({
  url: z.string().trim().min(1).max(2048).optional(),
  events: eventsSchema.optional(),
  description: z.string().trim().max(500).nullable().optional(),
  enabled: z.boolean().optional(),
});

export const deliveryQuerySchema = z.object({
  status: webhookDeliveryStatusSchema.optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** Outbound webhook endpoints and their deliveries, for admins. */
@Injectable()
export class OutboundWebhooksService {
  private readonly box: SecretBox;

  constructor(
    private readonly orm: MikroORM,
    private readonly audit: AuditService,
    private readonly sender: WebhookDeliverySender,
    private readonly endpointCache: WebhookEndpointCache,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CORE_OPTIONS) options: CoreOptions,
  ) {
    this.box = new SecretBox(options.secretKey);
  }

  private checkUrl(url: string): void {
    const problem = endpointUrlProblem(url, this.sender.settings.allowPrivateAddresses);
    if (problem) throw new ObrolError('WEBHOOK_URL_NOT_ALLOWED', `The webhook URL ${problem}.`, { problems: [{ field: 'body.url', message: problem }] });
  }

  async list(principal: Principal): Promise<WebhookEndpointView[]> {
    assertAdmin(principal);
    const em = this.orm.em.fork();
    const endpoints = await em.find(WebhookEndpoint, { tenantId: principal.tenantId }, { orderBy: { id: 'asc' } });
    return Promise.all(endpoints.map((e) => this.view(em, e)));
  }

  async get(principal: Principal, id: string): Promise<WebhookEndpointView> {
    const em = this.orm.em.fork();
    return this.view(em, await this.find(em, principal, id));
  }

  /** Creates an endpoint; its signing secret is returned this once. */
  async create(principal: Principal, input: z.infer<typeof createEndpointSchema>): Promise<WebhookEndpointView & { secret: string }> {
    assertAdmin(principal);
    this.checkUrl(input.url);
    const em = this.orm.em.fork();
    const secret = newSigningSecret();
    const now = this.clock.now();
    const endpoint = em.create(WebhookEndpoint, {
      tenantId: principal.tenantId,
      url: input.url,
      description: input.description || null,
      events: input.events,
      secret: this.box.seal(secret),
      createdAt: now,
      updatedAt: now,
    });
    this.audit.record(em, { tenantId: principal.tenantId, actor: actorOf(principal), action: 'webhook_endpoint.create', targetType: 'webhook_endpoint', targetId: endpoint.id, details: { events: input.events } });
    await em.flush();
    this.endpointCache.changed(principal.tenantId);
    return { ...(await this.view(em, endpoint)), secret };
  }

  async update(principal: Principal, id: string, input: z.infer<typeof updateEndpointSchema>): Promise<WebhookEndpointView> {
    const em = this.orm.em.fork();
    const endpoint = await this.find(em, principal, id);
    if (input.url !== undefined) {
      this.checkUrl(input.url);
      endpoint.url = input.url;
    }
    if (input.events !== undefined) endpoint.events = input.events;
    if (input.description !== undefined) endpoint.description = input.description || null;
    if (input.enabled !== undefined) endpoint.enabled = input.enabled;
    endpoint.updatedAt = this.clock.now();
    this.audit.record(em, { tenantId: principal.tenantId, actor: actorOf(principal), action: 'webhook_endpoint.update', targetType: 'webhook_endpoint', targetId: id, details: { fields: Object.keys(input) } });
    await em.flush();
    this.endpointCache.changed(principal.tenantId);
    return this.view(em, endpoint);
  }

  /** Removes an endpoint and its delivery history; pending deliveries are not sent. */
  async remove(principal: Principal, id: string): Promise<void> {
    const em = this.orm.em.fork();
    const endpoint = await this.find(em, principal, id);
    await em.transactional(async (tx) => {
      await tx.nativeDelete(WebhookDelivery, { endpointId: endpoint.id });
      await tx.nativeDelete(WebhookEndpoint, { id: endpoint.id });
      this.audit.record(tx, { tenantId: principal.tenantId, actor: actorOf(principal), action: 'webhook_endpoint.delete', targetType: 'webhook_endpoint', targetId: id, details: {} });
    });
    this.endpointCache.changed(principal.tenantId);
  }

  /** A new signing secret replaces the old one at once; returned this once. */
  async rotateSecret(principal: Principal, id: string): Promise<{ secret: string }> {
    const em = this.orm.em.fork();
    const endpoint = await this.find(em, principal, id);
    const secret = newSigningSecret();
    endpoint.secret = this.box.seal(secret);
    endpoint.updatedAt = this.clock.now();
    this.audit.record(em, { tenantId: principal.tenantId, actor: actorOf(principal), action: 'webhook_endpoint.rotate_secret', targetType: 'webhook_endpoint', targetId: id, details: {} });
    await em.flush();
    return { secret };
  }

  /** Sends a `ping` now, once (no retries), and answers with how it went. */
  async test(principal: Principal, id: string): Promise<WebhookDeliveryView> {
    const em = this.orm.em.fork();
    const endpoint = await this.find(em, principal, id);
    const now = this.clock.now();
    const eventId = newId();
    const delivery = em.create(WebhookDelivery, {
      tenantId: endpoint.tenantId,
      endpointId: endpoint.id,
      eventId,
      eventType: PING_EVENT,
      payload: { id: eventId, type: PING_EVENT, createdAt: now.toISOString(), tenant: endpoint.tenantId, data: { endpointId: endpoint.id } },
      createdAt: now,
      updatedAt: now,
    });
    await em.flush();
    const sent = await this.sender.attempt(delivery.id, { status: 'pending', nextAttemptAt: null }, { retry: false });
    return deliveryView(sent ?? delivery);
  }

  async deliveries(principal: Principal, endpointId: string, query: z.infer<typeof deliveryQuerySchema>): Promise<{ data: WebhookDeliveryView[]; nextCursor: string | null }> {
    const em = this.orm.em.fork();
    const endpoint = await this.find(em, principal, endpointId);
    const after = query.cursor ? decodeCursor(query.cursor, idCursorSchema).id : null;
    const rows = await em.find(
      WebhookDelivery,
      { endpointId: endpoint.id, ...(query.status ? { status: query.status } : {}), ...(after ? { id: { $lt: after } } : {}) },
      { orderBy: { id: 'desc' }, limit: query.limit + 1, exclude: ['payload'] },
    );
    const page = rows.slice(0, query.limit);
    return { data: page.map(deliveryView), nextCursor: rows.length > query.limit ? encodeCursor({ id: page.at(-1)!.id }) : null };
  }

  async delivery(principal: Principal, id: string): Promise<WebhookDeliveryDetail> {
    const delivery = await this.findDelivery(this.orm.em.fork(), principal, id);
    return { ...deliveryView(delivery), endpointId: delivery.endpointId, payload: delivery.payload };
  }

  /** Sends a delivery again now, whatever its state; a failure is retried only while its retry window is open. */
  async replay(principal: Principal, id: string): Promise<WebhookDeliveryDetail> {
    const delivery = await this.findDelivery(this.orm.em.fork(), principal, id);
    const sent = await this.sender.attempt(delivery.id, { status: delivery.status, nextAttemptAt: delivery.nextAttemptAt }, { retry: true });
    if (!sent) throw new ObrolError('CONFLICT', 'This delivery is being sent right now; look again in a moment.');
    const em = this.orm.em.fork();
    this.audit.record(em, { tenantId: principal.tenantId, actor: actorOf(principal), action: 'webhook_delivery.replay', targetType: 'webhook_delivery', targetId: id, details: {} });
    await em.flush();
    return { ...deliveryView(sent), endpointId: sent.endpointId, payload: sent.payload };
  }

  private async find(em: EntityManager, principal: Principal, id: string): Promise<WebhookEndpoint> {
    assertAdmin(principal);
    const endpoint = z.uuid().safeParse(id).success ? await em.findOne(WebhookEndpoint, { id, tenantId: principal.tenantId }) : null;
    if (!endpoint) throw new ObrolError('NOT_FOUND', 'Webhook endpoint not found.');
    return endpoint;
  }

  private async findDelivery(em: EntityManager, principal: Principal, id: string): Promise<WebhookDelivery> {
    assertAdmin(principal);
    const delivery = z.uuid().safeParse(id).success ? await em.findOne(WebhookDelivery, { id, tenantId: principal.tenantId }) : null;
    if (!delivery) throw new ObrolError('NOT_FOUND', 'Webhook delivery not found.');
    return delivery;
  }

  private async view(em: EntityManager, endpoint: WebhookEndpoint): Promise<WebhookEndpointView> {
    const [last] = await em.find(WebhookDelivery, { endpointId: endpoint.id, lastAttemptAt: { $ne: null } }, { orderBy: { lastAttemptAt: 'desc' }, limit: 1, fields: ['status', 'lastAttemptAt', 'lastResponseStatus'] });
    return {
      id: endpoint.id,
      url: endpoint.url,
      description: endpoint.description,
      events: endpoint.events,
      enabled: endpoint.enabled,
      createdAt: endpoint.createdAt.toISOString(),
      updatedAt: endpoint.updatedAt.toISOString(),
      lastDelivery: last?.lastAttemptAt ? { status: last.status, at: last.lastAttemptAt.toISOString(), responseStatus: last.lastResponseStatus } : null,
    };
  }
}

export function deliveryView(d: Omit<WebhookDelivery, 'payload'>): WebhookDeliveryView {
  return {
    id: d.id,
    eventId: d.eventId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
    nextAttemptAt: d.status === 'pending' ? (d.nextAttemptAt?.toISOString() ?? null) : null,
    lastResponseStatus: d.lastResponseStatus,
    lastResponseBody: d.lastResponseBody,
    lastError: d.lastError,
    createdAt: d.createdAt.toISOString(),
  };
}
