/** Test support for Obrol packages and plugins (`@obrol/core/testing`); needs Vitest. */
export { requireService, type RequireServiceOptions, type RequiredService } from './require-service.js';
export { describeEventBusContract } from './event-bus.contract.js';
export { migratedRedundantIndexes, migratedSchemaDrift, redundantIndexes } from './schema-drift.js';
/** The webhook ingest's group commit, for tests that hand it deliveries in one turn of the event loop. */
export { InboundQueue } from '../webhooks/inbound.queue.js';
/** The ingest's set-based writer and what it writes, for tests that change rows between a batch's read and its write. */
export { IngestBatch, MessageIngestWriter } from '../messages/message-ingest.writer.js';
