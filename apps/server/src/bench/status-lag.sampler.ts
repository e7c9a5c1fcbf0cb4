import type { WhatsAppSimulator } from '@obrol/whatsapp-cloud-simulator';
import { type LatencySummary, summariseLatencies } from './latency-stats.js';
import type { StoredMessagesProbe } from './stored-messages.probe.js';

/** Every this many sends the simulator accepts, one is followed to its stored status. */
const SAMPLE_EVERY = 20;
const POLL_MS = 100;
/** Messages followed at once; a sample waits while this many are still unread in the store. */
const MAX_FOLLOWED = 200;

/**
 * The lag of status webhooks flowing back while a broadcast runs: for a sample of the sends the
 * simulator accepted, the time from its acceptance to Obrol's store holding the message as
 * `status` (the simulator posts sent, delivered and read at once, so `read` is the last of the
 * three), polled every 100 ms: a lag is known to within that.
 */
export class StatusLagSampler {
  private readonly lags: number[] = [];
  private readonly followed = new Map<string, number>();
  private seen = 0;
  private stopListening: (() => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private polling: Promise<void> = Promise.resolve();

  constructor(
    private readonly sim: WhatsAppSimulator,
    private readonly store: StoredMessagesProbe,
    private readonly status = 'read',
  ) {}

  start(): void {
    this.stopListening = this.sim.onAccepted((m) => {
      if (this.seen++ % SAMPLE_EVERY === 0 && this.followed.size < MAX_FOLLOWED) this.followed.set(m.id, m.acceptedAt.getTime());
    });
    const tick = () => {
      this.polling = this.poll().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, POLL_MS);
      });
    };
    this.timer = setTimeout(tick, POLL_MS);
  }

  /** Stops sampling once the followed messages are stored (or after `graceMs`), and summarises. */
  async stop(graceMs = 10_000): Promise<LatencySummary & { unresolved: number }> {
    this.stopListening?.();
    const deadline = Date.now() + graceMs;
    while (this.followed.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
    return { ...summariseLatencies(this.lags), unresolved: this.followed.size };
  }

  private async poll(): Promise<void> {
    if (this.followed.size === 0) return;
    const stored = await this.store.statusesOf([...this.followed.keys()]);
    const now = Date.now();
    for (const [id, status] of stored) {
      if (status !== this.status) continue;
      this.lags.push(now - this.followed.get(id)!);
      this.followed.delete(id);
    }
  }
}
