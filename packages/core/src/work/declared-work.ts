import 'reflect-metadata';
import type { DurableConsumerOptions } from '../bus/event-bus.js';

/**
 * The kinds of process a piece of work runs in. `api` and `worker` processes run the work
 * declared for them; the single node (`obrol start`, role `all`) runs everything.
 */
export type WorkRole = 'api' | 'worker';

/** A durable consumer of bus commands (or facts), declared on the method that handles them. */
export interface OnCommandOptions extends Omit<DurableConsumerOptions<unknown>, 'handler'> {
  /** Processes it runs in; default `['worker']`. */
  roles?: WorkRole[];
}

/** A job that runs every `intervalMs`, declared on the method that does it. */
export interface EveryOptions<Owner = never> {
  /** Shown in logs when a run fails. */
  name: string;
  /** The interval, or a function of the owning instance when it comes from configuration. */
  intervalMs: number | ((owner: Owner) => number);
  /** Processes it runs in; default `['worker']`. */
  roles?: WorkRole[];
  /** Also run once when the process starts (before the first interval). */
  runAtStart?: boolean;
}

export type DeclaredWork =
  | { kind: 'command'; key: string | symbol; options: OnCommandOptions }
  | { kind: 'every'; key: string | symbol; options: EveryOptions<unknown> };

const DECLARED_WORK = Symbol.for('obrol.declaredWork');

function declare(target: object, work: DeclaredWork): void {
  const owner = target.constructor;
  const list = (Reflect.getOwnMetadata(DECLARED_WORK, owner) as DeclaredWork[] | undefined) ?? [];
  Reflect.defineMetadata(DECLARED_WORK, [...list, work], owner);
}

/** The work a provider's class declares (its own and its base classes'). */
export function declaredWorkOf(owner: object): DeclaredWork[] {
  const out: DeclaredWork[] = [];
  for (let c = owner as object | null; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    out.push(...((Reflect.getOwnMetadata(DECLARED_WORK, c) as DeclaredWork[] | undefined) ?? []));
  }
  return out;
}

/**
 * Consumes durable bus subjects: the decorated method (or arrow-function property) is the
 * handler, `(message: DeliveredMessage<T>) => Promise<HandlerOutcome | void>`. Started at boot
 * in the processes of `roles`, closed at shutdown (in-flight handlers finish).
 *
 * ```ts
 * @OnCommand({ durableName: 'loyalty-points', subjects: ['cmd.*.loyalty.*'], concurrency: 4 })
 * async award({ data }: DeliveredMessage<AwardCommand>): Promise<HandlerOutcome> { … }
 * ```
 */
export function OnCommand(options: OnCommandOptions): PropertyDecorator {
  return (target, key) => declare(target, { kind: 'command', key, options });
}

/**
 * Runs the decorated method every `intervalMs` in the processes of `roles`; runs never
 * overlap, a failed run is logged and the next one comes at the next interval.
 */
export function Every<Owner = never>(options: EveryOptions<Owner>): PropertyDecorator {
  return (target, key) => declare(target, { kind: 'every', key, options: options as EveryOptions<unknown> });
}

/** Whether work declared for `roles` runs in a process of role `processRole`. */
export function runsIn(roles: WorkRole[] | undefined, processRole: 'all' | WorkRole): boolean {
  return processRole === 'all' || (roles ?? ['worker']).includes(processRole);
}
