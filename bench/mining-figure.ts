import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MineEvent, mineRepository } from "../scenario-gen/mine.js";
import type { ProofTimings } from "../scenario-gen/prove.js";
import { type Figure, makeFigure } from "./figure.js";
import type { AppRepo, FixCommit } from "./generate-app-repo.js";
import { git, median, progress, runCommand, timeMs } from "./measure.js";

const RUNS = 3;

export interface MineRun {
  wallMs: number;
  scenarios: number;
  candidates: Array<{ sha: string; durationMs: number; timings?: ProofTimings }>;
}

/** One `repogym mine` over the app repository: jobs 1, 3 runs per state, its own suite folder. */
async function mineOnce(repo: string, cacheDir: string, label: string): Promise<MineRun> {
  const suiteDir = await mkdtemp(join(tmpdir(), "repogym-bench-suite-"));
  const candidates: MineRun["candidates"] = [];
  try {
    const onEvent = (event: MineEvent) => {
      if (event.type !== "candidate-done") return;
      candidates.push({
        sha: event.outcome.sha,
        durationMs: event.durationMs,
        ...(event.timings ? { timings: event.timings } : {}),
      });
      const what = event.outcome.kind === "scenario" ? "scenario" : `skipped (${event.outcome.reason})`;
      progress(`  repogym ${label}: candidate ${event.index + 1}/${event.total} ${what}`);
    };
    let scenarios = 0;
    const wallMs = await timeMs(async () => {
      const summary = await mineRepository({
        repo,
        suiteDir,
        cacheDir,
        toolVersion: "bench",
        jobs: 1,
        runs: RUNS,
        onEvent,
      });
      scenarios = summary.scenarios.length;
    });
    return { wallMs, scenarios, candidates };
  } finally {
    await rm(suiteDir, { recursive: true, force: true });
  }
}

export interface NaiveRun {
  wallMs: number;
  cloneMs: number;
  installMs: number;
  testMs: number;
  /** Candidates whose whole-suite runs did not fail before and pass after, as they should. */
  unexpected: string[];
}

/**
 * The naive validation a person would script: per candidate, a fresh clone, the parent
 * checked out with the commit's test files on top, `npm install`, the whole `npm test` three
 * times, then the commit's full tree and `npm test` three times again.
 */
async function validateNaively(repo: string, fixes: FixCommit[], env: NodeJS.ProcessEnv): Promise<NaiveRun> {
  const run: NaiveRun = { wallMs: 0, cloneMs: 0, installMs: 0, testMs: 0, unexpected: [] };
  const started = performance.now();
  for (const [index, fix] of fixes.entries()) {
    progress(`  naive: candidate ${index + 1}/${fixes.length}`);
    const scratch = await mkdtemp(join(tmpdir(), "repogym-bench-naive-"));
    const dir = join(scratch, "clone");
    try {
      run.cloneMs += await timeMs(async () => {
        await git(scratch, ["clone", "--quiet", repo, dir]);
        await git(dir, ["checkout", "--quiet", "--detach", fix.parent]);
        await git(dir, ["checkout", fix.sha, "--", ...fix.testFiles]);
      });
      run.installMs += await timeMs(() =>
        runCommand("npm", ["install", "--no-audit", "--no-fund"], { cwd: dir, env, discardStdout: true }),
      );
      const npmTest = async () => {
        let exitCode: number | null = null;
        run.testMs += await timeMs(async () => {
          const result = await runCommand("npm", ["test"], {
            cwd: dir,
            env,
            discardStdout: true,
            allowFailure: true,
          });
          exitCode = result.exitCode;
        });
        return exitCode;
      };
      const before: Array<number | null> = [];
      for (let i = 0; i < RUNS; i++) before.push(await npmTest());
      run.cloneMs += await timeMs(() => git(dir, ["checkout", "--quiet", "--force", "--detach", fix.sha]));
      const after: Array<number | null> = [];
      for (let i = 0; i < RUNS; i++) after.push(await npmTest());
      if (before.some((code) => code === 0) || after.some((code) => code !== 0)) run.unexpected.push(fix.sha);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  run.wallMs = performance.now() - started;
  return run;
}

const testTimeOf = (t: ProofTimings | undefined) => (t ? t.beforeMs + t.afterMs : 0);

/**
 * Figures (b) and (c). (c) compares the naive loop with a `repogym mine` whose dependency cache
 * starts empty, so its one install is counted. (b) comes from a second mine over the same
 * cache (the steady state of mining a repository again): per candidate, everything that is
 * not the test runner itself, against the test runs.
 */
export async function measureMining(app: AppRepo, env: NodeJS.ProcessEnv): Promise<Figure[]> {
  const cacheDir = await mkdtemp(join(tmpdir(), "repogym-bench-cache-"));
  try {
    progress(
      `mining: naive validation of ${app.fixes.length} candidates (whole suite, ${app.testFiles} files)`,
    );
    const naive = await validateNaively(app.path, app.fixes, env);
    progress("mining: repogym mine, empty dependency cache");
    const cold = await mineOnce(app.path, cacheDir, "cold");
    progress("mining: repogym mine again, warm dependency cache");
    const warm = await mineOnce(app.path, cacheDir, "warm");

    const n = app.fixes.length;
    // The figures only mean something if both sides saw what the fixes are built to show.
    for (const [label, run] of [
      ["cold", cold],
      ["warm", warm],
    ] as const) {
      if (run.scenarios !== n)
        progress(`WARNING: repogym ${label} mine wrote ${run.scenarios} of ${n} scenarios`);
    }
    if (naive.unexpected.length > 0) {
      progress(`WARNING: naive npm test did not fail before / pass after for ${naive.unexpected.join(", ")}`);
    }
    const perCandidate = warm.candidates.map((c) => ({
      overheadMs: c.durationMs - testTimeOf(c.timings),
      testMs: testTimeOf(c.timings),
      extractMs: c.timings?.extractMs ?? 0,
      installLinkMs: c.timings?.installMs ?? 0,
    }));
    const overhead = median(perCandidate.map((c) => c.overheadMs));
    const testTime = median(perCandidate.map((c) => c.testMs));
    const coldInstallMs = Math.max(0, ...cold.candidates.map((c) => c.timings?.installMs ?? 0));

    return [
      makeFigure({
        id: "b",
        title: `(b) per-candidate overhead, ${warm.candidates.length} candidates`,
        measured:
          "median per candidate of (candidate time − time inside the test runner): diffs, 2 state " +
          "extractions + patches, dependency link, report parsing, scenario write; warm cache",
        baselineDefinition: `median per candidate of the test runs themselves (${RUNS} before + ${RUNS} after, changed test files only)`,
        valueMs: overhead,
        baselineMs: testTime,
        ratioOf: "value/baseline",
        target: { comparison: "at-most", ratio: 0.5, source: "bench" },
        details: {
          perCandidate: perCandidate.map((c) => ({
            overheadMs: Math.round(c.overheadMs),
            testMs: Math.round(c.testMs),
            extractMs: Math.round(c.extractMs),
            installLinkMs: Math.round(c.installLinkMs),
          })),
          medianExtractMs: Math.round(median(perCandidate.map((c) => c.extractMs))),
          warmMineWallMs: Math.round(warm.wallMs),
          scenarios: warm.scenarios,
        },
      }),
      makeFigure({
        id: "c",
        title: `(c) validate ${n} candidates, ${app.testFiles}-file suite`,
        measured: `\`repogym mine\` wall time, jobs 1, ${RUNS} runs per state, empty dependency cache (one install counted)`,
        baselineDefinition:
          `naive loop per candidate: git clone, checkout parent + the commit's test files, npm install, ` +
          `npm test ×${RUNS}, checkout the commit, npm test ×${RUNS}`,
        valueMs: cold.wallMs,
        baselineMs: naive.wallMs,
        ratioOf: "baseline/value",
        target: { comparison: "at-least", ratio: 5, source: "issue" },
        details: {
          candidates: n,
          scenarios: cold.scenarios,
          repogymInstallMs: Math.round(coldInstallMs),
          naive: {
            cloneAndCheckoutMs: Math.round(naive.cloneMs),
            installMs: Math.round(naive.installMs),
            testMs: Math.round(naive.testMs),
            unexpectedOutcomes: naive.unexpected,
          },
        },
      }),
    ];
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}
