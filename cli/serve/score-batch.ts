/**
 * One request of the reward service, as rollouts: every item is its patch replayed on its
 * scenario by the replay agent, through the same RolloutRunner as `repogym score`, under one
 * run id. Items for the same scenario are its attempts 1, 2, ... in item order (a group of
 * samples for one prompt). Nothing outlives the request unless logs are kept.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Rollout } from "../../core/rollout.js";
import type { Scenario } from "../../core/scenario.js";
import { type ConfiguredAgent, createReplayAgent, type Prediction } from "../../runner/agents/index.js";
import { infraErrorRecord, newRunId, type RolloutRunner } from "../../runner/run-loop.js";
import type { ScoredItem, ScoreItem, ScoreRequest } from "./protocol.js";
import type { BoundedQueue, Task, TaskOutcome } from "./queue.js";

export const DEFAULT_MODEL = "serve";

export interface BatchContext {
  runner: RolloutRunner;
  queue: BoundedQueue;
  scenarios: ReadonlyMap<string, Scenario>;
  /** Each request's rollout folders go to `<root>/<run id>-<n>/`. */
  root: string;
  /** Keep the rollout folders (the records' log paths stay valid); otherwise removed after the request. */
  keepLogs: boolean;
}

export type BatchResult =
  | { kind: "busy"; retryAfterS: number; reason: string }
  | { kind: "done"; runId: string; results: ScoredItem[] }
  | { kind: "timeout"; runId: string; results: ScoredItem[]; finished: number }
  /** The client went away: the batch was cut and there is no one to answer. */
  | { kind: "gone" };

export interface BatchOptions {
  timeoutMs: number;
  /** Aborts when the client disconnects. */
  clientGone: AbortSignal;
  /** Settles once every rollout of the batch has ended and its folder is removed (after the answer). */
  onSettled?: (settled: Promise<void>) => void;
}

let sequence = 0;

/** The replay agent with one prediction: the item's patch for the item's scenario. */
export function itemAgent(item: ScoreItem, index: number): ConfiguredAgent {
  const prediction: Prediction = {
    instance_id: item.instance_id,
    model_name_or_path: item.model_name_or_path ?? DEFAULT_MODEL,
    model_patch: item.patch ?? "",
    line: index + 1,
  };
  // As agents/index.ts builds its built-in agents: no host variables.
  return { ...createReplayAgent(new Map([[item.instance_id, prediction]])), envNames: [] };
}

/** Attempt numbers: each scenario's items counted 1, 2, ... in item order. */
export function attemptNumbers(items: readonly Pick<ScoreItem, "instance_id">[]): number[] {
  const seen = new Map<string, number>();
  return items.map((item) => {
    const attempt = (seen.get(item.instance_id) ?? 0) + 1;
    seen.set(item.instance_id, attempt);
    return attempt;
  });
}

/** The record of an item the deadline cut before it finished: not scored, never a failure of the patch. */
export function cutRecord(
  scenario: Scenario,
  item: ScoreItem,
  attempt: number,
  runId: string,
  timeoutMs: number,
): Rollout {
  return infraErrorRecord({
    runId,
    scenario,
    attempt,
    agent: { name: "replay", model: item.model_name_or_path ?? DEFAULT_MODEL },
    reason: `cut by the request's time limit (${timeoutMs / 1000} s) before it finished`,
  });
}

/**
 * Scores a parsed request: admitted whole into the queue or refused (busy), then answered
 * when every item is scored (done) or at the deadline (timeout: finished items keep their
 * records, the others are cut — waiting ones never start, running ones have their processes
 * killed — and come back as infra_error records). The deadline counts from admission.
 */
export async function scoreBatch(
  context: BatchContext,
  request: ScoreRequest,
  options: BatchOptions,
): Promise<BatchResult> {
  const runId = newRunId();
  const outDir = join(context.root, `${runId}-${++sequence}`);
  const attempts = attemptNumbers(request.items);
  const scenarioOf = (item: ScoreItem) => context.scenarios.get(item.instance_id)!;
  const tasks: Task<Rollout>[] = request.items.map(
    (item, index) => (signal) =>
      context.runner.run({
        scenario: scenarioOf(item),
        attempt: attempts[index]!,
        agent: itemAgent(item, index),
        runId,
        outDir,
        signal,
      }),
  );
  const cut = new AbortController();
  const admission = context.queue.submit(tasks, cut.signal);
  if (!admission.admitted) {
    return { kind: "busy", retryAfterS: admission.retryAfterS, reason: admission.reason };
  }

  const finished: Array<TaskOutcome<Rollout> | undefined> = request.items.map(() => undefined);
  admission.outcomes.forEach((outcome, index) => {
    void outcome.then((settled) => {
      if (!cut.signal.aborted) finished[index] = settled;
    });
  });
  const all = Promise.all(admission.outcomes);
  options.onSettled?.(
    all.then(async () => {
      if (!context.keepLogs) await rm(outDir, { recursive: true, force: true });
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  const ending = await Promise.race([
    all.then(() => "done" as const),
    new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), options.timeoutMs);
    }),
    new Promise<"gone">((resolve) => {
      if (options.clientGone.aborted) resolve("gone");
      options.clientGone.addEventListener("abort", () => resolve("gone"), { once: true });
    }),
  ]);
  clearTimeout(timer);
  if (ending === "done") {
    const outcomes = await all;
    return { kind: "done", runId, results: request.items.map((item, i) => toResult(item, outcomes[i]!, i)) };
  }
  // From here on nothing that finishes late counts: what `finished` holds is the answer.
  cut.abort();
  if (ending === "gone") return { kind: "gone" };
  const results = request.items.map((item, i) => {
    const outcome = finished[i];
    return outcome === undefined || outcome.state === "cancelled"
      ? withRequestId(item, cutRecord(scenarioOf(item), item, attempts[i]!, runId, options.timeoutMs))
      : toResult(item, outcome, i);
  });
  return { kind: "timeout", runId, results, finished: finished.filter((o) => o !== undefined).length };

  function toResult(item: ScoreItem, outcome: TaskOutcome<Rollout>, index: number): ScoredItem {
    if (outcome.state === "done") {
      return withRequestId(item, context.keepLogs ? outcome.value : { ...outcome.value, logs: {} });
    }
    // The runner never throws and nothing cancels a finished batch; kept total all the same.
    const record = cutRecord(scenarioOf(item), item, attempts[index]!, runId, options.timeoutMs);
    const reason =
      outcome.state === "failed" ? `unexpected error: ${String(outcome.error)}` : "cancelled before it ran";
    return withRequestId(item, { ...record, reason });
  }
}

function withRequestId(item: ScoreItem, record: Rollout): ScoredItem {
  return item.request_id === undefined ? record : { request_id: item.request_id, ...record };
}
