export { BroadcastsPlugin } from './broadcasts.plugin.js';
export { type BroadcastOptions, type PriceTable, DEFAULT_BROADCAST_OPTIONS } from './broadcast-options.js';
export { readAudienceCsv } from './audience/audience-csv.reader.js';
