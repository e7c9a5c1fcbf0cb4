import { type MigrationObject, MikroORM } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { type PluginRef, type ResolvedPlugin, resolvePlugin } from '../plugin/obrol-plugin.decorator.js';
import { type DatabaseKind, type DatabaseOptions, ormOptions } from './orm-config.js';

/** A plugin's migrations, one list per driver, in order (generated like core's: ADR 0007). */
export interface PluginMigrations {
  sqlite: MigrationObject[];
  postgresql: MigrationObject[];
}

/** The table that records which of a plugin's migrations ran: one per plugin, named after its class. */
export function migrationsTableOf(plugin: Pick<ResolvedPlugin, 'name'>): string {
  const snake = plugin.name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').toLowerCase();
  return `mikro_orm_migrations_${snake}`.slice(0, 63);
}

/** A migrator over the plugin's migrations and its own table, or null when it ships none for this driver. */
function pluginMigrator(orm: MikroORM, plugin: ResolvedPlugin): Migrator | null {
  const kind: DatabaseKind = orm.config.get('driver')?.name === 'PostgreSqlDriver' ? 'postgresql' : 'sqlite';
  const list = plugin.migrations?.[kind];
  if (!list?.length) return null;
  const core = orm.config.get('migrations');
  // The migrator reads its options once, when it is built; core's stay in place for everyone else.
  orm.config.set('migrations', { ...core, migrationsList: list, tableName: migrationsTableOf(plugin) });
  try {
    return new Migrator(orm.em as ConstructorParameters<typeof Migrator>[0]);
  } finally {
    orm.config.set('migrations', core);
  }
}

/** Applies core's pending migrations, then each plugin's in the order listed; returns their names (`<Plugin>/<name>` for a plugin's). */
export async function applyMigrations(orm: MikroORM, plugins: ResolvedPlugin[]): Promise<string[]> {
  const applied = (await orm.getMigrator().up()).map((m) => m.name);
  for (const plugin of plugins) {
    const migrator = pluginMigrator(orm, plugin);
    if (migrator) applied.push(...(await migrator.up()).map((m) => `${plugin.name}/${m.name}`));
  }
  return applied;
}

/** Applies pending migrations of core and of the plugins given (`obrol migrate`); returns the names it applied. */
export async function migrateDatabase(options: DatabaseOptions & { plugins?: PluginRef[] }): Promise<string[]> {
  const plugins = (options.plugins ?? []).map(resolvePlugin);
  const orm = await MikroORM.init(ormOptions({ ...options, entities: [...(options.entities ?? []), ...plugins.flatMap((p) => p.entities)] }));
  try {
    return await applyMigrations(orm, plugins);
  } finally {
    await orm.close();
  }
}

/** Names of migrations not applied yet, core's and the plugins' (readiness of api/worker processes). */
export async function pendingMigrations(orm: MikroORM, plugins: PluginRef[] = []): Promise<string[]> {
  const pending = (await orm.getMigrator().getPendingMigrations()).map((m) => m.name);
  for (const plugin of plugins.map(resolvePlugin)) {
    const migrator = pluginMigrator(orm, plugin);
    if (migrator) pending.push(...(await migrator.getPendingMigrations()).map((m) => `${plugin.name}/${m.name}`));
  }
  return pending;
}
