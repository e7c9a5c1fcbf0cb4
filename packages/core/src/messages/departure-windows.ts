/** What a gate may name with a `send` verdict: its sends leave this process no faster than this. */
export interface DeparturePace {
  /** Sends sharing a key share a window (a sending number). */
  key: string;
  /** At most this many of the key's sends leave in any second. */
  perSecond: number;
}

/** One key's departures of the last second, oldest first, and the sends waiting for room. */
interface Window {
  times: number[];
  head: number;
  waiting: (() => void)[];
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
    const window = this.windows.get(pace.key) ?? { times: [], head: 0, waiting: [], timer: null };
    this.windows.set(pace.key, window);
    if (window.waiting.length === 0 && this.depart(window, pace.perSecond)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      window.waiting.push(resolve);
      if (!window.timer) this.drain(pace, window);
    });
  }

  /** Lets waiting sends go while the window has room; else waits for its oldest departure to age out. */
  private drain(pace: DeparturePace, window: Window): void {
    window.timer = null;
    while (window.waiting.length > 0 && this.depart(window, pace.perSecond)) window.waiting.shift()!();
    if (window.waiting.length > 0) {
      const wait = Math.max(1, Math.ceil(window.times[window.head]! + WINDOW_MS - this.now()));
      window.timer = setTimeout(() => this.drain(pace, window), wait);
      return;
    }
    // Nothing waits and nothing left in the last second: the key's window is forgotten.
    if (window.head === window.times.length) this.windows.delete(pace.key);
  }

  /** Counts a departure now if the last second has room for it. */
  private depart(window: Window, perSecond: number): boolean {
    const now = this.now();
    while (window.head < window.times.length && window.times[window.head]! <= now - WINDOW_MS) window.head++;
    // The departures that aged out are dropped now and then, not one by one.
    if (window.head > 1024 && window.head * 2 > window.times.length) {
      window.times = window.times.slice(window.head);
      window.head = 0;
    }
    if (window.times.length - window.head >= Math.max(1, perSecond)) return false;
    window.times.push(now);
    return true;
  }
}
