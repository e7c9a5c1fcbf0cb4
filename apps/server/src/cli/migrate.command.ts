import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { migrateDatabase } from '@obrol/core';
import type { ObrolConfig } from '../config/config.schema.js';
import { installedPlugins } from '../plugins.js';

/** `obrol migrate`: applies core's pending migrations, then each installed plugin's, and prints what it did. */
export async function migrate(config: ObrolConfig, print: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<string[]> {
  const dataDir = path.resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const applied = await migrateDatabase({ url: config.databaseUrl, dataDir, plugins: installedPlugins() });
  print(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'the database is up to date');
  return applied;
}
