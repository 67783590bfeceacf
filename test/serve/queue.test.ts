import { describe, expect, it } from "vitest";
import { BoundedQueue, retryAfterSeconds, type Task } from "../../cli/serve/queue.js";

/** A task that runs until the test finishes it, recording when it started and what signal it got. */
function controllable(log: string[], name: string) {
  let finish!: (value: string) => void;
  let fail!: (error: Error) => void;
  let signal: AbortSignal | undefined;
  const task: Task<string> = (s) => {
    signal = s;
    log.push(`start ${name}`);
    return new Promise<string>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
  };
  return {
    task,
    finish: () => finish(name),
    fail: (message: string) => fail(new Error(message)),
    get signal() {
      return signal;
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("BoundedQueue", () => {
  it("runs at most `concurrency` tasks at once, in order of arrival", async () => {
    const log: string[] = [];
    const queue = new BoundedQueue({ concurrency: 2, maxQueued: 3 });
    const tasks = ["a", "b", "c", "d"].map((n) => controllable(log, n));
    const admission = queue.submit(
      tasks.map((t) => t.task),
      new AbortController().signal,
    );
    expect(admission.admitted).toBe(true);
    expect(log).toEqual(["start a", "start b"]);
    expect(queue.stats()).toMatchObject({ inflight: 2, queued: 2 });
    tasks[1]!.finish();
    await tick();
    expect(log).toEqual(["start a", "start b", "start c"]);
    tasks[0]!.finish();
    tasks[2]!.finish();
    await tick();
    tasks[3]!.finish();
    if (!admission.admitted) throw new Error("not admitted");
    const outcomes = await Promise.all(admission.outcomes);
    expect(outcomes).toEqual(["a", "b", "c", "d"].map((value) => ({ state: "done", value })));
    expect(queue.stats()).toMatchObject({ inflight: 0, queued: 0 });
    await queue.idle();
  });

  it("admits a batch whole or not at all, and says when to retry", async () => {
    const log: string[] = [];
    const queue = new BoundedQueue({ concurrency: 2, maxQueued: 2 });
    const first = ["a", "b", "c"].map((n) => controllable(log, n));
    expect(
      queue.submit(
        first.map((t) => t.task),
        new AbortController().signal,
      ).admitted,
    ).toBe(true);

    const refused = queue.submit(
      ["x", "y"].map((n) => controllable(log, n).task),
      new AbortController().signal,
    );
    expect(refused).toEqual({
      admitted: false,
      retryAfterS: 1,
      reason: "busy: 2 running and 1 queued; this batch of 2 needs 1 more slot",
    });
    expect(log).toEqual(["start a", "start b"]);
    expect(queue.stats()).toMatchObject({ inflight: 2, queued: 1 });

    const tooBig = queue.submit(
      ["p", "q", "r", "s", "t"].map((n) => controllable(log, n).task),
      new AbortController().signal,
    );
    expect(tooBig).toMatchObject({ admitted: false, reason: expect.stringMatching(/can never fit/) });

    const one = controllable(log, "z");
    expect(queue.submit([one.task], new AbortController().signal).admitted).toBe(true);
    first[0]!.finish();
    first[1]!.finish();
    await tick();
    first[2]!.finish();
    one.finish();
    await queue.idle();
    expect(log).toEqual(["start a", "start b", "start c", "start z"]);
  });

  it("an abort drops the batch's waiting tasks at once; running ones keep their slots until they end", async () => {
    const log: string[] = [];
    const queue = new BoundedQueue({ concurrency: 1, maxQueued: 4 });
    const controller = new AbortController();
    const mine = ["a", "b", "c"].map((n) => controllable(log, n));
    const admission = queue.submit(
      mine.map((t) => t.task),
      controller.signal,
    );
    const other = controllable(log, "other");
    queue.submit([other.task], new AbortController().signal);
    if (!admission.admitted) throw new Error("not admitted");

    controller.abort();
    expect(mine[0]!.signal?.aborted).toBe(true);
    expect(await admission.outcomes[1]).toEqual({ state: "cancelled" });
    expect(await admission.outcomes[2]).toEqual({ state: "cancelled" });
    // "a" still holds the one slot: the other batch waits for it to wind down.
    expect(queue.stats()).toMatchObject({ inflight: 1, queued: 1 });
    expect(log).toEqual(["start a"]);
    mine[0]!.finish();
    expect(await admission.outcomes[0]).toEqual({ state: "done", value: "a" });
    await tick();
    expect(log).toEqual(["start a", "start other"]);
    other.finish();
    await queue.idle();
  });

  it("a task that fails, or throws before returning a promise, is a failed outcome and frees its slot", async () => {
    const queue = new BoundedQueue({ concurrency: 1, maxQueued: 1 });
    const log: string[] = [];
    const failing = controllable(log, "a");
    const throwing: Task<string> = () => {
      throw new Error("sync");
    };
    const admission = queue.submit([failing.task, throwing], new AbortController().signal);
    if (!admission.admitted) throw new Error("not admitted");
    failing.fail("async");
    const outcomes = await Promise.all(admission.outcomes);
    expect(outcomes.map((o) => (o.state === "failed" ? (o.error as Error).message : o.state))).toEqual([
      "async",
      "sync",
    ]);
    expect(queue.stats()).toMatchObject({ inflight: 0, queued: 0 });
  });

  it("a batch submitted already aborted starts nothing", async () => {
    const queue = new BoundedQueue({ concurrency: 1, maxQueued: 0 });
    const controller = new AbortController();
    controller.abort();
    const log: string[] = [];
    const admission = queue.submit([controllable(log, "a").task], controller.signal);
    if (!admission.admitted) throw new Error("not admitted");
    expect(await admission.outcomes[0]).toEqual({ state: "cancelled" });
    expect(log).toEqual([]);
  });

  it("rejects limits that make no sense", () => {
    expect(() => new BoundedQueue({ concurrency: 0, maxQueued: 1 })).toThrow(/concurrency/);
    expect(() => new BoundedQueue({ concurrency: 1, maxQueued: -1 })).toThrow(/maxQueued/);
  });
});

describe("retryAfterSeconds", () => {
  it("estimates the rounds of tasks that must finish first, in whole seconds from 1 to the cap", () => {
    expect(retryAfterSeconds(1, 2, 300)).toBe(1);
    expect(retryAfterSeconds(5, 2, 3_000)).toBe(9);
    expect(retryAfterSeconds(4, 4, 2_500)).toBe(3);
    expect(retryAfterSeconds(1_000, 1, 60_000)).toBe(60);
    expect(retryAfterSeconds(0, 1, 0)).toBe(1);
  });
});
