import type { ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../core/config.js";
import type { Scenario } from "../core/scenario.js";
import { readSuite } from "../core/suite-store.js";
import { DependencyCache } from "../runner/dependency-cache.js";
import { type RunEvent, runSuite } from "../runner/run-loop.js";
import { testEnvironment } from "../runner/run-tests.js";
import { detectSandbox, type SandboxLevel } from "../runner/sandbox.js";
import { buildWorkspace } from "../runner/workspace.js";
import { mineRepository } from "../scenario-gen/mine.js";
import { type Figure, makeFigure } from "./figure.js";
import type { AppRepo } from "./generate-app-repo.js";
import { git, median, progress, runCommand, type Sample, timeMs, toSample } from "./measure.js";

/**
 * Rollout figures. (1) What a rollout costs besides the agent and the tests: real `runSuite`
 * rollouts (agents oracle and noop, the sandbox this machine detects) over scenarios mined from
 * the generated app repository, each rollout's wall time minus its agent time and minus the
 * scoring test runner's own process, against that test run. (2) Building a rollout workspace
 * (runner/workspace.ts) against the naive `git clone` + `git checkout <base_commit>` of the
 * same state.
 */
export interface RolloutFigureOptions {
  app: AppRepo;
  /** A long history (the scan repository): the workspace comparison at its HEAD as well. */
  history?: { path: string; label: string };
  /** Scenarios to mine from the app repository and run. */
  scenarios: number;
  /** Measured runs per agent over every scenario (one attempt each), after one warm-up. */
  rounds: number;
  /** Interleaved repeats per method for the workspace comparison. */
  repeats: number;
}

const AGENTS = ["oracle", "noop"] as const;
type AgentName = (typeof AGENTS)[number];

interface RolloutTiming {
  agent: AgentName;
  instanceId: string;
  status: string;
  reward: number | null;
  /** rollout-start to rollout-done: runRollout plus appending the record. */
  wallMs: number;
  setupMs: number;
  agentMs: number;
  scoreMs: number;
  /** The scoring test runner's process(es), spawn to exit, as the rollout ran them. */
  testMs: number;
  testRuns: number;
}

/**
 * Calls `onTestRun` with the duration (spawn to close) of every child process started while
 * it is installed whose command line contains `--test` (node's test runner, also when wrapped
 * in bwrap), without touching the runner's code: `spawn` is replaced on node:child_process
 * and the change pushed into ES module bindings. Returns the function that puts it back.
 */
function observeTestRunnerProcesses(onTestRun: (ms: number) => void): () => void {
  const childProcess = createRequire(import.meta.url)("node:child_process") as { spawn: typeof spawn };
  const original = childProcess.spawn;
  const observed = (...args: unknown[]): ChildProcess => {
    const started = performance.now();
    const child = (original as (...a: unknown[]) => ChildProcess)(...args);
    if (Array.isArray(args[1]) && args[1].includes("--test")) {
      child.once("close", () => onTestRun(performance.now() - started));
    }
    return child;
  };
  childProcess.spawn = observed as typeof spawn;
  syncBuiltinESMExports();
  return () => {
    childProcess.spawn = original;
    syncBuiltinESMExports();
  };
}

async function mineScenarios(app: AppRepo, cacheDir: string, max: number): Promise<Scenario[]> {
  const suiteDir = await mkdtemp(join(tmpdir(), "repogym-bench-rollout-suite-"));
  try {
    await mineRepository({ repo: app.path, suiteDir, cacheDir, toolVersion: "bench", jobs: 1, runs: 1, max });
    return await readSuite(suiteDir);
  } finally {
    await rm(suiteDir, { recursive: true, force: true });
  }
}

/** One `runSuite` over every scenario, one attempt, jobs 1; the rollouts' timings. */
async function runOnce(
  app: AppRepo,
  scenarios: Scenario[],
  agent: AgentName,
  sandbox: SandboxLevel,
  cacheDir: string,
  outDir: string,
  testRuns: { ms: number; runs: number; counting: boolean },
): Promise<RolloutTiming[]> {
  const timings: RolloutTiming[] = [];
  const onEvent = (event: RunEvent) => {
    // Jobs 1: every test runner process between a rollout's start and done is that rollout's.
    if (event.type === "rollout-start") {
      testRuns.ms = 0;
      testRuns.runs = 0;
    } else if (event.type === "rollout-done") {
      const { record } = event;
      timings.push({
        agent,
        instanceId: record.instance_id,
        status: record.status,
        reward: record.reward,
        wallMs: event.durationMs,
        setupMs: record.durations.setup_ms,
        agentMs: record.durations.agent_ms,
        scoreMs: record.durations.score_ms,
        testMs: testRuns.ms,
        testRuns: testRuns.runs,
      });
    }
  };
  await runSuite({
    repo: app.path,
    scenarios,
    agentSpec: { name: agent },
    attempts: 1,
    jobs: 1,
    timeoutMs: 120_000,
    outDir,
    resume: false,
    config: await loadConfig(app.path),
    cacheDir,
    hostEnv: process.env,
    sandbox,
    onEvent,
  });
  return timings;
}

const overheadOf = (t: RolloutTiming) => t.wallMs - t.agentMs - t.testMs;

function rolloutFigure(
  agent: AgentName,
  timings: RolloutTiming[],
  sandbox: SandboxLevel,
  diagnostic: boolean,
): Figure {
  const mine = timings.filter((t) => t.agent === agent);
  const round = (ms: number) => Math.round(ms);
  return makeFigure({
    id: `rollout.${agent}`,
    title: `${diagnostic ? "  " : ""}rollout overhead, ${agent} agent, ${mine.length} rollouts`,
    measured:
      "median per rollout of (rollout wall time − agent_ms − the scoring test runner process): " +
      "workspace (extract, one-commit repository, dependency link), setup, patch capture, a second " +
      `scoring workspace with the patch applied, test-side restore, setup again, report parsing, scoring, record append, cleanup; warm dependency cache, sandbox ${sandbox}, jobs 1`,
    baselineDefinition:
      "median per rollout of the scoring test run itself: the scenario's test files, the runner " +
      `process from spawn to exit${sandbox === "none" ? "" : ` (inside the ${sandbox} sandbox)`}`,
    valueMs: median(mine.map(overheadOf)),
    baselineMs: median(mine.map((t) => t.testMs)),
    ratioOf: "value/baseline",
    // No target: the ratio moves with the size of the scenario's test files, and the issue sets none.
    ...(diagnostic ? { diagnostic } : {}),
    details: {
      sandbox,
      medianWallMs: round(median(mine.map((t) => t.wallMs))),
      medianSetupMs: round(median(mine.map((t) => t.setupMs))),
      medianAgentMs: round(median(mine.map((t) => t.agentMs))),
      medianScoreMs: round(median(mine.map((t) => t.scoreMs))),
      medianScoreWithoutTestsMs: round(median(mine.map((t) => t.scoreMs - t.testMs))),
      rollouts: mine.map((t) => ({
        instanceId: t.instanceId,
        status: t.status,
        reward: t.reward,
        wallMs: round(t.wallMs),
        setupMs: t.setupMs,
        agentMs: t.agentMs,
        scoreMs: t.scoreMs,
        testMs: round(t.testMs),
        testRuns: t.testRuns,
      })),
    },
  });
}

/**
 * The scenario's test files run directly with `node --test` in a ready workspace (no repogym,
 * no sandbox): `run` once per call, so the caller can spread the runs between rollouts.
 */
async function bareTestRunner(app: AppRepo, scenario: Scenario, cacheDir: string) {
  const scratch = await mkdtemp(join(tmpdir(), "repogym-bench-bare-"));
  const workspace = await buildWorkspace({
    repo: app.path,
    scenario,
    dir: join(scratch, "workspace"),
    cache: new DependencyCache({ cacheDir, timeoutMs: 600_000 }),
  });
  const runsMs: number[] = [];
  return {
    runsMs,
    run: async () => {
      const ms = await timeMs(() =>
        runCommand(process.execPath, ["--test", "--", ...scenario.environment.test_files], {
          cwd: workspace.dir,
          // The variables repogym gives its test runs: the host's (NODE_OPTIONS, NODE_EXTRA_CA_CERTS)
          // slow every node start and would make the comparison about the environment.
          env: testEnvironment(),
          discardStdout: true,
          allowFailure: true,
        }),
      );
      runsMs.push(ms);
    },
    [Symbol.asyncDispose]: async () => {
      await workspace[Symbol.asyncDispose]();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

interface StateTarget {
  label: string;
  repo: string;
  scenario: Scenario;
}

interface PhaseSample {
  create: Sample;
  total: Sample;
}

/**
 * Creating and removing one rollout's starting state, round-robin after one warm-up each:
 * buildWorkspace (warm dependency cache) + its disposal against `git clone [--no-local]` +
 * `git checkout <base_commit>` (+ `git apply` of the test patch when tests are visible) + rm -r.
 */
async function measureWorkspaces(target: StateTarget, cacheDir: string, repeats: number) {
  const scratch = await mkdtemp(join(tmpdir(), "repogym-bench-workspaces-"));
  const cache = new DependencyCache({ cacheDir, timeoutMs: 600_000 });
  const { scenario } = target;
  let n = 0;
  const fresh = () => join(scratch, `ws-${n++}`);
  const timed = async (create: () => Promise<string>, remove: (dir: string) => Promise<void>) => {
    const started = performance.now();
    const dir = await create();
    const created = performance.now();
    await remove(dir);
    return { createMs: created - started, totalMs: performance.now() - started };
  };
  const removeDir = (dir: string) => rm(dir, { recursive: true, force: true });
  const clone = (flags: string[]) => async () => {
    const dir = fresh();
    await git(scratch, ["clone", "--quiet", ...flags, target.repo, dir]);
    await git(dir, ["checkout", "--quiet", "--detach", scenario.base_commit]);
    if (scenario.task.tests_visible) await git(dir, ["apply"], { input: scenario.test_patch });
    return dir;
  };
  let workspaceCleanup: (() => Promise<void>) | undefined;
  const operations = {
    ours: () =>
      timed(
        async () => {
          const workspace = await buildWorkspace({ repo: target.repo, scenario, dir: fresh(), cache });
          if (!workspace.dependencies.ok) throw new Error(`dependencies: ${workspace.dependencies.reason}`);
          workspaceCleanup = async () => await workspace[Symbol.asyncDispose]();
          return workspace.dir;
        },
        () => workspaceCleanup!(),
      ),
    cloneNoLocal: () => timed(clone(["--no-local"]), removeDir),
    cloneLocal: () => timed(clone([]), removeDir),
  };
  type Key = keyof typeof operations;
  const keys = Object.keys(operations) as Key[];
  try {
    for (const key of keys) await operations[key]();
    const runs = Object.fromEntries(keys.map((k) => [k, { create: [] as number[], total: [] as number[] }]));
    for (let i = 0; i < repeats; i++) {
      for (const key of keys) {
        const { createMs, totalMs } = await operations[key]();
        runs[key]!.create.push(createMs);
        runs[key]!.total.push(totalMs);
      }
    }
    const files = (await git(target.repo, ["ls-tree", "-r", "--name-only", scenario.base_commit])).stdout
      .trim()
      .split("\n").length;
    const commits = Number((await git(target.repo, ["rev-list", "--count", "--all"])).stdout.trim());
    const samples = Object.fromEntries(
      keys.map((k) => [k, { create: toSample(runs[k]!.create), total: toSample(runs[k]!.total) }]),
    ) as Record<Key, PhaseSample>;
    return { samples, files, commits };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function workspaceFigures(
  target: StateTarget,
  measured: Awaited<ReturnType<typeof measureWorkspaces>>,
): Figure[] {
  const { samples, files, commits } = measured;
  const ours = samples.ours;
  const what =
    "buildWorkspace (base commit via throwaway index, test patch when visible, one-commit repository " +
    "in a private git dir copied in, dependency link from a warm cache) + its removal, per rollout";
  const naive = (flags: string) =>
    `\`git clone${flags}\` + \`git checkout <base_commit>\`${target.scenario.task.tests_visible ? " + `git apply` of the test patch" : ""} + rm -r, per rollout (no dependencies)`;
  const details = (baseline: PhaseSample) => ({
    files,
    commits,
    oursCreateMedianMs: Math.round(ours.create.medianMs),
    baselineCreateMedianMs: Math.round(baseline.create.medianMs),
    oursRunsMs: ours.total.runsMs.map(Math.round),
    baselineRunsMs: baseline.total.runsMs.map(Math.round),
  });
  return [
    makeFigure({
      id: `workspace.clone-no-local.${target.label}`,
      title: `rollout workspace, ${files} files, ${commits} commits: vs clone --no-local`,
      measured: what,
      baselineDefinition: naive(" --no-local"),
      valueMs: ours.total.medianMs,
      baselineMs: samples.cloneNoLocal.total.medianMs,
      ratioOf: "value/baseline",
      details: details(samples.cloneNoLocal),
    }),
    makeFigure({
      id: `workspace.clone.${target.label}`,
      title: `rollout workspace, ${files} files, ${commits} commits: vs local clone`,
      measured: what,
      baselineDefinition: `${naive("")}; a local clone hard-links the source's objects`,
      valueMs: ours.total.medianMs,
      baselineMs: samples.cloneLocal.total.medianMs,
      ratioOf: "value/baseline",
      details: details(samples.cloneLocal),
    }),
  ];
}

export async function measureRollouts(options: RolloutFigureOptions): Promise<Figure[]> {
  const { app } = options;
  const root = await mkdtemp(join(tmpdir(), "repogym-bench-rollouts-"));
  const cacheDir = join(root, "cache");
  try {
    const max = Math.min(options.scenarios, app.fixes.length);
    progress(`rollouts: mining ${max} scenarios from the app repository (also fills the dependency cache)`);
    const scenarios = await mineScenarios(app, cacheDir, max);
    if (scenarios.length === 0) throw new Error("rollouts: mining wrote no scenarios");
    const sandbox = await detectSandbox();

    await using bare = await bareTestRunner(app, scenarios[0]!, cacheDir);
    // Counts the test runner processes of rollouts only, not the bare runs between them.
    const testRuns = { ms: 0, runs: 0, counting: false };
    const stopObserving = observeTestRunnerProcesses((ms) => {
      if (!testRuns.counting) return;
      testRuns.ms += ms;
      testRuns.runs++;
    });
    const timings: RolloutTiming[] = [];
    try {
      for (let round = 0; round <= options.rounds; round++) {
        for (const agent of AGENTS) {
          const label = round === 0 ? "warm-up" : `round ${round}/${options.rounds}`;
          progress(`rollouts: ${agent}, ${scenarios.length} scenarios, sandbox ${sandbox}, ${label}`);
          const outDir = join(root, "runs", `${agent}-${round}`);
          testRuns.counting = true;
          const run = await runOnce(app, scenarios, agent, sandbox, cacheDir, outDir, testRuns);
          testRuns.counting = false;
          // The bare baseline runs between rollouts, so load on the machine hits both alike.
          await bare.run();
          if (round > 0) timings.push(...run);
        }
      }
    } finally {
      stopObserving();
    }
    const bareRunsMs = bare.runsMs.slice(AGENTS.length);
    // The figures only mean something if the rollouts did what these agents must do.
    const expected = { oracle: 1, noop: 0 } as const;
    const odd = timings.filter(
      (t) => t.status !== "scored" || t.reward !== expected[t.agent] || t.testRuns !== 1,
    );
    for (const t of odd) {
      progress(
        `WARNING: ${t.agent} on ${t.instanceId}: ${t.status}, reward ${t.reward}, ${t.testRuns} test runner processes`,
      );
    }

    const testFiles = scenarios[0]!.environment.test_files.length;
    const inRollout = timings.filter((t) => t.instanceId === scenarios[0]!.instance_id).map((t) => t.testMs);

    const figures: Figure[] = [
      rolloutFigure("oracle", timings, sandbox, false),
      rolloutFigure("noop", timings, sandbox, true),
      makeFigure({
        id: "rollout.test-run",
        title: `  scoring test run in a rollout vs bare node --test, ${testFiles} file${testFiles === 1 ? "" : "s"}`,
        measured: `the scoring test runner process inside rollouts of one scenario (spawn to exit; repogym's reporter${sandbox === "none" ? "" : `, ${sandbox} sandbox`}), median`,
        baselineDefinition:
          "`node --test -- <the same files>` in a ready workspace with the test environment repogym uses, no repogym, no sandbox, once after each measured run of an agent, median",
        valueMs: median(inRollout),
        baselineMs: median(bareRunsMs),
        ratioOf: "value/baseline",
        diagnostic: true,
        details: { inRolloutMs: inRollout.map(Math.round), bareRunsMs: bareRunsMs.map(Math.round) },
      }),
    ];

    const targets: StateTarget[] = [{ label: "app", repo: app.path, scenario: scenarios[0]! }];
    if (options.history) {
      // The same kind of state from a long history: HEAD, tests hidden (no test patch to apply).
      const head = (await git(options.history.path, ["rev-parse", "HEAD"])).stdout.trim();
      targets.push({
        label: options.history.label,
        repo: options.history.path,
        scenario: { ...scenarios[0]!, base_commit: head, task: { tests_visible: false } },
      });
    }
    for (const target of targets) {
      progress(`workspaces: ${options.repeats} interleaved runs per method, ${target.label} repository`);
      figures.push(...workspaceFigures(target, await measureWorkspaces(target, cacheDir, options.repeats)));
    }
    return figures;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
