import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../core/atomic-write.js";
import type { Config } from "../core/config.js";
import { ConfigError, describeError } from "../core/errors.js";
import { runPool } from "../core/pool.js";
import { ROLLOUT_SCHEMA, type Rollout } from "../core/rollout.js";
import type { Scenario } from "../core/scenario.js";
import { parseWithSchema } from "../core/schema-error.js";
import { createClassifier, type PathClassifier } from "../scenario-gen/classify.js";
import { buildScoringContract, isResolved, ScoringInfraError, testReport } from "../scorers/index.js";
import {
  type AgentSpec,
  agentEnvironment,
  type ConfiguredAgent,
  collectArtifacts,
  createAgent,
} from "./agents/index.js";
import { DependencyCache } from "./dependency-cache.js";
import { withProcessScope } from "./process.js";
import {
  appendRollout,
  ROLLOUTS_FILE,
  readRollouts,
  repairRollouts,
  type TruncatedLine,
} from "./rollout-store.js";
import { type RunSummary, summarizeRun } from "./run-summary.js";
import { runTests, type SpawnSpec, testEnvironment } from "./run-tests.js";
import {
  detectSandbox,
  ensureSandbox,
  type SandboxLevel,
  sandboxReadOnlyPaths,
  wrapCommand,
} from "./sandbox.js";
import { applyPatch } from "./state-tree.js";
import { tamperReason, tamperScan } from "./tamper-scan.js";
import { getAdapter, withCommandOverride } from "./test-adapters/index.js";
import {
  buildWorkspace,
  capturePatch,
  type OverlayFile,
  restoreTests,
  runSetup,
  type Workspace,
} from "./workspace.js";

export const RUN_FILE = "run.json";

/** `<outDir>/run.json`: what a run is, written once at its start so `--resume` can continue it. */
export const RunInfoSchema = z.object({
  run_id: z.string().min(1),
  agent: z.string().min(1),
  attempts: z.number().int().positive(),
  scenarios: z.array(z.string().min(1)),
  seed: z.number().int().nonnegative().nullable(),
  /** Set when this run is one slice of a sharded run (`--shard i/n`). */
  shard: z.object({ index: z.number().int().positive(), count: z.number().int().positive() }).optional(),
  created_at: z.string(),
});
export type RunInfo = z.infer<typeof RunInfoSchema>;

export interface RunTask {
  instanceId: string;
  attempt: number;
}

export type RunEvent =
  | { type: "start"; run_id: string; outDir: string; total: number; done: number; truncated?: TruncatedLine }
  | { type: "rollout-start"; instance_id: string; attempt: number }
  | { type: "rollout-done"; record: Rollout; index: number; total: number; durationMs: number };

export interface RunOptions {
  repo: string;
  scenarios: readonly Scenario[];
  agentSpec: AgentSpec;
  /** Attempts per scenario, numbered from 1. */
  attempts: number;
  jobs: number;
  /** Run only this many scenarios, picked by `seed`. */
  sample?: number;
  seed?: number;
  /** Files laid over every workspace's starting state (agent instructions from a PR head). */
  overlay?: readonly OverlayFile[];
  /** Run only slice `index` of `count` (1-based) of the (sampled) scenarios. */
  shard?: Shard;
  /** Agent timeout per rollout. */
  timeoutMs: number;
  /** The run's folder: run.json, rollouts.jsonl, rollouts/<instance_id>/<attempt>/. */
  outDir: string;
  /** Continue the run in outDir: its run_id and scenarios, only the rollouts not recorded yet. */
  resume: boolean;
  config: Config;
  cacheDir: string;
  /** The environment agents take their named variables from. */
  hostEnv: NodeJS.ProcessEnv;
  /**
   * How agent processes are isolated from the host (runner/sandbox.ts); default: bwrap when it
   * works here, else none. With bwrap the scoring test run is sandboxed too, network off.
   */
  sandbox?: SandboxLevel;
  /** Whether the agent may use the network; default off, on for presets that call a model API. */
  network?: boolean;
  /** A new run's id; generated when absent. */
  runId?: string;
  onEvent?: (event: RunEvent) => void;
  /** Stops taking new rollouts; rollouts cut short are not recorded (a resume redoes them). */
  signal?: AbortSignal;
}

export interface RunResult {
  run_id: string;
  outDir: string;
  rolloutsFile: string;
  summary: RunSummary;
  /** True when the signal stopped the run before every rollout was recorded. */
  interrupted: boolean;
}

/** `20240101T120000Z-1a2b3c`: sorts by time, unique enough for one machine. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

/** mulberry32: a small seeded generator, so a seed picks the same sample everywhere. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks `count` ids deterministically for a seed (a seeded shuffle of the sorted ids), returned sorted. */
export function sampleIds(ids: readonly string[], count: number, seed: number): string[] {
  const pool = [...ids].sort();
  const random = seededRandom(seed);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count).sort();
}

export interface Shard {
  index: number;
  count: number;
}

/** Parses `i/n` (1 <= i <= n), or returns why not. */
export function parseShard(text: string): Shard | string {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) return `expected i/n such as 1/4, got "${text}"`;
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || index < 1 || index > count) return `expected 1 <= i <= n in i/n, got "${text}"`;
  return { index, count };
}

/**
 * Slice `index` of `count` of the ids: every count-th id of the sorted list, starting at
 * position index-1. Deterministic and disjoint; the slices together are all the ids, and
 * their sizes differ by at most one.
 */
export function shardIds(ids: readonly string[], shard: Shard): string[] {
  return [...ids].sort().filter((_, i) => i % shard.count === shard.index - 1);
}

/** Every (scenario, attempt) pair not recorded yet, scenario by scenario. */
export function pendingTasks(
  ids: readonly string[],
  attempts: number,
  recorded: readonly RunTask[],
): RunTask[] {
  const done = new Set(recorded.map((t) => `${t.instanceId}\0${t.attempt}`));
  const tasks: RunTask[] = [];
  for (const instanceId of ids) {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (!done.has(`${instanceId}\0${attempt}`)) tasks.push({ instanceId, attempt });
    }
  }
  return tasks;
}

async function readRunInfo(file: string): Promise<RunInfo> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ConfigError(
      `cannot resume: no run to continue here (${(error as NodeJS.ErrnoException).code ?? describeError(error)})`,
      file,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`not valid JSON: ${(error as Error).message}`, file);
  }
  return parseWithSchema(RunInfoSchema, data, file);
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).size > 0;
  } catch {
    return false;
  }
}

/** Decides the run: a new one (written to run.json) or the one in outDir when resuming. */
async function planRun(options: RunOptions, agent: ConfiguredAgent): Promise<RunInfo> {
  const runFile = join(options.outDir, RUN_FILE);
  if (options.resume) {
    const info = await readRunInfo(runFile);
    if (info.agent !== agent.name) {
      throw new ConfigError(
        `cannot resume: the run used agent "${info.agent}", not "${agent.name}"`,
        runFile,
      );
    }
    if (info.attempts !== options.attempts) {
      throw new ConfigError(
        `cannot resume: the run has ${info.attempts} attempts per scenario, not ${options.attempts}`,
        runFile,
      );
    }
    const known = new Set(options.scenarios.map((s) => s.instance_id));
    const missing = info.scenarios.filter((id) => !known.has(id));
    if (missing.length > 0) {
      throw new ConfigError(`cannot resume: the suite no longer has ${missing.join(", ")}`, runFile);
    }
    return info;
  }
  if ((await exists(runFile)) || (await exists(join(options.outDir, ROLLOUTS_FILE)))) {
    throw new ConfigError(
      "a run is already recorded here; pass --resume to continue it, or another --out",
      options.outDir,
    );
  }
  const ids = options.scenarios.map((s) => s.instance_id).sort();
  if (options.shard && options.sample !== undefined && options.seed === undefined) {
    throw new ConfigError("sharding a sample needs a seed, so every shard picks the same sample");
  }
  const seed = options.seed ?? (options.sample === undefined ? null : randomBytes(4).readUInt32LE(0) >>> 1);
  const sampled = options.sample === undefined ? ids : sampleIds(ids, options.sample, seed ?? 0);
  const info: RunInfo = {
    run_id: options.runId ?? newRunId(),
    agent: agent.name,
    attempts: options.attempts,
    scenarios: options.shard ? shardIds(sampled, options.shard) : sampled,
    seed,
    ...(options.shard ? { shard: options.shard } : {}),
    created_at: new Date().toISOString(),
  };
  await writeFileAtomic(runFile, `${JSON.stringify(info, null, 2)}\n`);
  return info;
}

/**
 * Runs an agent on scenarios x attempts (DESIGN.md "run"): each rollout in a fresh workspace,
 * scored with the config's scoring contract after the scenario's test side is restored, its
 * record appended to `<outDir>/rollouts.jsonl` as soon as it finishes. With `resume`, the run
 * in outDir continues: a truncated last record is cut off and only missing rollouts run.
 */
export async function runSuite(options: RunOptions): Promise<RunResult> {
  const outDir = resolve(options.outDir);
  const sandbox = options.sandbox ?? (await detectSandbox());
  await ensureSandbox(sandbox);
  const agent = await createAgent({
    ...options.agentSpec,
    sandbox,
    ...(options.network === undefined ? {} : { network: options.network }),
  });
  const runner = createRolloutRunner({ ...options, sandbox });
  if (options.sample !== undefined && options.sample < 1) throw new ConfigError("sample must be at least 1");
  await mkdir(outDir, { recursive: true });
  const info = await planRun({ ...options, outDir }, agent);
  const rolloutsFile = join(outDir, ROLLOUTS_FILE);
  const existing = options.resume ? await repairRollouts(rolloutsFile) : { rollouts: [] };
  const mine = existing.rollouts.filter((r) => r.run_id === info.run_id);
  const tasks = pendingTasks(
    info.scenarios,
    info.attempts,
    mine.map((r) => ({ instanceId: r.instance_id, attempt: r.attempt })),
  );
  const byId = new Map(options.scenarios.map((s) => [s.instance_id, s]));
  const total = info.scenarios.length * info.attempts;
  let finished = total - tasks.length;
  options.onEvent?.({
    type: "start",
    run_id: info.run_id,
    outDir,
    total,
    done: finished,
    ...("truncated" in existing && existing.truncated ? { truncated: existing.truncated } : {}),
  });

  const work = async (task: (typeof tasks)[number]): Promise<"stop" | undefined> => {
    const scenario = byId.get(task.instanceId)!;
    options.onEvent?.({ type: "rollout-start", instance_id: task.instanceId, attempt: task.attempt });
    const started = performance.now();
    const record = await runner.run({ scenario, attempt: task.attempt, agent, runId: info.run_id, outDir });
    if (options.signal?.aborted) return "stop";
    await appendRollout(rolloutsFile, record);
    options.onEvent?.({
      type: "rollout-done",
      record,
      index: finished++,
      total,
      durationMs: performance.now() - started,
    });
  };
  await runPool(tasks, options.jobs, work, options.signal);

  const { rollouts } = await readRollouts(rolloutsFile);
  const chosen = info.scenarios.map((id) => byId.get(id)!);
  const summary = summarizeRun({
    run_id: info.run_id,
    agent: agent.name,
    attempts: info.attempts,
    scenarios: chosen,
    rollouts,
  });
  return {
    run_id: info.run_id,
    outDir,
    rolloutsFile,
    summary,
    interrupted: summary.rollouts < total,
  };
}

/** What every rollout of a runner shares: the repository, config, cache and sandbox. */
export type RolloutRunnerOptions = Pick<
  RunOptions,
  "repo" | "config" | "cacheDir" | "hostEnv" | "timeoutMs" | "overlay"
> & {
  /** Already resolved (detectSandbox) and checked (ensureSandbox). */
  sandbox: SandboxLevel;
};

/** One rollout to run: which scenario and attempt, by which agent, recorded under which run. */
export interface RolloutTask {
  scenario: Scenario;
  attempt: number;
  agent: ConfiguredAgent;
  runId: string;
  /** The rollout's files go to `<outDir>/rollouts/<instance_id>/<attempt>/`. */
  outDir: string;
  /** Cuts the rollout: every process it started is killed, and it starts no more. */
  signal?: AbortSignal;
}

export interface RolloutRunner {
  /** One rollout, start to record. Never throws: a failure of the world or a bug is an infra_error record. */
  run(task: RolloutTask): Promise<Rollout>;
}

/**
 * The scoring path from (scenario, attempt, agent) to a rollout record, without the run's
 * files (run.json, rollouts.jsonl): runSuite and the reward service (`repogym serve`) both
 * score through it, so their rewards agree. Its dependency cache is content-addressed.
 */
export function createRolloutRunner(options: RolloutRunnerOptions): RolloutRunner {
  const contract = buildScoringContract(options.config.scoring);
  const classifier = createClassifier(options.config.paths);
  const cache = new DependencyCache({
    cacheDir: options.cacheDir,
    timeoutMs: options.config.timeouts.install_ms,
  });
  return {
    async run(task) {
      const context: RolloutRunContext = {
        options: { ...options, outDir: task.outDir },
        agent: task.agent,
        contract,
        classifier,
        cache,
        runId: task.runId,
        sandbox: options.sandbox,
      };
      const rollout = () => runRollout(context, task.scenario, task.attempt);
      try {
        return await (task.signal ? withProcessScope(task.signal, rollout) : rollout());
      } catch (error) {
        // A bug or a broken world must not lose the run: the rollout is recorded as unscorable.
        return unexpectedError(context, task.scenario, task.attempt, error);
      }
    },
  };
}

interface RolloutRunContext {
  options: Omit<RolloutRunnerOptions, "sandbox"> & { outDir: string };
  agent: ConfiguredAgent;
  contract: ReturnType<typeof buildScoringContract>;
  /** The config's test/source rules: what the restore puts back and what the tamper scan reads. */
  classifier: PathClassifier;
  cache: DependencyCache;
  runId: string;
  sandbox: SandboxLevel;
}

/**
 * Runs the scoring test run in the bwrap sandbox, network off: the agent's code executes
 * during the tests. HOME points into the private /tmp (the host's is not there).
 */
function sandboxTests(level: SandboxLevel, workspace: string): ((spawn: SpawnSpec) => SpawnSpec) | undefined {
  if (level !== "bwrap") return undefined;
  return (spawn) => {
    const [outputDir = workspace, ...writable] = spawn.writable;
    const env = { ...spawn.env, HOME: "/tmp" };
    const wrapped = wrapCommand({
      level,
      command: spawn.command,
      args: spawn.args,
      workspace,
      outputDir,
      writable,
      readOnly: sandboxReadOnlyPaths(workspace),
      network: false,
      env,
    });
    return { ...spawn, ...wrapped };
  };
}

function unexpectedError(
  ctx: RolloutRunContext,
  scenario: Scenario,
  attempt: number,
  error: unknown,
): Rollout {
  return infraErrorRecord({
    runId: ctx.runId,
    scenario,
    attempt,
    agent: { name: ctx.agent.name },
    reason: `unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  });
}

/** A rollout that was never scored (reward null): not the agent's failure, not a success. */
export function infraErrorRecord(input: {
  runId: string;
  scenario: Scenario;
  attempt: number;
  agent: Rollout["agent"];
  reason: string;
}): Rollout {
  return {
    schema: ROLLOUT_SCHEMA,
    run_id: input.runId,
    instance_id: input.scenario.instance_id,
    attempt: input.attempt,
    agent: input.agent,
    status: "infra_error",
    reward: null,
    resolved: false,
    reason: input.reason,
    scores: [],
    tests: testReport(input.scenario, undefined),
    model_patch: "",
    durations: { setup_ms: 0, agent_ms: 0, score_ms: 0 },
    logs: {},
    finished_at: new Date().toISOString(),
  };
}

/** Where one rollout's files go: `<outDir>/rollouts/<instance_id>/<attempt>/`. */
export function rolloutDir(outDir: string, instanceId: string, attempt: number): string {
  return join(outDir, "rollouts", instanceId, String(attempt));
}

/** One rollout, start to record. Never throws for the world's failures: they are infra_error records. */
async function runRollout(ctx: RolloutRunContext, scenario: Scenario, attempt: number): Promise<Rollout> {
  const { options, agent } = ctx;
  const config = options.config;
  const dir = rolloutDir(options.outDir, scenario.instance_id, attempt);
  // A rollout cut short by a kill left files here; its redo starts clean.
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const agentLog = join(dir, "agent.log");
  const testsLog = join(dir, "tests.log");
  const durations = { setup_ms: 0, agent_ms: 0, score_ms: 0 };
  const agentInfo = {
    name: agent.name,
    ...(agent.version === undefined ? {} : { version: agent.version }),
    ...(agent.model === undefined ? {} : { model: agent.model }),
  };
  let modelPatch = "";
  const logs: Rollout["logs"] = {};
  let usage: Rollout["usage"];

  const record = (
    fields: Pick<Rollout, "status" | "reward" | "resolved" | "scores" | "tests"> & { reason?: string },
  ): Rollout => ({
    schema: ROLLOUT_SCHEMA,
    run_id: ctx.runId,
    instance_id: scenario.instance_id,
    attempt,
    agent: agentInfo,
    ...fields,
    model_patch: modelPatch,
    durations: {
      setup_ms: Math.round(durations.setup_ms),
      agent_ms: Math.round(durations.agent_ms),
      score_ms: Math.round(durations.score_ms),
    },
    ...(usage ? { usage } : {}),
    logs,
    finished_at: new Date().toISOString(),
  });
  const unscored = testReport(scenario, undefined);
  const infraError = (reason: string) =>
    record({ status: "infra_error", reward: null, resolved: false, scores: [], tests: unscored, reason });
  /** Scored, and 0: the agent's change is why, and the reason says how. */
  const failed = (reason: string) =>
    record({ status: "scored", reward: 0, resolved: false, scores: [], tests: unscored, reason });

  const scratch = await mkdtemp(join(tmpdir(), "repogym-rollout-"));
  let workspace: Workspace | undefined;
  let scoring: Workspace | undefined;
  try {
    // 1. Workspace and setup.
    let started = performance.now();
    try {
      workspace = await buildRolloutWorkspace(ctx, scenario, join(scratch, "workspace"));
    } catch (error) {
      durations.setup_ms = performance.now() - started;
      return infraError(`could not build the workspace: ${describeError(error)}`);
    }
    if (!workspace.dependencies.ok) {
      durations.setup_ms = performance.now() - started;
      const setupLog = join(dir, "setup.log");
      await writeFile(setupLog, workspace.dependencies.output);
      return infraError(
        `installing dependencies failed: ${workspace.dependencies.reason} (log: ${setupLog})`,
      );
    }
    const setup = await runSetup(workspace, {
      commands: scenario.environment.setup,
      timeoutMs: config.timeouts.setup_ms,
    });
    durations.setup_ms = performance.now() - started;
    if (!setup.ok) {
      const setupLog = join(dir, "setup.log");
      await writeFile(setupLog, setup.output);
      return infraError(`setup failed: ${setup.reason} (log: ${setupLog})`);
    }

    // 2. The agent, with the problem statement in a file outside the workspace.
    const problemFile = join(scratch, "problem.md");
    await writeFile(problemFile, scenario.problem_statement);
    const { env } = agentEnvironment({
      hostEnv: options.hostEnv,
      names: agent.envNames,
      context: {
        workspace: workspace.dir,
        problemFile,
        outputDir: dir,
        instanceId: scenario.instance_id,
        attempt,
      },
    });
    started = performance.now();
    let outcome: Awaited<ReturnType<ConfiguredAgent["run"]>>;
    try {
      outcome = await agent.run({
        scenario,
        workspace: workspace.dir,
        problemFile,
        outputDir: dir,
        env,
        timeoutMs: options.timeoutMs,
        logFile: agentLog,
        attempt,
      });
    } catch (error) {
      durations.agent_ms = performance.now() - started;
      if (await exists(agentLog)) logs.agent = agentLog;
      return infraError(`the agent could not run: ${describeError(error)}`);
    }
    durations.agent_ms = performance.now() - started;
    if (await exists(agentLog)) logs.agent = agentLog;
    const artifacts = await collectArtifacts(dir);
    if (artifacts.trajectory) logs.trajectory = artifacts.trajectory;
    if (artifacts.usage) usage = artifacts.usage;

    // 3. The agent's change, read through the private git folder. Nothing else the agent
    // left in its workspace (a replaced node_modules, ignored files, a stale build, processes
    // still writing there) takes part in scoring: the change is scored in a fresh workspace.
    started = performance.now();
    try {
      modelPatch = await capturePatch(workspace);
    } catch (error) {
      durations.score_ms = performance.now() - started;
      return infraError(`could not read the agent's change: ${describeError(error)}`);
    }
    if (outcome.status !== "completed") {
      durations.score_ms = performance.now() - started;
      return record({
        status: outcome.status,
        reward: 0,
        resolved: false,
        scores: [],
        tests: unscored,
        reason: outcome.reason,
      });
    }
    await workspace[Symbol.asyncDispose]();
    workspace = undefined;

    // 3b. The tamper scan (runner/tamper-scan.ts): source that reaches into the test machinery
    // (hooks, runner state, Object.is, the report channel) can beat the in-process guards, so
    // such a change scores 0 without running the tests. Skipped for a scenario whose own gold
    // patch trips it: that project works on such code, and its oracle must still score 1.
    if (config.guards.tamper_scan) {
      const scan = tamperScan({
        modelPatch,
        goldPatch: scenario.patch,
        classifier: ctx.classifier,
      });
      if (scan.kind === "flagged") {
        durations.score_ms = performance.now() - started;
        return failed(tamperReason(scan.finding));
      }
    }

    // 4. The scoring workspace: the starting state plus the agent's patch, the scenario's test
    // side put back, dependencies linked afresh, and the setup (a build) run again over the
    // agent's code, inside the sandbox like the tests.
    try {
      scoring = await buildRolloutWorkspace(ctx, scenario, join(scratch, "scoring"));
      if (!scoring.dependencies.ok)
        throw new Error(`installing dependencies failed: ${scoring.dependencies.reason}`);
      await applyPatch(scoring.dir, modelPatch, "the agent's patch");
      await restoreTests(scoring, scenario, ctx.classifier);
    } catch (error) {
      durations.score_ms = performance.now() - started;
      return infraError(`could not build the scoring workspace: ${describeError(error)}`);
    }
    if (scenario.environment.setup.length > 0) {
      const wrap = sandboxTests(ctx.sandbox, scoring.dir);
      const rebuilt = await runSetup(scoring, {
        commands: scenario.environment.setup,
        timeoutMs: config.timeouts.setup_ms,
        ...(wrap ? { wrap } : {}),
      });
      if (!rebuilt.ok) {
        // The same setup passed on the starting state (step 1): the agent's change broke it.
        durations.score_ms = performance.now() - started;
        await writeFile(testsLog, rebuilt.output);
        logs.tests = testsLog;
        return failed(`the setup failed over the agent's change: ${rebuilt.reason}`);
      }
    }

    // 4. The scenario's tests, then the scoring contract.
    const tests = await runScenarioTests(ctx, scenario, scoring.dir);
    await writeFile(testsLog, tests.output);
    logs.tests = testsLog;
    if (!tests.ok) {
      // A crash is the world's fault only if the untouched starting state crashes too;
      // otherwise the agent's change broke the runner, and that is a failed attempt, not a
      // way to have the rollout left out of the averages.
      const control =
        modelPatch === "" ? undefined : await controlTestRun(ctx, scenario, join(scratch, "control"));
      durations.score_ms = performance.now() - started;
      if (control?.ok) {
        return failed(
          `the agent's change broke the test run (${tests.reason}); the starting state runs its tests`,
        );
      }
      return infraError(`the tests could not be run: ${tests.reason}`);
    }
    try {
      const wrap = sandboxTests(ctx.sandbox, scoring.dir);
      const scored = await ctx.contract.score({
        scenario,
        modelPatch,
        workspace: scoring.dir,
        tests: tests.results,
        env: testEnvironment(),
        timeoutMs: config.timeouts.test_ms,
        // Command scorers run over the agent's code too: same sandbox as the tests.
        ...(wrap ? { wrap } : {}),
      });
      durations.score_ms = performance.now() - started;
      const report = testReport(scenario, tests.results);
      return record({
        status: "scored",
        reward: scored.reward,
        resolved: isResolved(report),
        scores: scored.scores,
        tests: report,
      });
    } catch (error) {
      durations.score_ms = performance.now() - started;
      if (error instanceof ScoringInfraError) return infraError(error.message);
      throw error;
    }
  } finally {
    if (workspace) await workspace[Symbol.asyncDispose]();
    if (scoring) await scoring[Symbol.asyncDispose]();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A workspace of the scenario's starting state, as the run's config and overlay make it. */
function buildRolloutWorkspace(ctx: RolloutRunContext, scenario: Scenario, dir: string): Promise<Workspace> {
  const { config, repo, overlay } = ctx.options;
  return buildWorkspace({
    repo,
    scenario,
    dir,
    cache: ctx.cache,
    ...(config.environment.install ? { installCommand: config.environment.install } : {}),
    ...(config.environment.package_manager ? { packageManager: config.environment.package_manager } : {}),
    ...(overlay ? { overlay } : {}),
  });
}

/** The scenario's test files, run once in a workspace, inside the sandbox when there is one. */
function runScenarioTests(ctx: RolloutRunContext, scenario: Scenario, root: string) {
  const config = ctx.options.config;
  const wrap = sandboxTests(ctx.sandbox, root);
  let adapter = getAdapter(scenario.environment.framework);
  if (config.environment.test_command)
    adapter = withCommandOverride(adapter, config.environment.test_command);
  return runTests({
    adapter,
    root,
    files: scenario.environment.test_files,
    timeoutMs: config.timeouts.test_ms,
    maxOutputBytes: 1024 * 1024,
    ...(wrap ? { wrap } : {}),
  });
}

/** Runs the scenario's tests in a fresh workspace nobody touched (the starting state). */
async function controlTestRun(ctx: RolloutRunContext, scenario: Scenario, dir: string) {
  const config = ctx.options.config;
  try {
    await using control = await buildRolloutWorkspace(ctx, scenario, dir);
    if (!control.dependencies.ok) return undefined;
    const setup = await runSetup(control, {
      commands: scenario.environment.setup,
      timeoutMs: config.timeouts.setup_ms,
    });
    if (!setup.ok) return undefined;
    await restoreTests(control, scenario, ctx.classifier);
    return await runScenarioTests(ctx, scenario, control.dir);
  } catch {
    return undefined;
  }
}
