// The broadcast plugin's migrations for this driver, in order (recorded in its own table).
import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261129190000 as M0 } from './migration-20261129190000.js';
import { Migration20261130000300 as M1 } from './migration-20261130000300.js';
import { Migration20261130000600 as M2 } from './migration-20261130000600.js';
import { Migration20261130093000 as M3 } from './migration-20261130093000.js';
import { Migration20261202090000 as M4 } from './migration-20261202090000.js';
import { Migration20261202100000 as M5 } from './migration-20261202100000.js';

export const sqliteMigrations: MigrationObject[] = [
  { name: 'migration-20261129190000', class: M0 },
  { name: 'migration-20261130000300', class: M1 },
  { name: 'migration-20261130000600', class: M2 },
  { name: 'migration-20261130093000', class: M3 },
  { name: 'migration-20261202090000', class: M4 },
  { name: 'migration-20261202100000', class: M5 },
];
