export { BroadcastsPlugin } from './broadcasts.plugin.js';
export { type BroadcastOptions, type PriceTable, DEFAULT_BROADCAST_OPTIONS } from './broadcast-options.js';
export { readAudienceCsv } from './audience/audience-csv.reader.js';
/** The engine and its broadcast entity, for the server's integration tests that drive its moves directly. */
export { BroadcastEngine } from './broadcasts/broadcast.engine.js';
export { Broadcast } from './broadcasts/broadcast.entity.js';
