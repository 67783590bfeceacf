/**
 * Bounded concurrency with a bounded queue, admitting whole batches or nothing: the reward
 * service's back-pressure. At most `concurrency` tasks run at once, at most `maxQueued` wait;
 * a batch that does not fit is refused before any of it starts, with an estimate of when it
 * would (Retry-After). Tasks get the batch's AbortSignal: an abort drops its waiting tasks at
 * once, and its running tasks keep their slots until they have wound down, so the numbers
 * reported (inflight, queued) are what the machine is really doing.
 */

export type Task<T> = (signal: AbortSignal) => Promise<T>;

export type TaskOutcome<T> =
  | { state: "done"; value: T }
  | { state: "failed"; error: unknown }
  /** Aborted before it started: it never ran. */
  | { state: "cancelled" };

export type Admission<T> =
  | {
      admitted: true;
      /** One promise per task, in order; each settles (never rejects) when its task ends or is dropped. */
      outcomes: Promise<TaskOutcome<T>>[];
    }
  | { admitted: false; retryAfterS: number; reason: string };

export interface QueueLimits {
  /** Tasks running at once. */
  concurrency: number;
  /** Tasks waiting for a slot. */
  maxQueued: number;
}

export interface QueueStats extends QueueLimits {
  inflight: number;
  queued: number;
}

interface Waiting {
  run: () => void;
  signal: AbortSignal;
  cancel: () => void;
}

/** Guess used for Retry-After before any task has finished. */
const FIRST_GUESS_MS = 1_000;

/**
 * Seconds until `overflow` more slots are likely free: that many tasks must finish first, and
 * they finish `concurrency` at a time, each taking about `taskMs`. At least 1 (Retry-After is
 * whole seconds), at most `maxS`. Pure.
 */
export function retryAfterSeconds(overflow: number, concurrency: number, taskMs: number, maxS = 60): number {
  const rounds = Math.max(1, Math.ceil(overflow / concurrency));
  return Math.min(maxS, Math.max(1, Math.ceil((rounds * taskMs) / 1000)));
}

export class BoundedQueue {
  private inflight = 0;
  private readonly waiting: Waiting[] = [];
  private readonly idleWaiters: Array<() => void> = [];
  /** Moving average of finished tasks' durations, for Retry-After. */
  private taskMs: number | undefined;

  constructor(readonly limits: QueueLimits) {
    if (!Number.isInteger(limits.concurrency) || limits.concurrency < 1)
      throw new RangeError(`concurrency must be a positive whole number, got ${limits.concurrency}`);
    if (!Number.isInteger(limits.maxQueued) || limits.maxQueued < 0)
      throw new RangeError(`maxQueued must be a whole number from 0, got ${limits.maxQueued}`);
  }

  stats(): QueueStats {
    return { ...this.limits, inflight: this.inflight, queued: this.waiting.length };
  }

  /**
   * Admits every task or none: the batch fits when the tasks already running and waiting plus
   * its own leave no more than `maxQueued` waiting. Admitted tasks start in order as slots free.
   */
  submit<T>(tasks: ReadonlyArray<Task<T>>, signal: AbortSignal): Admission<T> {
    const { concurrency, maxQueued } = this.limits;
    const overflow = this.inflight + this.waiting.length + tasks.length - (concurrency + maxQueued);
    if (tasks.length > concurrency + maxQueued) {
      return {
        admitted: false,
        retryAfterS: 0,
        reason: `a batch of ${tasks.length} can never fit: ${concurrency} running + ${maxQueued} queued at most`,
      };
    }
    if (overflow > 0) {
      return {
        admitted: false,
        retryAfterS: retryAfterSeconds(overflow, concurrency, this.taskMs ?? FIRST_GUESS_MS),
        reason: `busy: ${this.inflight} running and ${this.waiting.length} queued; this batch of ${tasks.length} needs ${overflow} more slot${overflow === 1 ? "" : "s"}`,
      };
    }
    if (signal.aborted) {
      return { admitted: true, outcomes: tasks.map(() => Promise.resolve({ state: "cancelled" as const })) };
    }
    const outcomes = tasks.map(
      (task) =>
        new Promise<TaskOutcome<T>>((resolve) => {
          const entry: Waiting = {
            signal,
            run: () => {
              this.inflight++;
              const started = performance.now();
              // A task that throws before returning its promise is a failed task like any other.
              new Promise<T>((settle) => settle(task(signal)))
                .then(
                  (value): TaskOutcome<T> => {
                    // Cut tasks end early and would make the estimate optimistic.
                    if (!signal.aborted) this.observe(performance.now() - started);
                    return { state: "done", value };
                  },
                  (error: unknown): TaskOutcome<T> => ({ state: "failed", error }),
                )
                .then((outcome) => {
                  this.inflight--;
                  resolve(outcome);
                  this.pump();
                });
            },
            cancel: () => resolve({ state: "cancelled" }),
          };
          this.waiting.push(entry);
        }),
    );
    signal.addEventListener("abort", () => this.dropAborted(), { once: true });
    this.pump();
    return { admitted: true, outcomes };
  }

  /** Resolves once nothing runs and nothing waits (graceful shutdown). */
  idle(): Promise<void> {
    if (this.inflight === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private observe(ms: number): void {
    this.taskMs = this.taskMs === undefined ? ms : this.taskMs * 0.8 + ms * 0.2;
  }

  private dropAborted(): void {
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const entry = this.waiting[i]!;
      if (entry.signal.aborted) {
        this.waiting.splice(i, 1);
        entry.cancel();
      }
    }
    this.pump();
  }

  private pump(): void {
    while (this.inflight < this.limits.concurrency && this.waiting.length > 0) {
      this.waiting.shift()!.run();
    }
    if (this.inflight === 0 && this.waiting.length === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}
