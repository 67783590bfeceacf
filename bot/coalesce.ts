/**
 * Coalescing bursts of events per key (a repository's pushes): the first event of a burst
 * acts at once (leading), the ones that arrive while its window is open are folded into one
 * action when the window closes (trailing, with the latest event). A burst of any size makes
 * at most two dispatches; a later burst starts over.
 */

/** Time and timers, injectable so tests drive them. */
export interface Clock {
  now(): number;
  /** Calls `fn` after `ms`; returns a function that cancels it. */
  setTimeout(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, ms);
    // A pending trailing dispatch must not keep a stopping process alive; shutdown flushes it.
    timer.unref();
    return () => clearTimeout(timer);
  },
};

interface Window<T> {
  /** When the window closes; Infinity while the leading action has not said how long it is. */
  endsAt: number;
  windowMs: number;
  pending?: T;
  cancel?: () => void;
}

export type Offer = "lead" | "deferred";

export class Coalescer<T> {
  private readonly windows = new Map<string, Window<T>>();

  constructor(
    private readonly clock: Clock,
    /** Runs the trailing action of a burst with its latest item. Must not throw. */
    private readonly onTrailing: (key: string, item: T) => void,
  ) {}

  /**
   * "lead": no window is open, act now and then call `open` (or `cancel` when nothing was
   * done). "deferred": a window is open, the item is kept as the burst's trailing one.
   */
  offer(key: string, item: T): Offer {
    this.sweep();
    const window = this.windows.get(key);
    if (!window) {
      this.windows.set(key, { endsAt: Number.POSITIVE_INFINITY, windowMs: 0 });
      return "lead";
    }
    window.pending = item;
    this.schedule(key, window);
    return "deferred";
  }

  /** The leading action is done: the window stays open `windowMs` from now. */
  open(key: string, windowMs: number): void {
    const window = this.windows.get(key);
    if (!window) return;
    window.windowMs = Math.max(0, windowMs);
    window.endsAt = this.clock.now() + window.windowMs;
    this.schedule(key, window);
  }

  /** The leading action did nothing (turned off, or failed): forget the window and what waited in it. */
  cancel(key: string): void {
    this.windows.get(key)?.cancel?.();
    this.windows.delete(key);
  }

  /** Items waiting for their window to close. */
  pending(key: string): T | undefined {
    return this.windows.get(key)?.pending;
  }

  /** Runs every waiting trailing action now (on shutdown). */
  flush(): void {
    for (const [key, window] of [...this.windows]) {
      window.cancel?.();
      this.windows.delete(key);
      if (window.pending !== undefined) this.onTrailing(key, window.pending);
    }
  }

  private schedule(key: string, window: Window<T>): void {
    if (window.pending === undefined || window.cancel || window.endsAt === Number.POSITIVE_INFINITY) return;
    window.cancel = this.clock.setTimeout(
      () => this.fire(key),
      Math.max(0, window.endsAt - this.clock.now()),
    );
  }

  private fire(key: string): void {
    const window = this.windows.get(key);
    if (!window) return;
    window.cancel = undefined;
    const item = window.pending;
    window.pending = undefined;
    // The trailing action starts a window of its own: pushes right after it wait again.
    window.endsAt = this.clock.now() + window.windowMs;
    if (item !== undefined) this.onTrailing(key, item);
  }

  /** Drops windows that closed with nothing waiting. */
  private sweep(): void {
    const now = this.clock.now();
    for (const [key, window] of this.windows) {
      if (window.endsAt <= now && window.pending === undefined && !window.cancel) this.windows.delete(key);
    }
  }
}
