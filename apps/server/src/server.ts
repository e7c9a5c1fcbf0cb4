import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type EventBus, InProcessBus, NatsBus, type ObrolApp, type PluginRef, type ProcessRole, REDACT_PATHS, startObrolApp } from '@obrol/core';
import pino, { type Logger } from 'pino';
import type { ObrolConfig } from './config/config.schema.js';
import { resolveSecretKey } from './config/secret-key.js';
import { type DemoChannel, connectDemoChannel } from './demo/demo-channel.js';
import { type DemoInfo, DemoPlugin } from './demo/demo.plugin.js';
import { broadcastAppRoot, inboxAppRoot } from './inbox-app.js';
import { installedPlugins } from './plugins.js';

export interface RunningObrol {
  app: ObrolApp;
  logger: Logger;
  /** The demo channel, when one was connected (single node, no real channel, OBROL_DEMO on). */
  demo: DemoChannel | null;
  /** Whether this start created the first admin (a restart finds it in the database). */
  adminCreated: boolean;
  close(): Promise<void>;
}

export function createLogger(level: ObrolConfig['logLevel']): Logger {
  return pino({
    level,
    base: { service: 'obrol' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  });
}

async function connectBus(config: ObrolConfig, role: ProcessRole, logger: Logger): Promise<EventBus> {
  if (config.natsUrl) return NatsBus.connect({ url: config.natsUrl, name: `obrol-${role}`, namespace: config.natsNamespace, logger: logger.child({ component: 'bus' }) });
  if (role !== 'all') throw new Error(`Obrol cannot start: "obrol ${role}" needs OBROL_NATS_URL, so that api and worker processes can talk.`);
  return new InProcessBus({ logger: logger.child({ component: 'bus' }) });
}

/** Starts one Obrol process in the given role. */
export async function runObrol(role: ProcessRole, config: ObrolConfig, options: { logger?: Logger; plugins?: PluginRef[]; print?: (line: string) => void } = {}): Promise<RunningObrol> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dataDir = path.resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = resolveSecretKey(config.secretKey, dataDir, !config.databaseUrl);
  if (secret.generated) logger.info({ file: path.join(dataDir, 'secret.key') }, 'generated a secret key; back it up with the data dir');
  const bus = await connectBus(config, role, logger);
  const demo = role === 'all' && config.demo;
  const demoInfo: DemoInfo = { customerPageUrl: null, customerPagePort: null };
  let adminCreated = false;
  const inbox = inboxAppRoot();
  if (!inbox && role !== 'worker') logger.warn('the agent inbox is not built; run `pnpm build` to serve it at /');
  const broadcastApp = broadcastAppRoot();
  const app = await startObrolApp({
    role,
    port: config.port,
    host: config.host,
    logger,
    database: { url: config.databaseUrl, dataDir },
    migrate: config.migrate ?? role === 'all',
    bus,
    plugins: [...(options.plugins ?? installedPlugins({ allowInsecureGraph: config.allowInsecureGraph, broadcasts: config.broadcasts })), ...(demo ? [DemoPlugin.init(demoInfo)] : [])],
    secretKey: secret.key,
    dataDir,
    publicUrl: config.publicUrl,
    sendInDoubtGraceMs: config.sendInDoubtGraceMs,
    optOut: config.optOut,
    trustedProxies: config.trustedProxies,
    outboundWebhooks: config.outboundWebhooks,
    staticApps: [
      // The more specific prefix first: the inbox at `/` would otherwise answer for /broadcasts/.
      ...(broadcastApp ? [{ prefix: '/broadcasts/', root: broadcastApp }] : []),
      ...(inbox ? [{ prefix: '/', root: inbox }] : []),
    ],
    admin: { email: config.adminEmail ?? 'admin@obrol.local', password: config.adminPassword },
    onAdminCreated: ({ email, password, generated }) => {
      adminCreated = true;
      print(generated ? `First admin created: ${email} / password: ${password}  (shown once; change it in the inbox: your name, top right → My account)` : `First admin created: ${email} (password from OBROL_ADMIN_PASSWORD)`);
    },
  }).catch(async (error: unknown) => {
    await bus.close().catch(() => undefined);
    throw error;
  });
  const demoChannel = demo
    ? await connectDemoChannel(app, { obrolUrl: app.url, publicUrl: config.publicUrl, host: config.host, simulatorPort: config.demoSimulatorPort, dataDir, logger })
    : null;
  if (demoChannel) Object.assign(demoInfo, { customerPageUrl: demoChannel.customerPageUrl, customerPagePort: demoChannel.simulator.port });
  return {
    app,
    logger,
    demo: demoChannel,
    adminCreated,
    close: async () => {
      logger.info('shutting down: no new work, finishing what is in flight');
      await demoChannel?.close();
      await app.close();
    },
  };
}
