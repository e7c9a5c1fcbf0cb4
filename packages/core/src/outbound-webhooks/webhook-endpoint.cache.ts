import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import type { Clock } from '@obrol/contracts';
import { EVENT_BUS, type EventBus, type Subscription } from '../bus/event-bus.js';
import { CLOCK } from '../clock/clock.token.js';
import { WebhookEndpoint } from './webhook-endpoint.entity.js';

/** What the fact consumer needs of an enabled endpoint to decide whether it hears a fact. */
export interface SubscribedEndpoint {
  id: string;
  events: readonly string[];
  createdAtMs: number;
}

/** Every process drops its copy of a tenant's endpoints when this live event names the tenant. */
const CHANGED_SUBJECT = 'live._internal.webhook-endpoints-changed';

/**
 * Backstop for a lost change event (live events are losable, e.g. across a NATS reconnect):
 * the longest another process keeps using endpoints it read before a change.
 */
export const ENDPOINT_CACHE_TTL_MS = 30_000;

interface Cached {
  endpoints: SubscribedEndpoint[];
  loadedAtMs: number;
}

/**
 * The enabled webhook endpoints of each tenant, read once instead of once per fact (a status
 * flood brings thousands of facts a second, and almost all of them go to the same endpoints).
 *
 * A change (`changed`, called by the admin service after its commit) drops the tenant's copy in
 * this process at once and in the other processes through a live bus event, so an endpoint
 * created anywhere hears the next fact. The TTL bounds staleness if that event is lost. A read
 * that raced a change is not kept (generation check), so the cache never outlives a change it
 * could have missed.
 */
@Injectable()
export class WebhookEndpointCache implements OnModuleInit, OnModuleDestroy {
  private readonly byTenant = new Map<string, Cached>();
  private readonly generations = new Map<string, number>();
  private subscription: Subscription | null = null;

  constructor(
    private readonly orm: MikroORM,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.subscription = this.bus.subscribeLive(CHANGED_SUBJECT, (_subject, data) => {
      const tenantId = (data as { tenantId?: unknown } | null)?.tenantId;
      if (typeof tenantId === 'string') this.forget(tenantId);
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscription?.close();
  }

  /** The tenant's enabled endpoints, from the copy when it is fresh, else from the database. */
  async enabledOf(tenantId: string): Promise<readonly SubscribedEndpoint[]> {
    const now = this.clock.now().getTime();
    const cached = this.byTenant.get(tenantId);
    if (cached && now - cached.loadedAtMs < ENDPOINT_CACHE_TTL_MS) return cached.endpoints;
    const generation = this.generationOf(tenantId);
    const rows = await this.orm.em.fork().find(WebhookEndpoint, { tenantId, enabled: true }, { fields: ['id', 'events', 'createdAt'] });
    const endpoints = rows.map((e) => ({ id: e.id, events: [...e.events], createdAtMs: e.createdAt.getTime() }));
    if (this.generationOf(tenantId) === generation) this.byTenant.set(tenantId, { endpoints, loadedAtMs: now });
    return endpoints;
  }

  /** An endpoint of the tenant was created, changed or removed (and committed): every process reads them again. */
  changed(tenantId: string): void {
    this.forget(tenantId);
    this.bus.publishLive(CHANGED_SUBJECT, { tenantId });
  }

  private forget(tenantId: string): void {
    this.generations.set(tenantId, this.generationOf(tenantId) + 1);
    this.byTenant.delete(tenantId);
  }

  private generationOf(tenantId: string): number {
    return this.generations.get(tenantId) ?? 0;
  }
}
