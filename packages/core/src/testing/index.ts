/** Test support for Obrol packages and plugins (`@obrol/core/testing`); needs Vitest. */
export { requireService, type RequireServiceOptions, type RequiredService } from './require-service.js';
export { describeEventBusContract } from './event-bus.contract.js';
export { migratedSchemaDrift } from './schema-drift.js';
