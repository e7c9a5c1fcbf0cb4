import type { MikroORM } from '@mikro-orm/core';
import { databaseKindOf } from './orm-config.js';

/** The server settings Obrol depends on, as `pg_settings` names them. */
const CHECKED = ['autovacuum', 'track_counts'] as const;
type Checked = Record<(typeof CHECKED)[number], string>;

/**
 * What is wrong with a PostgreSQL server's settings for Obrol, in sentences for its log.
 * Without autovacuum (or without the statistics it needs, `track_counts`), nothing analyzes the
 * tables as they grow: Obrol's hot statements stay prepared on each connection (ADR 0050), and a
 * plan made when a table was small keeps reading all of it once it is large. Measured on a bench
 * database without autovacuum: a webhook batch's message lookup read every message of the
 * number through the index, 10–12 ms a batch at about 17,000 messages (ADR 0051).
 */
export function postgresSettingProblems(settings: Checked): string[] {
  const problems: string[] = [];
  if (settings.autovacuum !== 'on' || settings.track_counts !== 'on') {
    problems.push(
      `PostgreSQL runs without autovacuum (autovacuum=${settings.autovacuum}, track_counts=${settings.track_counts}): nothing analyzes Obrol's tables as they grow, ` +
        'and the plans its prepared statements made while a table was small go on reading all of it. Turn autovacuum on (the default), or run ANALYZE regularly.',
    );
  }
  return problems;
}

/** `postgresSettingProblems` of the server Obrol is connected to; none on SQLite. */
export async function checkPostgresSettings(orm: MikroORM): Promise<string[]> {
  if (databaseKindOf(orm.config.get('clientUrl')) !== 'postgresql') return [];
  const rows: Array<{ name: string; setting: string }> = await orm.em
    .getConnection()
    .execute(`select name, setting from pg_settings where name in (${CHECKED.map(() => '?').join(', ')})`, [...CHECKED]);
  const settings = Object.fromEntries(CHECKED.map((name) => [name, rows.find((r) => r.name === name)?.setting ?? 'unknown'])) as Checked;
  return postgresSettingProblems(settings);
}
