import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { MikroORM } from '@mikro-orm/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { systemClock } from '@obrol/contracts';
import { AgentsController } from './agents/agents.controller.js';
import { AgentsService } from './agents/agents.service.js';
import { ApiKeysController } from './auth/api-keys.controller.js';
import { AuthController } from './auth/auth.controller.js';
import { AuthGuard } from './auth/auth.guard.js';
import { AuthService } from './auth/auth.service.js';
import { LoginThrottle } from './auth/login-throttle.js';
import { EVENT_BUS } from './bus/event-bus.js';
import { ChannelsController } from './channels/channels.controller.js';
import { ChannelsService } from './channels/channels.service.js';
import { CLOCK } from './clock/clock.token.js';
import { ContactsController } from './contacts/contacts.controller.js';
import { ContactsService } from './contacts/contacts.service.js';
import { ConversationsController } from './conversations/conversations.controller.js';
import { ConversationsService } from './conversations/conversations.service.js';
import { CORE_OPTIONS, type CoreOptions } from './core-options.js';
import { ormOptions } from './database/orm-config.js';
import { HealthController } from './health/health.controller.js';
import { ApiExceptionFilter } from './http/api-exception.filter.js';
import { SafeTextPipe } from './http/safe-text.js';
import { MediaController } from './media/media.controller.js';
import { MediaService } from './media/media.service.js';
import { MessagesController } from './messages/messages.controller.js';
import { MessagesService } from './messages/messages.service.js';
import { SendConsumer } from './messages/send.consumer.js';
import { OutboxRelay } from './outbox/outbox.relay.js';
import { ChannelRegistry } from './plugin/channel-registry.js';
import { resolvePlugin } from './plugin/obrol-plugin.decorator.js';
import { RealtimeGateway } from './realtime/realtime.gateway.js';
import { TemplatesController } from './templates/templates.controller.js';
import { TemplatesService } from './templates/templates.service.js';
import { TenantsService } from './tenants/tenants.service.js';
import { CoreLifecycle } from './app/core.lifecycle.js';
import { InboundQueue } from './webhooks/inbound.queue.js';
import { InboundService } from './webhooks/inbound.service.js';
import { WebhooksController } from './webhooks/webhooks.controller.js';

/**
 * The core: every domain feature, the plugins listed in the options, the database and the bus.
 * The server composes it; tests compose it with the test channel plugin.
 */
@Global()
@Module({})
export class CoreModule {
  static forRoot(options: CoreOptions): DynamicModule {
    const plugins = options.plugins.map(resolvePlugin);
    const registry = new ChannelRegistry(plugins);
    const providers: Provider[] = [
      { provide: CORE_OPTIONS, useValue: options },
      { provide: CLOCK, useValue: options.clock ?? systemClock },
      { provide: EVENT_BUS, useValue: options.bus },
      { provide: ChannelRegistry, useValue: registry },
      {
        provide: MikroORM,
        useFactory: async () => {
          const orm = await MikroORM.init(ormOptions({ ...options.database, entities: plugins.flatMap((p) => p.entities) }));
          if (options.migrate) await orm.getMigrator().up();
          return orm;
        },
      },
      { provide: APP_GUARD, useClass: AuthGuard },
      { provide: APP_FILTER, useClass: ApiExceptionFilter },
      { provide: APP_PIPE, useClass: SafeTextPipe },
      TenantsService,
      AuthService,
      LoginThrottle,
      AgentsService,
      ChannelsService,
      ContactsService,
      ConversationsService,
      MessagesService,
      TemplatesService,
      MediaService,
      InboundService,
      InboundQueue,
      SendConsumer,
      OutboxRelay,
      RealtimeGateway,
      CoreLifecycle,
    ];
    return {
      module: CoreModule,
      imports: [
        EventEmitterModule.forRoot(),
        ...plugins.map((p) => p.module),
      ],
      controllers:
        options.role === 'worker'
          ? [HealthController]
          : [
              HealthController,
              AuthController,
              AgentsController,
              ApiKeysController,
              ChannelsController,
              ContactsController,
              ConversationsController,
              MessagesController,
              TemplatesController,
              MediaController,
              WebhooksController,
            ],
      providers,
      exports: providers.filter((p) => !(typeof p === 'object' && 'provide' in p && (p.provide === APP_GUARD || p.provide === APP_FILTER || p.provide === APP_PIPE))),
    };
  }
}
