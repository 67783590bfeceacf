/**
 * What the adapter tests share: temporary fixture projects that run a real framework through
 * runTests, readers for a run's results, and the checks every adapter is held to in the same
 * words (a hang is a timeout, a garbled report is refused, detection). Each framework's test
 * file keeps only its own test-file syntax and quirks.
 */
import { join } from "node:path";
import { expect } from "vitest";
import { TestRunError } from "../../../core/errors.js";
import { type RunTestsResult, runTests } from "../../../runner/run-tests.js";
import type {
  BuildCommandOptions,
  ParseReportInput,
  ProjectInfo,
  TestAdapter,
  TestOutcome,
  TestResult,
} from "../../../runner/test-adapters/types.js";
import { type FileTree, linkNodeModules, tempDir, writeTree } from "../../helpers/fixture-repo.js";

// ---------------------------------------------------------------------------------------------
// Fixture projects

export interface RunOptions {
  timeoutMs?: number;
  /** Runs with this adapter instead of the framework's own (a configured command, say). */
  adapter?: TestAdapter;
}

/** A temporary project, removed by `await using`. */
export interface FixtureProject extends AsyncDisposable {
  readonly path: string;
  /** The `node_modules/.bin` its runs are given. */
  readonly binDir: string;
  /** Runs `files` (relative to the project) with runTests. */
  run(files: string[], options?: RunOptions): Promise<RunTestsResult>;
}

export interface ProjectSetup {
  /** Written as package.json before the project's files, which may replace it. */
  packageJson?: Record<string, unknown>;
  /**
   * How the project gets its framework: `"link"` (the default) links repogym's own node_modules,
   * so the real framework runs; `"none"` leaves the project without node_modules; a function
   * installs it in the project root and returns the `.bin` folder runs must use.
   */
  install?: "link" | "none" | ((root: string) => Promise<string>);
}

/** An adapter and how to lay out a project that its framework can run. */
export interface Framework {
  readonly adapter: TestAdapter;
  /** A temporary project holding `files` (and the framework's package.json), ready to run. */
  project(files: FileTree): Promise<FixtureProject>;
}

export function framework(adapter: TestAdapter, setup: ProjectSetup = {}): Framework {
  return { adapter, project: (files) => fixtureProject(adapter, files, setup) };
}

/** A temporary project with `files`, laid out by `setup`, whose runs use `adapter`. */
export async function fixtureProject(
  adapter: TestAdapter,
  files: FileTree,
  setup: ProjectSetup = {},
): Promise<FixtureProject> {
  const dir = await tempDir(`repogym-${adapter.name}-`);
  let binDir = join(dir.path, "node_modules", ".bin");
  try {
    const packageJson = setup.packageJson && { "package.json": JSON.stringify(setup.packageJson) };
    await writeTree(dir.path, { ...packageJson, ...files });
    const install = setup.install ?? "link";
    if (install === "link") await linkNodeModules(dir.path);
    else if (install !== "none") binDir = await install(dir.path);
  } catch (error) {
    await dir[Symbol.asyncDispose]();
    throw error;
  }
  return {
    path: dir.path,
    binDir,
    run: (runFiles, options = {}) =>
      runTests({
        adapter: options.adapter ?? adapter,
        root: dir.path,
        files: runFiles,
        binDir,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      }),
    [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose](),
  };
}

/** Lays out a project with `tree`, runs `files` in it once, and removes it. */
export async function runFixture(
  framework: Framework,
  tree: FileTree,
  files: string[],
  options: RunOptions = {},
): Promise<RunTestsResult> {
  await using project = await framework.project(tree);
  // Awaited here: `await using` removes the project as soon as this function returns.
  return await project.run(files, options);
}

// ---------------------------------------------------------------------------------------------
// Reading a run

type Succeeded = Extract<RunTestsResult, { ok: true }>;
type Failed = Extract<RunTestsResult, { ok: false }>;

/** Fails the test, with the runner's reason and output, unless the run produced results. */
export function expectOk(run: RunTestsResult): asserts run is Succeeded {
  expect(run.ok, run.ok ? "" : `${run.reason}\n${run.output}`).toBe(true);
}

/** The results of a run that must have succeeded, in report order. */
export function resultsOf(run: RunTestsResult): TestResult[] {
  expectOk(run);
  return run.results;
}

/** The ids a successful run reported, in report order. */
export function ids(run: RunTestsResult): string[] {
  return resultsOf(run).map((result) => result.id);
}

/** `[id, outcome]` of each result of a successful run, in report order. */
export function outcomesInOrder(run: RunTestsResult): [string, TestOutcome][] {
  return resultsOf(run).map((result) => [result.id, result.outcome]);
}

/** The results of a successful run by id; an id reported twice fails the test. */
export function byId(run: RunTestsResult): Map<string, TestResult> {
  const results = new Map<string, TestResult>();
  for (const result of resultsOf(run)) {
    expect(results.has(result.id), `${result.id} reported twice`).toBe(false);
    results.set(result.id, result);
  }
  return results;
}

/** Id -> outcome of every result of a successful run (compare with toEqual: the exact set of ids). */
export function outcomes(run: RunTestsResult): Record<string, TestOutcome> {
  return Object.fromEntries([...byId(run)].map(([id, result]) => [id, result.outcome]));
}

/** Asserts that the run failed as a whole (no results), with a reason that matches `reason` when given. */
export function expectInfraError(run: RunTestsResult, reason?: RegExp | string): asserts run is Failed {
  expect(run.ok, run.ok ? `expected a failed run, got ${JSON.stringify(run.results)}` : "").toBe(false);
  if (run.ok) return;
  if (reason !== undefined) expect(run.reason).toMatch(reason);
}

// ---------------------------------------------------------------------------------------------
// Checks every adapter is held to

/** A test file (`test/hang.test.js`, with `source`) that never finishes makes the run time out. */
export async function expectHangTimesOut(framework: Framework, source: string, timeoutMs: number) {
  const run = await runFixture(framework, { "test/hang.test.js": source }, ["test/hang.test.js"], {
    timeoutMs,
  });
  expectInfraError(run, /timed out/);
}

/**
 * A project config that stops at the first failure (`tree` holds it) must not cut the run short:
 * test/a.test.js's two failing tests ("first fails", "second fails") and test/b.test.js's
 * passing one ("passes") are all reported. A bail would leave the later ones out of the report,
 * and the miner would take them for tests that did not pass before the fix.
 */
export async function expectBailOverridden(framework: Framework, tree: FileTree) {
  const run = await runFixture(framework, tree, ["test/a.test.js", "test/b.test.js"]);
  expect(outcomes(run)).toEqual({
    "test/a.test.js > first fails": "failed",
    "test/a.test.js > second fails": "failed",
    "test/b.test.js > passes": "passed",
  });
}

/** The command the adapter builds for test/a.test.js in /project, unless `options` say otherwise. */
export function commandFor(adapter: TestAdapter, options: Partial<BuildCommandOptions> = {}) {
  return adapter.buildCommand({
    root: "/project",
    files: ["test/a.test.js"],
    reportPath: "/tmp/report",
    binDir: "/project/node_modules/.bin",
    ...options,
  });
}

/** What parseReport gets after a run of test/a.test.js in /project that exited 1 and printed nothing. */
export function parseInput(overrides: Partial<ParseReportInput> = {}): ParseReportInput {
  return {
    root: "/project",
    files: ["test/a.test.js"],
    report: undefined,
    stdout: "",
    stderr: "",
    exitCode: 1,
    ...overrides,
  };
}

/** Asserts that the adapter refuses the input with a TestRunError (whose message matches `message`, when given). */
export function expectRefused(adapter: TestAdapter, input: Partial<ParseReportInput>, message?: RegExp) {
  const parse = () => adapter.parseReport(parseInput(input));
  expect(parse, JSON.stringify(input)).toThrow(TestRunError);
  if (message) expect(parse, JSON.stringify(input)).toThrow(message);
}

/** Asserts that the adapter refuses each report (undefined: none was written) with a TestRunError. */
export function expectRefusesReports(adapter: TestAdapter, reports: readonly (string | undefined)[]) {
  for (const report of reports) expectRefused(adapter, { report });
}

/** A package.json to detect from; a string is its test script. */
export type DetectCase = string | NonNullable<ProjectInfo["packageJson"]>;

/**
 * Asserts that the adapter detects its framework in each of `detects`, in none of `ignores`,
 * and never in a project without a package.json.
 */
export function expectDetection(
  adapter: TestAdapter,
  cases: { detects: readonly DetectCase[]; ignores: readonly DetectCase[] },
) {
  const detect = (packageJson: DetectCase) =>
    adapter.detect({
      root: "/project",
      packageJson: typeof packageJson === "string" ? { scripts: { test: packageJson } } : packageJson,
    });
  for (const packageJson of cases.detects)
    expect(detect(packageJson), JSON.stringify(packageJson)).toBe(true);
  for (const packageJson of cases.ignores)
    expect(detect(packageJson), JSON.stringify(packageJson)).toBe(false);
  expect(adapter.detect({ root: "/project" }), "no package.json").toBe(false);
}
