import { Inject, Injectable, Logger } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { EVENT_BUS, type DurableHandler, type EventBus, type Subscription } from '../bus/event-bus.js';
import { CORE_OPTIONS, type CoreOptions } from '../core-options.js';
import { type DeclaredWork, declaredWorkOf, runsIn } from './declared-work.js';

type Method = (...args: unknown[]) => Promise<unknown>;

/**
 * Finds the work providers declare (`@OnCommand`, `@Every`) in every module, core's and
 * plugins', and starts the part that belongs to this process's role. Knows nothing about
 * any feature.
 */
@Injectable()
export class DeclaredWorkRunner {
  private readonly logger = new Logger('DeclaredWork');
  private readonly subscriptions: Subscription[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(CORE_OPTIONS) private readonly options: CoreOptions,
  ) {}

  /** Every declaration with its owner, in module order (for startup and for docs/tests). */
  declarations(): { owner: object; work: DeclaredWork }[] {
    const seen = new Set<object>();
    const out: { owner: object; work: DeclaredWork }[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as object | undefined;
      if (!instance || typeof instance !== 'object' || seen.has(instance) || !wrapper.isDependencyTreeStatic()) continue;
      seen.add(instance);
      for (const work of declaredWorkOf(instance.constructor)) out.push({ owner: instance, work });
    }
    return out;
  }

  /** Starts this role's consumers, then its jobs (a job that runs at start runs to the end first). */
  async start(): Promise<void> {
    const mine = this.declarations().filter(({ work }) => runsIn(work.options.roles, this.options.role));
    for (const { owner, work } of mine) {
      if (work.kind !== 'command') continue;
      const { roles: _roles, ...consumer } = work.options;
      const handler = this.methodOf(owner, work.key) as DurableHandler<unknown>;
      this.subscriptions.push(await this.bus.consume({ ...consumer, handler }));
    }
    for (const { owner, work } of mine) {
      if (work.kind !== 'every') continue;
      const run = this.methodOf(owner, work.key);
      const interval = typeof work.options.intervalMs === 'function' ? work.options.intervalMs(owner) : work.options.intervalMs;
      const once = () => this.track(run().catch((e: Error) => this.logger.warn(`${work.options.name} failed: ${e.message}`)));
      const schedule = () => {
        if (this.stopped) return;
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          void once().then(schedule);
        }, interval);
        timer.unref();
        this.timers.add(timer);
      };
      if (work.options.runAtStart) await once();
      schedule();
    }
  }

  /** Stops the jobs and the consumers; runs in progress finish first. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all(this.subscriptions.splice(0).map((s) => s.close()));
    await Promise.all([...this.running]);
  }

  private methodOf(owner: object, key: string | symbol): Method {
    const method = (owner as Record<string | symbol, unknown>)[key];
    if (typeof method !== 'function') throw new Error(`${owner.constructor.name}.${String(key)} is declared as work but is not a function.`);
    return (method as Method).bind(owner);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
    return p;
  }
}
