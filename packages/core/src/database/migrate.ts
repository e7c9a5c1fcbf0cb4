import { MikroORM } from '@mikro-orm/core';
import { type DatabaseOptions, ormOptions } from './orm-config.js';

/** Applies pending migrations; returns the names it applied. */
export async function migrateDatabase(options: DatabaseOptions): Promise<string[]> {
  const orm = await MikroORM.init(ormOptions(options));
  try {
    return (await orm.getMigrator().up()).map((m) => m.name);
  } finally {
    await orm.close();
  }
}

/** Names of migrations not applied yet (readiness of api/worker processes). */
export async function pendingMigrations(orm: MikroORM): Promise<string[]> {
  return (await orm.getMigrator().getPendingMigrations()).map((m) => m.name);
}
