import { Inject, Injectable } from '@nestjs/common';
import { EVENT_BUS, type EventBus } from '../bus/event-bus.js';
import { InProcessBus } from '../bus/in-process.bus.js';
import { Every } from '../work/declared-work.js';
import { SendConsumer } from './send.consumer.js';

const MINUTE = 60 * 1000;

/**
 * Re-queues sends stranded by a crash: every minute, sends untouched for 10 minutes; at start
 * on the in-process bus, every queued send (it lost everything queued before a restart, while
 * a durable bus lost only what a dead worker held).
 */
@Injectable()
export class StrandedSendsJob {
  private started = false;

  constructor(
    private readonly sender: SendConsumer,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
  ) {}

  @Every({ name: 're-queueing stranded sends', intervalMs: MINUTE, runAtStart: true })
  async requeue(): Promise<number> {
    const atStart = !this.started;
    this.started = true;
    return this.sender.requeueStranded(atStart && this.bus instanceof InProcessBus ? 0 : 10 * MINUTE);
  }
}
