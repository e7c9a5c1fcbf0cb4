export {
  EVENT_BUS,
  type BusEnvelope,
  type DeliveredMessage,
  type DurableConsumerOptions,
  type DurableHandler,
  type EventBus,
  type HandlerOutcome,
  type Subscription,
} from './event-bus.js';
export { InProcessBus, type InProcessBusOptions } from './in-process.bus.js';
export { NatsBus, natsStreamName, type NatsBusOptions } from './nats.bus.js';
export {
  DURABLE_KINDS,
  compileSubjectPattern,
  isValidPattern,
  isValidSubject,
  patternCovers,
  subjectKind,
  subjectMatches,
  type DurableKind,
  type SubjectKind,
} from './subject-pattern.js';
export { DEFAULT_BACKOFF_MS, DEFAULT_MAX_DELIVER } from './delivery-policy.js';
export { silentBusLogger, type BusLogger } from './bus-logger.js';
