import { type DynamicModule, Global, Module } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { systemClock } from '@obrol/contracts';
import { EVENT_BUS } from '../bus/event-bus.js';
import { CLOCK } from '../clock/clock.token.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { applyMigrations } from '../database/migrate.js';
import { ormOptions } from '../database/orm-config.js';
import { ChannelRegistry } from '../plugin/channel-registry.js';
import type { ResolvedPlugin } from '../plugin/obrol-plugin.decorator.js';

/**
 * What every feature (and plugin) may inject: the options, the `Clock`, the bus, the ORM with
 * core's and the plugins' entities, and the channel registry. Migrations are applied here at
 * boot when the options ask for it: core's first, then each plugin's.
 */
@Global()
@Module({})
export class CoreRuntimeModule {
  static forRoot(options: CoreOptions, plugins: ResolvedPlugin[]): DynamicModule {
    const providers = [
      { provide: CORE_OPTIONS, useValue: options },
      { provide: CLOCK, useValue: options.clock ?? systemClock },
      { provide: EVENT_BUS, useValue: options.bus },
      { provide: ChannelRegistry, useValue: new ChannelRegistry(plugins) },
      {
        provide: MikroORM,
        useFactory: async () => {
          const orm = await MikroORM.init(ormOptions({ ...options.database, entities: plugins.flatMap((p) => p.entities) }));
          if (options.migrate) await applyMigrations(orm, plugins);
          return orm;
        },
      },
    ];
    return { module: CoreRuntimeModule, providers, exports: providers.map((p) => p.provide) };
  }
}
