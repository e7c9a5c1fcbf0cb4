#!/usr/bin/env node
import { Command } from 'commander';
import type { ProcessRole } from '@obrol/core';
import { type ObrolConfig, parseConfig } from './config/config.schema.js';
import { limitHeapGrowth } from './cli/heap-growth.js';
import { migrate } from './cli/migrate.command.js';
import { runObrol } from './server.js';

const program = new Command()
  .name('obrol')
  .description('Obrol: self-hosted customer chat on WhatsApp. Configure with OBROL_* environment variables (see README).');

/** Where the login comes from: printed above on the first start; on a restart nothing is printed, so say where it was. */
function loginHint(config: ObrolConfig, createdNow: boolean): string {
  if (createdNow) return 'log in as the admin above';
  const email = config.adminEmail ?? 'admin@obrol.local';
  return `log in as the first admin, ${email}, with the password ${config.adminPassword ? 'from OBROL_ADMIN_PASSWORD' : 'printed on the first start'} unless changed since`;
}

function start(role: ProcessRole, banner: boolean) {
  return async () => {
    const config = parseConfig(process.env);
    limitHeapGrowth(config.heapGrowthPercent);
    const running = await runObrol(role, config);
    const url = config.publicUrl;
    if (banner) {
      const demo = running.demo ? `  Demo:     a WhatsApp number on the simulator; play a customer at ${running.demo.customerPageUrl}\n` : '';
      process.stdout.write(`\nObrol is running at ${url}\n  Inbox:    ${url}/ (${loginHint(config, running.adminCreated)})\n  API docs: ${url}/api/docs\n  Health:   ${url}/readyz\n${demo}\n`);
    } else running.logger.info({ url: running.app.url, role }, 'obrol started');
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      running.logger.info({ signal }, 'stopping');
      const force = setTimeout(() => process.exit(1), 25_000);
      force.unref();
      running.close().then(
        () => process.exit(0),
        (error: unknown) => {
          running.logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  };
}

program.command('start').description('single node: API, realtime, workers and the apps in one process (SQLite + in-process bus by default)').action(start('all', true));
program.command('api').description('scaled shape: HTTP API, webhooks and realtime (needs OBROL_DATABASE_URL and OBROL_NATS_URL)').action(start('api', false));
program.command('worker').description('scaled shape: consumers (sending, media) and periodic jobs (needs OBROL_NATS_URL)').action(start('worker', false));
program
  .command('migrate')
  .description('apply pending database migrations, then exit')
  .action(async () => {
    await migrate(parseConfig(process.env));
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
