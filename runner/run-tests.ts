import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeError, TestRunError } from "../core/errors.js";
import { runProcess } from "./process.js";
import { filesWithoutResults } from "./test-adapters/common.js";
import type { TestAdapter, TestResult } from "./test-adapters/types.js";

export interface RunTestsOptions {
  adapter: TestAdapter;
  /** Project root (cwd of the runner). */
  root: string;
  /** Test files relative to root. */
  files: string[];
  /** Directory with the project's executables (node_modules/.bin). Defaults to root/node_modules/.bin. */
  binDir?: string;
  timeoutMs?: number;
  /** Base environment for the runner. Defaults to a minimal one derived from this process. */
  env?: NodeJS.ProcessEnv;
  maxOutputBytes?: number;
  /**
   * Transforms the runner's command line before it is spawned, e.g. to run it in a sandbox
   * (runner/sandbox.ts). `writable` lists the folders the runner must be able to write besides
   * root (its report folder). Without it the command runs as the adapter built it.
   */
  wrap?: (spawn: SpawnSpec) => { command: string; args: string[]; env?: NodeJS.ProcessEnv };
}

/** A test runner's command line as it is about to be spawned (see RunTestsOptions.wrap). */
export interface SpawnSpec {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  writable: string[];
}

export type RunTestsResult =
  | { ok: true; results: TestResult[]; durationMs: number; exitCode: number | null; output: string }
  | { ok: false; reason: string; durationMs: number; exitCode: number | null; output: string };

/** The environment a test runner gets: enough to run node tooling, none of the caller's secrets. */
export function testEnvironment(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const keep = ["PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "TZ", "SystemRoot", "USER"];
  const env: NodeJS.ProcessEnv = {};
  for (const key of keep) if (base[key] !== undefined) env[key] = base[key];
  env.CI = "true";
  env.NO_COLOR = "1";
  env.FORCE_COLOR = "0";
  env.NODE_ENV = "test";
  return env;
}

/**
 * Runs the given test files once and returns per-test outcomes. A runner that crashes, hangs
 * past its timeout, reports nothing, or reports nothing for one of the files is `ok: false` with
 * its output kept — never "all passed", and never a file's tests silently missing.
 */
export async function runTests(options: RunTestsOptions): Promise<RunTestsResult> {
  const reportDir = await mkdtemp(join(tmpdir(), "repogym-report-"));
  const reportPath = join(reportDir, "report");
  const binDir = options.binDir ?? join(options.root, "node_modules", ".bin");
  try {
    const command = options.adapter.buildCommand({
      root: options.root,
      files: options.files,
      reportPath,
      binDir,
    });
    const built = { ...(options.env ?? testEnvironment()), ...command.env };
    const spawn = options.wrap
      ? options.wrap({
          command: command.command,
          args: [...command.args],
          cwd: options.root,
          env: built,
          writable: [reportDir],
        })
      : { command: command.command, args: command.args };
    const env = spawn.env ?? built;
    const processOptions = {
      cwd: options.root,
      env,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.maxOutputBytes === undefined ? {} : { maxOutputBytes: options.maxOutputBytes }),
    };
    let result: Awaited<ReturnType<typeof runProcess>>;
    try {
      result = await runProcess(spawn.command, spawn.args, processOptions);
    } catch (error) {
      return {
        ok: false,
        reason: `could not start ${command.command}: ${describeError(error)}`,
        durationMs: 0,
        exitCode: null,
        output: "",
      };
    }
    const base = { durationMs: result.durationMs, exitCode: result.exitCode, output: result.output };
    if (result.timedOut) {
      return {
        ok: false,
        reason: `${options.adapter.name} timed out after ${options.timeoutMs} ms`,
        ...base,
      };
    }
    let report: string | undefined;
    try {
      report = await readFile(reportPath, "utf8");
    } catch {
      report = undefined;
    }
    try {
      const results = options.adapter.parseReport({
        root: options.root,
        files: options.files,
        report,
        stdout: result.stdout,
        stderr: result.stderr,
        exitCode: result.exitCode,
      });
      if (results.length === 0) {
        return { ok: false, reason: `${options.adapter.name} reported no tests`, ...base };
      }
      // A requested file with no result at all was not run: its tests are unknown, not failed.
      const missing = filesWithoutResults(options.files, results);
      if (missing.length > 0) {
        return {
          ok: false,
          reason: `${options.adapter.name} reported nothing for ${missing.join(", ")}`,
          ...base,
        };
      }
      return { ok: true, results, ...base };
    } catch (error) {
      if (error instanceof TestRunError) return { ok: false, reason: error.message, ...base };
      throw error;
    }
  } finally {
    await rm(reportDir, { recursive: true, force: true });
  }
}
