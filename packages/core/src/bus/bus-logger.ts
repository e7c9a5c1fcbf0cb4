/** The slice of a pino logger the buses use; pass a pino instance (or a child) as is. */
export interface BusLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  info?(obj: object, msg: string): void;
}

/** The default: says nothing. */
export const silentBusLogger: BusLogger = {
  warn: () => undefined,
  error: () => undefined,
  info: () => undefined,
};
