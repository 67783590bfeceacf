/**
 * SWE-bench: task instances in SWE-bench's field names and encodings, and for each run the
 * predictions and evaluation reports its harness would have written.
 *
 * Sources (SWE-bench/SWE-bench on GitHub):
 * - `swebench/harness/constants` (SWEbenchInstance): instance fields, all strings, with
 *   FAIL_TO_PASS / PASS_TO_PASS as JSON-encoded lists, as the Hugging Face datasets store them.
 * - `swebench/harness/utils.py` (load_swebench_dataset, get_predictions_from_file): a local
 *   `.json` (array) or `.jsonl` dataset; predictions `{instance_id, model_name_or_path, model_patch}`.
 * - `swebench/harness/grading.py` (get_eval_report): per-instance
 *   `logs/run_evaluation/<run_id>/<model>/<instance_id>/report.json`.
 * - `swebench/harness/reporting.py` (make_run_report): `<model>.<run_id>.json`, schema_version 2.
 */
import type { Rollout } from "../core/rollout.js";
import type { Scenario } from "../core/scenario.js";
import { type ExportContext, type ExportRollout, type FormatOutput, plural } from "./context.js";
import { bySplit, type ExportFile, splitName } from "./files.js";
import { type Column, tableFiles } from "./parquet.js";

export const SWEBENCH_FIELDS = [
  "repo",
  "instance_id",
  "base_commit",
  "patch",
  "test_patch",
  "problem_statement",
  "hints_text",
  "created_at",
  "version",
  "FAIL_TO_PASS",
  "PASS_TO_PASS",
  "environment_setup_commit",
] as const;

export type SwebenchInstance = Record<(typeof SWEBENCH_FIELDS)[number], string>;

const INSTANCE_COLUMNS: Column[] = SWEBENCH_FIELDS.map((name) => ({ name, type: "string" }));

/** A list as Python's `json.dumps` writes it (`["a", "b"]`), which is how SWE-bench stores test lists. */
export function pythonJsonList(items: readonly string[]): string {
  return `[${items.map((item) => JSON.stringify(item)).join(", ")}]`;
}

/** `2024-04-22T19:04:17Z`: SWE-bench's created_at (UTC, whole seconds); kept as is when not a date. */
export function swebenchTime(text: string): string {
  const time = Date.parse(text);
  if (Number.isNaN(time)) return text;
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * One task instance. `version` groups instances that share an environment in SWE-bench; the
 * equivalent here is the dependency key (instances with the same key share one install).
 */
export function toSwebenchInstance(scenario: Scenario): SwebenchInstance {
  return {
    repo: scenario.repo,
    instance_id: scenario.instance_id,
    base_commit: scenario.base_commit,
    patch: scenario.patch,
    test_patch: scenario.test_patch,
    problem_statement: scenario.problem_statement,
    hints_text: scenario.hints_text,
    created_at: swebenchTime(scenario.created_at),
    version: scenario.environment.dependency_key,
    FAIL_TO_PASS: pythonJsonList(scenario.FAIL_TO_PASS),
    PASS_TO_PASS: pythonJsonList(scenario.PASS_TO_PASS),
    environment_setup_commit: scenario.environment_setup_commit,
  };
}

export interface SwebenchPrediction {
  instance_id: string;
  model_name_or_path: string;
  model_patch: string;
}

/** The agent as SWE-bench names a model: its model when known, else the agent. */
export function modelName(agent: Rollout["agent"]): string {
  return agent.model ? `${agent.name}/${agent.model}` : agent.name;
}

/** The harness's folder name for a model (`/` becomes `__`); anything else unsafe in a path becomes `_`. */
export function modelDir(name: string): string {
  const dir = name.replaceAll("/", "__").replace(/[^A-Za-z0-9._-]/g, "_");
  return /^\.+$/.test(dir) ? dir.replaceAll(".", "_") : dir;
}

export function toPrediction(rollout: Rollout): SwebenchPrediction {
  return {
    instance_id: rollout.instance_id,
    model_name_or_path: modelName(rollout.agent),
    model_patch: rollout.model_patch,
  };
}

const noTests = () => ({ success: [] as string[], failure: [] as string[] });

export interface SwebenchTestsStatus {
  FAIL_TO_PASS: { success: string[]; failure: string[] };
  PASS_TO_PASS: { success: string[]; failure: string[] };
  FAIL_TO_FAIL: { success: string[]; failure: string[] };
  PASS_TO_FAIL: { success: string[]; failure: string[] };
}

export interface SwebenchInstanceReport {
  patch_is_None: boolean;
  patch_exists: boolean;
  patch_successfully_applied: boolean;
  resolved: boolean;
  tests_status?: SwebenchTestsStatus;
}

/**
 * get_eval_report's entry for a rollout: the patch was applied and the tests ran only when the
 * rollout was scored; FAIL_TO_FAIL / PASS_TO_FAIL stay empty as in the harness's default run.
 */
export function instanceReport(rollout: Rollout): Record<string, SwebenchInstanceReport> {
  const applied = rollout.status === "scored";
  return {
    [rollout.instance_id]: {
      patch_is_None: false,
      patch_exists: rollout.model_patch !== "",
      patch_successfully_applied: applied,
      resolved: rollout.resolved,
      ...(applied
        ? {
            tests_status: {
              FAIL_TO_PASS: rollout.tests.FAIL_TO_PASS,
              PASS_TO_PASS: rollout.tests.PASS_TO_PASS,
              FAIL_TO_FAIL: noTests(),
              PASS_TO_FAIL: noTests(),
            },
          }
        : {}),
    },
  };
}

export interface SwebenchRunReport {
  total_instances: number;
  submitted_instances: number;
  completed_instances: number;
  resolved_instances: number;
  unresolved_instances: number;
  empty_patch_instances: number;
  error_instances: number;
  completed_ids: string[];
  incomplete_ids: string[];
  empty_patch_ids: string[];
  submitted_ids: string[];
  resolved_ids: string[];
  unresolved_ids: string[];
  error_ids: string[];
  schema_version: 2;
}

/**
 * make_run_report over one evaluation run: an empty patch is not evaluated; a rollout whose
 * tests did not run (infrastructure error, agent error, timeout) is an error, as an instance
 * without report.json is for the harness.
 */
export function runReport(instanceIds: readonly string[], rollouts: readonly Rollout[]): SwebenchRunReport {
  const byId = new Map(rollouts.map((r) => [r.instance_id, r]));
  const ids = { completed: [] as string[], incomplete: [] as string[], empty: [] as string[] };
  const outcome = { resolved: [] as string[], unresolved: [] as string[], error: [] as string[] };
  for (const id of [...instanceIds].sort()) {
    const r = byId.get(id);
    if (!r) ids.incomplete.push(id);
    else if (r.model_patch === "") ids.empty.push(id);
    else if (r.status !== "scored") outcome.error.push(id);
    else {
      ids.completed.push(id);
      (r.resolved ? outcome.resolved : outcome.unresolved).push(id);
    }
  }
  return {
    total_instances: instanceIds.length,
    submitted_instances: rollouts.length,
    completed_instances: ids.completed.length,
    resolved_instances: outcome.resolved.length,
    unresolved_instances: outcome.unresolved.length,
    empty_patch_instances: ids.empty.length,
    error_instances: outcome.error.length,
    completed_ids: ids.completed,
    incomplete_ids: ids.incomplete,
    empty_patch_ids: ids.empty,
    submitted_ids: [...byId.keys()].sort(),
    resolved_ids: outcome.resolved,
    unresolved_ids: outcome.unresolved,
    error_ids: outcome.error,
    schema_version: 2,
  };
}

/**
 * SWE-bench takes one prediction per instance per evaluation run, so a run with several
 * attempts becomes one evaluation run per attempt: `<run_id>.attempt<k>`.
 */
export function evaluationRuns(
  rollouts: readonly ExportRollout[],
  attemptsOf: (runId: string) => number,
): Array<{ id: string; model: string; rollouts: Rollout[] }> {
  const runs = new Map<string, { id: string; model: string; rollouts: Rollout[] }>();
  for (const { rollout } of rollouts) {
    const id =
      attemptsOf(rollout.run_id) > 1 ? `${rollout.run_id}.attempt${rollout.attempt}` : rollout.run_id;
    const run = runs.get(id) ?? { id, model: modelName(rollout.agent), rollouts: [] };
    run.rollouts.push(rollout);
    runs.set(id, run);
  }
  return [...runs.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

export function buildSwebench(ctx: ExportContext): FormatOutput {
  const files: ExportFile[] = [];
  for (const { split, items } of bySplit(ctx.scenarios, (s) => s.split, ctx.split)) {
    const instances = items.map((s) => toSwebenchInstance(s.scenario));
    const base = `swebench/${splitName("instances", split)}`;
    files.push(...tableFiles(base, instances, INSTANCE_COLUMNS, ctx.toolVersion));
    // Older harness versions read a local dataset only as one JSON array.
    files.push({ path: `${base}.json`, content: `${JSON.stringify(instances, null, 2)}\n` });
  }
  const attempts = new Map(ctx.runs.map((r) => [r.run_id, r.attempts]));
  const instanceIds = ctx.scenarios.map((s) => s.scenario.instance_id);
  const evaluations = evaluationRuns(ctx.rollouts, (id) => attempts.get(id) ?? 1);
  for (const run of evaluations) {
    const predictions = run.rollouts.map((r) => `${JSON.stringify(toPrediction(r))}\n`).join("");
    files.push({ path: `swebench/predictions/${run.id}.jsonl`, content: predictions });
    for (const rollout of run.rollouts) {
      // The harness writes no report for an empty patch: it never evaluates one.
      if (rollout.model_patch === "") continue;
      files.push({
        path: `swebench/logs/run_evaluation/${run.id}/${modelDir(run.model)}/${rollout.instance_id}/report.json`,
        content: `${JSON.stringify(instanceReport(rollout), null, 4)}\n`,
      });
    }
    files.push({
      path: `swebench/${modelDir(run.model)}.${run.id}.json`,
      content: `${JSON.stringify(runReport(instanceIds, run.rollouts), null, 4)}\n`,
    });
  }
  return {
    files,
    summary: `${plural(ctx.scenarios.length, "task instance")}, ${plural(evaluations.length, "evaluation run")}`,
    notes: [],
  };
}
