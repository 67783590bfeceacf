/**
 * Reading what an export starts from: a suite folder and run folders (run.json +
 * rollouts.jsonl, and the trajectory.json an agent left beside a rollout). Every problem is one
 * ConfigError naming the file; nothing here decides what gets exported.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ConfigError, describeError } from "../core/errors.js";
import type { Rollout } from "../core/rollout.js";
import type { Scenario } from "../core/scenario.js";
import { parseWithSchema } from "../core/schema-error.js";
import { readSuite, scenariosDir } from "../core/suite-store.js";
import { TRAJECTORY_FILE } from "../runner/agents/artifacts.js";
import { ROLLOUTS_FILE, readRollouts } from "../runner/rollout-store.js";
import { RUN_FILE, type RunInfo, RunInfoSchema, rolloutDir } from "../runner/run-loop.js";

export interface LoadedRun {
  /** The run folder, absolute. */
  dir: string;
  info: RunInfo;
  /** The run's records (those of its run_id), in file order. */
  rollouts: Rollout[];
  /** What was left out while reading, for the dataset card. */
  notes: string[];
}

async function kindOf(path: string): Promise<"dir" | "file" | "other" | "missing"> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? "dir" : info.isFile() ? "file" : "other";
  } catch {
    return "missing";
  }
}

/** Every scenario of the suite, validated; a missing or empty suite is an error. */
export async function loadSuite(suiteDir: string): Promise<Scenario[]> {
  const dir = resolve(suiteDir);
  const kind = await kindOf(dir);
  if (kind !== "dir") {
    throw new ConfigError(kind === "missing" ? "no such suite folder" : "the suite is not a folder", dir);
  }
  const scenarios = await readSuite(dir);
  if (scenarios.length === 0) {
    throw new ConfigError("no scenarios in the suite (run repogym mine first)", scenariosDir(dir));
  }
  return scenarios;
}

/** Run ids become file names in exports (SWE-bench logs, predictions): no separators, no dot-only names. */
const SAFE_RUN_ID = /^(?!\.{1,2}$)[A-Za-z0-9._-]+$/;

async function readRunInfo(dir: string): Promise<RunInfo> {
  const file = join(dir, RUN_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new ConfigError(`cannot read run.json: ${describeError(error)}`, file);
    }
    throw new ConfigError(`not a run folder: it has no ${RUN_FILE}${await runFolderHint(dir)}`, dir);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`not valid JSON: ${describeError(error)}`, file);
  }
  const info = parseWithSchema(RunInfoSchema, data, file);
  if (!SAFE_RUN_ID.test(info.run_id)) {
    throw new ConfigError(
      `field run_id: expected letters, digits, ".", "_" or "-", got "${info.run_id}"`,
      file,
    );
  }
  return info;
}

/** When a folder of runs (`.repogym/runs`) is given instead of the runs in it, say so. */
async function runFolderHint(dir: string): Promise<string> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    const runs: string[] = [];
    for (const entry of entries) {
      if (entry.isDirectory() && (await kindOf(join(dir, entry.name, RUN_FILE))) === "file")
        runs.push(entry.name);
    }
    if (runs.length === 0) return "";
    const shown = runs.sort().slice(0, 3).join(", ");
    return ` (it holds run folders: ${shown}${runs.length > 3 ? ", ..." : ""}; pass those, e.g. --runs ${join(dir, "*")})`;
  } catch {
    return "";
  }
}

/** One run folder: run.json and rollouts.jsonl, both required and validated. */
export async function loadRun(runDir: string): Promise<LoadedRun> {
  const dir = resolve(runDir);
  const kind = await kindOf(dir);
  if (kind !== "dir") {
    throw new ConfigError(kind === "missing" ? "no such run folder" : "the run is not a folder", dir);
  }
  const info = await readRunInfo(dir);
  const file = join(dir, ROLLOUTS_FILE);
  if ((await kindOf(file)) !== "file") {
    throw new ConfigError(`the run recorded nothing: no ${ROLLOUTS_FILE} beside run.json`, dir);
  }
  const read = await readRollouts(file);
  const notes: string[] = [];
  if (read.truncated) {
    notes.push(`${file}: line ${read.truncated.line} was cut short (${read.truncated.reason}) and left out`);
  }
  const rollouts = read.rollouts.filter((r) => r.run_id === info.run_id);
  const foreign = read.rollouts.length - rollouts.length;
  if (foreign > 0) {
    notes.push(`${file}: ${foreign} records of another run than ${info.run_id} left out`);
  }
  return { dir, info, rollouts, notes };
}

/** Several run folders; the same run given twice would count its rollouts twice, so it is an error. */
export async function loadRuns(runDirs: readonly string[]): Promise<LoadedRun[]> {
  const runs: LoadedRun[] = [];
  const seen = new Map<string, string>();
  for (const dir of runDirs) {
    const run = await loadRun(dir);
    const other = seen.get(run.info.run_id);
    if (other !== undefined) {
      throw new ConfigError(`run ${run.info.run_id} is given twice (also as ${other})`, run.dir);
    }
    seen.set(run.info.run_id, run.dir);
    runs.push(run);
  }
  return runs;
}

/** What reading a trajectory gave: the parsed JSON, or why there is none. */
export type TrajectoryRead = { ok: true; data: unknown } | { ok: false; reason: string };

/**
 * The trajectory.json the agent left for one rollout, read from the run folder's own copy
 * (`rollouts/<instance_id>/<attempt>/`), which stays valid when the run folder is moved.
 * `instanceId` must already be a validated scenario id: it becomes part of a path.
 */
export async function readTrajectory(
  runDir: string,
  instanceId: string,
  attempt: number,
): Promise<TrajectoryRead> {
  const file = join(rolloutDir(runDir, instanceId, attempt), TRAJECTORY_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      ok: false,
      reason: code === "ENOENT" ? "no trajectory.json" : `unreadable trajectory.json (${code})`,
    };
  }
  try {
    return { ok: true, data: JSON.parse(text) };
  } catch {
    return { ok: false, reason: "trajectory.json is not JSON" };
  }
}
