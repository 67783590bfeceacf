/**
 * What every export format builds from: the scenarios that passed the curriculum filters (with
 * their solve rates and split) and the rollouts of those scenarios. Plain data, decided once in
 * export.ts; each format is a pure function of it.
 */
import type { Rollout } from "../core/rollout.js";
import type { Scenario } from "../core/scenario.js";
import type { ExportFile } from "./files.js";
import type { TrajectoryRead } from "./load.js";
import type { SolveStats, Split } from "./solve-rate.js";

export interface ExportScenario {
  /** The scenario, with `difficulty.solve_rate` set when rollouts measured it. */
  scenario: Scenario;
  stats: SolveStats;
  split: Split | undefined;
}

export interface ExportRollout {
  rollout: Rollout;
  /** Its run folder, absolute. */
  runDir: string;
  /** Its scenario's split. */
  split: Split | undefined;
}

export interface ExportRun {
  run_id: string;
  dir: string;
  agent: string;
  attempts: number;
  /** Rollouts of the exported scenarios. */
  rollouts: number;
}

export interface ExportContext {
  /** Sorted by instance id. */
  scenarios: readonly ExportScenario[];
  /** Sorted by run, instance id and attempt. */
  rollouts: readonly ExportRollout[];
  runs: readonly ExportRun[];
  /** Whether --split was asked for: files then come in train and test halves. */
  split: boolean;
  /** Trajectories of resolved rollouts, by rolloutKey (read only when sft is exported). */
  trajectories: ReadonlyMap<string, TrajectoryRead>;
  toolVersion: string;
}

/** What one format adds to the export. */
export interface FormatOutput {
  files: ExportFile[];
  /** How much it holds, for the summary and the card: `5 task instances`. */
  summary: string;
  /** What was left out and why. */
  notes: string[];
}

/** `<run_id>/<instance_id>/<attempt>`: one rollout, everywhere in an export. */
export function rolloutKey(r: Pick<Rollout, "run_id" | "instance_id" | "attempt">): string {
  return `${r.run_id}/${r.instance_id}/${r.attempt}`;
}

/** Where the exported copy of a scenario is: the export is itself a suite (`--suite <out>/suite`). */
export function scenarioRef(instanceId: string, split: Split | undefined): string {
  return split === undefined
    ? `suite/scenarios/${instanceId}.json`
    : `suite/${split}/scenarios/${instanceId}.json`;
}

/** "1 thing" / "2 things". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
