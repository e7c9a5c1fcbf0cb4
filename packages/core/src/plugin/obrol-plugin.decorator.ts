import 'reflect-metadata';
import { type DynamicModule, Module, type ModuleMetadata, type Type } from '@nestjs/common';
import type { ChannelPlugin } from '@obrol/contracts';
import type { PluginMigrations } from '../database/migrate.js';

const OBROL_PLUGIN = Symbol.for('obrol.plugin');

/** What a plugin declares besides its Nest module metadata. */
export interface ObrolPluginMetadata<Config = unknown> extends ModuleMetadata {
  /** The channel it adds; a function when it depends on options given to `init()`. */
  channel?: ChannelPlugin<Config> | (() => ChannelPlugin<Config>);
  /** Semver range of `@obrol/core` the plugin works with; checked at boot. */
  compatibility: string;
  /** MikroORM entities the plugin adds to the ORM; their tables come from `migrations`. */
  entities?: Type[];
  /**
   * The plugin's migrations per driver, applied after core's by `obrol migrate` and at boot,
   * recorded in the plugin's own table (`mikro_orm_migrations_<class name in snake case>`).
   */
  migrations?: PluginMigrations;
}

/**
 * Marks a class as an Obrol plugin: a Nest module with a little extra metadata (the Vendure
 * model). Core features use the same extension points.
 *
 * ```ts
 * @ObrolPlugin({ channel: myChannel, compatibility: '^0.1.0' })
 * export class MyChannelPlugin {}
 * ```
 */
export function ObrolPlugin<Config>(metadata: ObrolPluginMetadata<Config>): ClassDecorator {
  return (target) => {
    const { channel, compatibility, entities, migrations, ...moduleMetadata } = metadata;
    Reflect.defineMetadata(OBROL_PLUGIN, { channel, compatibility, entities, migrations }, target);
    Module(moduleMetadata)(target);
  };
}

/** A plugin as listed in the server's configuration: the class, or `Plugin.init(options)`. */
export type PluginRef = Type | DynamicModule;

export interface ResolvedPlugin {
  name: string;
  module: PluginRef;
  channel?: ChannelPlugin<unknown>;
  compatibility: string;
  entities: Type[];
  migrations?: PluginMigrations;
}

/** Reads a plugin's declaration; fails with a sentence when the class is not an Obrol plugin. */
export function resolvePlugin(ref: PluginRef): ResolvedPlugin {
  const cls = 'module' in ref ? ref.module : ref;
  const meta = Reflect.getMetadata(OBROL_PLUGIN, cls) as
    | Pick<ObrolPluginMetadata<unknown>, 'channel' | 'compatibility' | 'entities' | 'migrations'>
    | undefined;
  if (!meta) throw new Error(`${cls.name} is not an Obrol plugin: decorate it with @ObrolPlugin({...}).`);
  const channel = typeof meta.channel === 'function' ? meta.channel() : meta.channel;
  return { name: cls.name, module: ref, channel, compatibility: meta.compatibility, entities: meta.entities ?? [], migrations: meta.migrations };
}
