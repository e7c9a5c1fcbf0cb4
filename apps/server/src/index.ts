export * from './config/config.schema.js';
export { runObrol, createLogger, type RunningObrol } from './server.js';
export { migrate } from './cli/migrate.command.js';
export { installedPlugins } from './plugins.js';
