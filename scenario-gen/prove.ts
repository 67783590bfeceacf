import { realpath, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Config } from "../core/config.js";
import { describeError } from "../core/errors.js";
import { readJsonObject } from "../core/json.js";
import type { PackageManager } from "../core/scenario.js";
import type { DependencyCache } from "../runner/dependency-cache.js";
import { engineNote } from "../runner/node-engine.js";
import { runProcess } from "../runner/process.js";
import { runTests, testEnvironment } from "../runner/run-tests.js";
import { extractTree } from "../runner/state-tree.js";
import { detectAdapter, getAdapter, withCommandOverride } from "../runner/test-adapters/index.js";
import type { FrameworkName, ProjectInfo, TestAdapter, TestResult } from "../runner/test-adapters/types.js";
import type { SkipReason } from "./candidates.js";
import { compareRuns, type RunComparison } from "./compare-runs.js";

export interface ProofInput {
  repo: string;
  baseCommit: string;
  /** Test-side changes: applied to both states. */
  testPatch: string;
  /** The gold fix: applied to the after state only. */
  patch: string;
  testFiles: string[];
  /** Framework to use; detected from the after state's package.json when absent. */
  framework?: FrameworkName;
  config: Config;
  cache: DependencyCache;
  runs: number;
  /** Scratch folder for this proof; removed afterwards. */
  workDir: string;
  /**
   * Stop after the first pair of runs when no test could be fail-to-pass: most candidates
   * that fail, fail there, and the remaining runs would only confirm it.
   */
  earlyExit: boolean;
}

export interface ProofTimings {
  extractMs: number;
  installMs: number;
  setupMs: number;
  beforeMs: number;
  afterMs: number;
}

export type ProofResult =
  | {
      ok: true;
      framework: FrameworkName;
      packageManager: PackageManager;
      installCommand: string;
      dependencyKey: string;
      /** The setup commands that ran in each state. */
      setup: string[];
      comparison: RunComparison;
      before: TestResult[][];
      after: TestResult[][];
      runs: number;
      timings: ProofTimings;
    }
  | { ok: false; reason: SkipReason; detail: string; output?: string; timings: ProofTimings };

type StateName = "before" | "after";

/**
 * Builds the two states of a change from the base commit and its patches, installs
 * dependencies from the shared cache, runs the setup commands and then the test files
 * repeatedly in each state, and compares outcomes test by test.
 */
export async function proveChange(input: ProofInput): Promise<ProofResult> {
  const timings: ProofTimings = { extractMs: 0, installMs: 0, setupMs: 0, beforeMs: 0, afterMs: 0 };
  let packageJson: ProjectInfo["packageJson"];
  // A failure on a Node version the project does not support says so.
  const fail = (reason: SkipReason, detail: string, output?: string): ProofResult => {
    const explained = reason === "patch-failed" ? detail : `${detail}${engineNote(packageJson)}`;
    return output === undefined
      ? { ok: false, reason, detail: explained, timings }
      : { ok: false, reason, detail: explained, output, timings };
  };
  const dirs: Record<StateName, string> = {
    before: join(input.workDir, "before"),
    after: join(input.workDir, "after"),
  };
  try {
    let started = performance.now();
    try {
      for (const state of ["before", "after"] as const) {
        const patches = [{ patch: input.testPatch, label: "the test patch" }];
        if (state === "after") patches.push({ patch: input.patch, label: "the gold patch" });
        await extractTree(input.repo, input.baseCommit, dirs[state], patches);
      }
    } catch (error) {
      return fail("patch-failed", describeError(error));
    }
    timings.extractMs = performance.now() - started;
    packageJson = await readPackageJson(dirs.after);

    started = performance.now();
    let install: Awaited<ReturnType<DependencyCache["prepare"]>> | undefined;
    for (const state of ["before", "after"] as const) {
      const { install: installCommand, package_manager: packageManager } = input.config.environment;
      install = await input.cache.prepare(dirs[state], {
        ...(installCommand ? { installCommand } : {}),
        ...(packageManager ? { packageManager } : {}),
      });
      if (!install.ok) return fail("install-failed", install.reason, install.output);
    }
    timings.installMs = performance.now() - started;
    if (!install?.ok) return fail("install-failed", "no install result");

    const adapter = resolveAdapter(dirs.after, packageJson, input);
    if (!adapter)
      return fail("no-framework", "no supported test framework in package.json; set environment.framework");

    started = performance.now();
    // Each state runs its own prepare script (a fix may add one); the before state's list is
    // what a workspace, which starts from that state, runs too.
    const setups: Record<StateName, string[]> = {
      before: input.config.environment.setup ?? defaultSetup(await readPackageJson(dirs.before)),
      after: input.config.environment.setup ?? defaultSetup(packageJson),
    };
    const setup = setups.before;
    for (const state of ["before", "after"] as const) {
      for (const command of setups[state]) {
        const result = await runProcess("/bin/sh", ["-c", command], {
          cwd: dirs[state],
          env: {
            ...testEnvironment(),
            PATH: `${join(dirs[state], "node_modules", ".bin")}:${process.env.PATH ?? ""}`,
          },
          timeoutMs: input.config.timeouts.setup_ms,
          maxOutputBytes: 256 * 1024,
        });
        if (result.timedOut || result.exitCode !== 0) {
          const why = result.timedOut ? "timed out" : `exited with code ${result.exitCode}`;
          return fail("setup-failed", `\`${command}\` ${why} in the ${state} state`, result.output);
        }
      }
    }
    timings.setupMs = performance.now() - started;

    // Failure messages name files by their scratch paths; problem statements need them relative.
    const roots: Record<StateName, string[]> = {
      before: [dirs.before, await realpath(dirs.before)],
      after: [dirs.after, await realpath(dirs.after)],
    };
    const runs: Record<StateName, TestResult[][]> = { before: [], after: [] };
    for (let i = 0; i < input.runs; i++) {
      for (const state of ["before", "after"] as const) {
        const result = await runTests({
          adapter,
          root: dirs[state],
          files: input.testFiles,
          timeoutMs: input.config.timeouts.test_ms,
          maxOutputBytes: 1024 * 1024,
        });
        timings[state === "before" ? "beforeMs" : "afterMs"] += result.durationMs;
        if (!result.ok) {
          return fail("test-infra-error", `${result.reason} (${state} state, run ${i + 1})`, result.output);
        }
        runs[state].push(
          result.results.map((r) => (r.message ? { ...r, message: unroot(r.message, roots[state]) } : r)),
        );
      }
      if (
        i === 0 &&
        input.earlyExit &&
        compareRuns(runs.before, runs.after, input.testFiles).failToPass.length === 0
      ) {
        break;
      }
    }
    return {
      ok: true,
      framework: adapter.name,
      packageManager: install.packageManager,
      installCommand: install.command,
      dependencyKey: install.key,
      setup,
      comparison: compareRuns(runs.before, runs.after, input.testFiles),
      before: runs.before,
      after: runs.after,
      runs: runs.before.length,
      timings,
    };
  } finally {
    await rm(input.workDir, { recursive: true, force: true });
  }
}

/** Rewrites absolute paths under a state's root as paths relative to it. */
export function unroot(message: string, roots: string[]): string {
  let out = message;
  for (const root of roots) out = out.replaceAll(`${root}/`, "").replaceAll(root, ".");
  return out;
}

async function readPackageJson(root: string): Promise<ProjectInfo["packageJson"]> {
  return (await readJsonObject(join(root, "package.json"))) as ProjectInfo["packageJson"];
}

/**
 * `npm install` in a fresh clone runs the project's `prepare` script (often the build its
 * tests import from); the dependency cache leaves root scripts out, so each state runs it here.
 */
export function defaultSetup(packageJson: ProjectInfo["packageJson"]): string[] {
  return packageJson?.scripts?.prepare ? ["npm run prepare"] : [];
}

function resolveAdapter(
  root: string,
  packageJson: ProjectInfo["packageJson"],
  input: ProofInput,
): TestAdapter | undefined {
  const name = input.framework ?? input.config.environment.framework;
  let adapter = name ? getAdapter(name) : detectAdapter(packageJson ? { root, packageJson } : { root });
  if (adapter && input.config.environment.test_command) {
    adapter = withCommandOverride(adapter, input.config.environment.test_command);
  }
  return adapter;
}
