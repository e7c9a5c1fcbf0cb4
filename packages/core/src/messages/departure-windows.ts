import Queue from 'yocto-queue';

/** What a gate may name with a `send` verdict: its sends leave this process no faster than this. */
export interface DeparturePace {
  /** Sends sharing a key share a window (a sending number). */
  key: string;
  /** At most this many of the key's sends leave in any second. */
  perSecond: number;
}

/** One key's departures of the last second, oldest first, and the sends waiting for room. */
interface Window {
  times: Queue<number>;
  waiting: Queue<() => void>;
  timer: NodeJS.Timeout | null;
}

const WINDOW_MS = 1_000;

/**
 * Sliding one-second windows of departures, per pace key, in this process. A gate reserves each
 * send a moment of its pace; the timers of those moments fire late, and together, whenever the
 * event loop was busy (the bench saw bursts of 300 in 100 ms after such stalls, and 1,262 sends
 * in one second at a cap of 1,000). The window is checked at the moment of departure: a send
 * that finds `perSecond` departures in the second before it waits, in order, until the oldest
 * of them is a second old. So no second ever holds more than the pace, whatever the timers did.
 */
export class DepartureWindows {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Resolves when a send of this pace may leave; its departure is counted then. */
  turn(pace: DeparturePace): Promise<void> {
    const window = this.windows.get(pace.key) ?? { times: new Queue(), waiting: new Queue(), timer: null };
    this.windows.set(pace.key, window);
    if (window.waiting.size === 0 && this.depart(window, pace.perSecond)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      window.waiting.enqueue(resolve);
      if (!window.timer) this.drain(pace, window);
    });
  }

  /** Lets waiting sends go while the window has room; else waits for its oldest departure to age out. */
  private drain(pace: DeparturePace, window: Window): void {
    window.timer = null;
    while (window.waiting.size > 0 && this.depart(window, pace.perSecond)) window.waiting.dequeue()!();
    if (window.waiting.size > 0) {
      const wait = Math.max(1, Math.ceil(window.times.peek()! + WINDOW_MS - this.now()));
      window.timer = setTimeout(() => this.drain(pace, window), wait);
      return;
    }
    // Nothing waits and nothing left in the last second: the key's window is forgotten.
    if (window.times.size === 0) this.windows.delete(pace.key);
  }

  /** Counts a departure now if the last second has room for it. */
  private depart(window: Window, perSecond: number): boolean {
    const now = this.now();
    while ((window.times.peek() ?? Number.POSITIVE_INFINITY) <= now - WINDOW_MS) window.times.dequeue();
    if (window.times.size >= Math.max(1, perSecond)) return false;
    window.times.enqueue(now);
    return true;
  }
}
