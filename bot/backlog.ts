/**
 * Slow follow-up work of a webhook (an installation's repositories, one by one; a coalesced
 * push's trailing dispatch) run after the answer to GitHub, one job at a time so the app's
 * API use stays polite. In a one-shot process (`probot receive`, GitHub Actions) jobs run
 * inline instead, so the process ends only when they are done and a failure is its exit code.
 */
export interface Backlog {
  /** Runs `job` (later, or now when inline); a failure goes to `onError`, or throws when inline. */
  add(label: string, job: () => Promise<void>): Promise<void>;
  /** Resolves when every job added so far has finished. */
  idle(): Promise<void>;
}

export function createBacklog(options: {
  inline: boolean;
  onError: (label: string, error: unknown) => void;
}): Backlog {
  let tail: Promise<void> = Promise.resolve();
  return {
    async add(label, job) {
      if (options.inline) return job();
      tail = tail.then(job).catch((error: unknown) => options.onError(label, error));
    },
    async idle() {
      // Jobs may add jobs: wait until the tail stops moving.
      for (let seen = tail; ; seen = tail) {
        await seen;
        if (seen === tail) return;
      }
    },
  };
}
