import type { Logger } from '@nestjs/common';

/**
 * Runs a batch job in the background: `kick()` asks for a run soon (calls made while one runs
 * coalesce into one more run), a run repeats `pass` while it returns a full batch, and
 * `start()` adds a slow poll for work nobody kicked for (left by a crash or another process).
 */
export class BackgroundLoop {
  private running = false;
  private again = false;
  private stopped = true;
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<void> = Promise.resolve();

  /** @param pass does one batch and returns how many items it handled. */
  constructor(
    private readonly name: string,
    private readonly pass: () => Promise<number>,
    private readonly batchSize: number,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    // On the next turn, so work committed in this turn is handled in one run.
    this.current = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.run())
      .finally(() => {
        this.running = false;
      });
  }

  start(pollMs = 1000): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.kick();
      this.timer = setTimeout(tick, pollMs);
      this.timer.unref();
    };
    tick();
  }

  /** Stops polling and waits for the run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.current.catch(() => undefined);
  }

  private async run(): Promise<void> {
    do {
      this.again = false;
      try {
        while ((await this.pass()) === this.batchSize);
      } catch (error) {
        this.logger.warn(`${this.name} failed, will retry: ${(error as Error).message}`);
        return;
      }
    } while (this.again);
  }
}
