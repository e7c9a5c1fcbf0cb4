import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { subjects } from '@obrol/contracts';
import { AuthService } from '../auth/auth.service.js';
import { EVENT_BUS, type EventBus, type Subscription } from '../bus/event-bus.js';
import { InProcessBus } from '../bus/in-process.bus.js';
import { ChannelsService } from '../channels/channels.service.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { MediaService } from '../media/media.service.js';
import { SendConsumer } from '../messages/send.consumer.js';
import { OutboxRelay } from '../outbox/outbox.relay.js';
import { ChannelRegistry } from '../plugin/channel-registry.js';
import { TemplatesService } from '../templates/templates.service.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { InboundService } from '../webhooks/inbound.service.js';

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;

/**
 * Starts and stops the background work of a process by its role: the outbox relay everywhere,
 * consumers and periodic jobs on workers. Shutdown stops taking work, lets in-flight work
 * finish, then closes the bus and the database.
 */
@Injectable()
export class CoreLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('CoreLifecycle');
  private readonly subscriptions: Subscription[] = [];
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly orm: MikroORM,
    private readonly tenants: TenantsService,
    private readonly auth: AuthService,
    private readonly relay: OutboxRelay,
    private readonly inbound: InboundService,
    private readonly sender: SendConsumer,
    private readonly media: MediaService,
    private readonly templates: TemplatesService,
    private readonly channels: ChannelsService,
    private readonly registry: ChannelRegistry,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(CORE_OPTIONS) private readonly options: CoreOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const tenant = await this.tenants.ensureDefault();
    if (this.options.role !== 'worker') await this.auth.ensureFirstAdmin(tenant.id);
    this.relay.start();
    this.inbound.start();
    if (this.options.role === 'api') return;
    this.subscriptions.push(
      await this.bus.consume({ durableName: 'core-send', subjects: [subjects.all.sends], handler: this.sender.handle, concurrency: 8 }),
      await this.bus.consume({ durableName: 'core-media', subjects: [subjects.all.mediaFetches], handler: this.media.handleFetch, concurrency: 2 }),
    );
    const every = (ms: number, job: () => Promise<unknown>) => {
      const timer = setInterval(() => void job().catch((e: Error) => this.logger.warn(e.message)), ms);
      timer.unref();
      this.timers.push(timer);
    };
    // The in-process bus lost everything queued before a restart; a durable bus only what a dead worker held.
    const strandedAfterMs = this.bus instanceof InProcessBus ? 0 : 10 * MINUTE;
    await this.sender.requeueStranded(strandedAfterMs);
    every(MINUTE, () => this.sender.requeueStranded(10 * MINUTE));
    every(this.options.templateSyncIntervalMs ?? 6 * HOUR, () => this.syncAllTemplates());
    every(HOUR, () => this.relay.prune(new Date(Date.now() - 24 * HOUR)));
    every(HOUR, () => this.inbound.prune(new Date(Date.now() - 24 * HOUR)));
  }

  private async syncAllTemplates(): Promise<void> {
    for (const account of await this.channels.allActive()) {
      if (!this.registry.has(account.pluginId) || !this.registry.get(account.pluginId).templates) continue;
      await this.templates.sync(account.id).catch((e: Error) => this.logger.warn(`template sync of ${account.id} failed: ${e.message}`));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.inbound.stop();
    await Promise.all(this.subscriptions.map((s) => s.close()));
    await this.relay.onApplicationShutdown();
    await this.relay.drain().catch(() => undefined);
    await this.bus.close();
    await this.orm.close();
  }
}
