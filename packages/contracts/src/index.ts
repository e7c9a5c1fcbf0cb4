export * from './result.js';
export * from './clock.js';
export * from './errors.js';
export * from './message-content.js';
export * from './templates.js';
export * from './events.js';
export * from './channel-plugin.js';
export * from './api-views.js';
