import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { AuthService } from '../auth/auth.service.js';
import { EVENT_BUS, type EventBus } from '../bus/event-bus.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { checkPostgresSettings } from '../database/postgres-settings.js';
import { OutboxRelay } from '../outbox/outbox.relay.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { DeclaredWorkRunner } from '../work/declared-work.runner.js';

/**
 * Boot and shutdown of a process. At boot: the default workspace and first admin, then the
 * work declared for this role (`@OnCommand`, `@Every`); a PostgreSQL server whose settings
 * Obrol's plans depend on (autovacuum) is named in the log. At shutdown: the declared work stops
 * (in-flight handlers finish), the outbox is drained once more, then the bus and the database
 * close.
 */
@Injectable()
export class CoreLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Database');

  constructor(
    private readonly orm: MikroORM,
    private readonly tenants: TenantsService,
    private readonly auth: AuthService,
    private readonly work: DeclaredWorkRunner,
    private readonly relay: OutboxRelay,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(CORE_OPTIONS) private readonly options: CoreOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const tenant = await this.tenants.ensureDefault();
    if (this.options.role !== 'worker') await this.auth.ensureFirstAdmin(tenant.id);
    for (const problem of await checkPostgresSettings(this.orm)) this.logger.warn(problem);
    await this.work.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.work.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.drain().catch(() => undefined);
    await this.bus.close();
    await this.orm.close();
  }
}
