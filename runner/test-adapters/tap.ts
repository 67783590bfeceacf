/**
 * node-tap (the `tap` package). Two generations of command line, chosen by the installed
 * version:
 *
 * - tap 18+: `tap run --reporter=tap --reporter-file=<report>`.
 * - tap 12-16: `tap --reporter=tap --output-file=<report>` (the raw TAP of the whole run; these
 *   have no `run` subcommand and no `--reporter-file`).
 *
 * Either way every test file is a top-level subtest named by its path, holding its `t.test`
 * subtests as nested blocks (tap 12-14 print a file that ran in parallel as a `{ ... }` buffered
 * block, which the parser reads too). Coverage is switched off and its checks with it: tap
 * otherwise fails any run that does not reach full coverage, which says nothing about the tests
 * themselves. tap 12-16 also get `--timeout=0`: the run's own timeout is the one that counts,
 * not tap's per-file default of 30 s, which a loaded machine can hit.
 *
 * A test is a subtest (`t.test`); assertions only decide its outcome. Assertions made outside any
 * subtest count towards one result named after the file, which is also the result a file gets
 * when its process fails to load or crashes (its error then goes to stderr, not into the TAP).
 * Bail is always off (`--no-bail`, whatever `.taprc` says), and only the requested files count.
 */
import { readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { TestRunError } from "../../core/errors.js";
import { parseJsonObject } from "../../core/json.js";
import {
  detectPackage,
  errorFromStderr,
  escapeGlob,
  failedResult,
  projectRelative,
  requestedFiles,
  requireReport,
  testId,
  uniqueIds,
} from "./common.js";
import {
  assertionsOf,
  firstFailure,
  parseTap,
  type TapBlock,
  type TapDocument,
  type TapPoint,
} from "./tap-parser.js";
import type { BuildCommandOptions, ParseReportInput, TestAdapter, TestCommand, TestResult } from "./types.js";

export const tapAdapter: TestAdapter = {
  name: "tap",

  detect(project) {
    return detectPackage(project, "tap");
  },

  buildCommand(options: BuildCommandOptions): TestCommand {
    const major = installedTapMajor(options.root, options.binDir);
    const legacy = major !== undefined && major < 18;
    const args = legacy
      ? legacyArgs(major, options.reportPath)
      : [
          "run",
          "--reporter=tap",
          `--reporter-file=${options.reportPath}`,
          "--disable-coverage",
          "--allow-empty-coverage",
          "--allow-incomplete-coverage",
          "--no-color",
          "--no-bail",
        ];
    return {
      command: join(options.binDir, "tap"),
      // tap 12-16 read every argument as a glob (`[ab].js` would run `a.js` and `b.js`); tap 18+
      // takes a path that exists as it is (and its globs escape `@` differently).
      args: [...args, "--", ...(legacy ? options.files.map(escapeGlob) : options.files)],
      env: { NO_COLOR: "1", TAP_COLORS: "0" },
    };
  },

  parseReport(input: ParseReportInput): TestResult[] {
    const doc = readDocument(input);
    const wanted = requestedFiles(input.files);
    const results: TestResult[] = [];
    for (const point of doc.points) {
      const file = projectRelative(input.root, point.description);
      if (wanted.has(file)) results.push(...fileResults(point, file, input));
    }
    if (doc.unfinished) {
      // Only reachable after a bail out: the file that bailed never closed.
      const file = projectRelative(input.root, doc.unfinished.name ?? "");
      if (wanted.has(file)) results.push(...blockResults(doc.unfinished, [file], doc.bailedOut));
    }
    return uniqueIds(results);
  },
};

/**
 * tap 12-16. Explicit flags override the project's `.taprc` and package.json `tap` settings
 * (`check-coverage`, `100`, `coverage-map`, `timeout`, `reporter`, `output-file`); its other
 * settings (`node-arg`, `test-env`, `ts`, `jobs`, `before`) still apply. Each tap refuses flags
 * it does not know, so each gets only the ones it has: tap 12 parses its arguments by hand and
 * has no `--no-check-coverage` (it never checks coverage unless told to); `--no-coverage-map`
 * came during tap 14 (without it, tap loads the project's coverage map and leaves it unused).
 */
function legacyArgs(major: number, reportPath: string): string[] {
  const args = [
    "--reporter=tap",
    `--output-file=${reportPath}`,
    "--no-coverage",
    "--timeout=0",
    "--no-color",
  ];
  if (major >= 13) args.push("--no-check-coverage");
  if (major >= 15) args.push("--no-coverage-map");
  // A config's `bail` would stop at the first failure and leave the later tests unreported.
  args.push("--no-bail");
  return args;
}

/**
 * The major version of the tap the command runs: the package that `binDir/tap` links into, else
 * the one Node would resolve from the project root. Undefined when neither can be read; the
 * command is then the current generation's.
 */
export function installedTapMajor(root: string, binDir: string): number | undefined {
  const version = packageVersionAbove(join(binDir, "tap")) ?? resolvedVersion(root);
  const major = version === undefined ? undefined : /^(\d+)\./.exec(version)?.[1];
  return major === undefined ? undefined : Number(major);
}

/** The version of the `tap` package holding `file` (through symlinks), if it is in one. */
function packageVersionAbove(file: string): string | undefined {
  let dir: string;
  try {
    dir = dirname(realpathSync(file));
  } catch {
    return undefined;
  }
  for (;;) {
    // Build folders may hold a package.json of their own without a name (`{"type": "module"}`).
    const pkg = readPackage(join(dir, "package.json"));
    if (typeof pkg?.name === "string") return pkg.name === "tap" ? pkg.version : undefined;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** `node_modules/tap/package.json` in root or the nearest folder above it that has one. */
function resolvedVersion(root: string): string | undefined {
  for (let dir = root; ; dir = dirname(dir)) {
    const pkg = readPackage(join(dir, "node_modules", "tap", "package.json"));
    if (pkg?.name === "tap") return pkg.version;
    if (dirname(dir) === dir) return undefined;
  }
}

function readPackage(path: string): { name?: unknown; version?: string } | undefined {
  let pkg: Record<string, unknown> | undefined;
  try {
    pkg = parseJsonObject(readFileSync(path, "utf8"));
  } catch {
    return undefined;
  }
  if (!pkg) return undefined;
  return { name: pkg.name, ...(typeof pkg.version === "string" ? { version: pkg.version } : {}) };
}

function readDocument(input: ParseReportInput): TapDocument {
  const doc = parseTap(requireReport("tap", input));
  if (doc.bailedOut !== undefined) return doc;
  // tap prints the plan first, so a run cut short shows as fewer files than planned.
  const planned = doc.plan ? doc.plan.end - doc.plan.start + 1 : undefined;
  if (planned === undefined || doc.points.length < planned || doc.unfinished) {
    throw new TestRunError(
      `tap's report is truncated: ${doc.points.length} of ${planned ?? "an unknown number of"} test files reported (exit code ${input.exitCode})`,
    );
  }
  return doc;
}

function fileResults(point: TapPoint, file: string, input: ParseReportInput): TestResult[] {
  const block = point.subtest;
  const results = block ? blockResults(block, [file], undefined) : [];
  const own = block ? assertionsOf(block) : [];
  const ownFailure = own.find(isFailure);
  // The file failed, yet no test in it did: it did not load, or it died outside any test.
  const crashed = !point.ok && !point.directive && !ownFailure && !results.some(isFailedResult);
  if (ownFailure) results.push(failedResult(file, assertionMessage(ownFailure)));
  else if (crashed) results.push(failedResult(file, crashMessage(point, file, input)));
  else if (own.length > 0) results.push({ id: file, outcome: "passed" });
  return results;
}

/** Results for the subtests in `block`, whose own id parts are `path`. */
function blockResults(block: TapBlock, path: string[], bailout: string | undefined): TestResult[] {
  const results: TestResult[] = [];
  for (const point of block.points) {
    const id = [...path, point.description];
    const inner = point.subtest;
    if (inner && hasSubtests(inner)) {
      results.push(...blockResults(inner, id, bailout));
      // Assertions next to subtests make the parent a test too, passing or not, so its id is stable.
      const own = assertionsOf(inner);
      const ownFailure = own.find(isFailure);
      if (ownFailure) results.push(failedResult(testId(id), assertionMessage(ownFailure)));
      else if (own.length > 0) results.push({ id: testId(id), outcome: "passed" });
    } else if (inner || point.directive) {
      results.push(leafResult(point, testId(id)));
    }
  }
  if (block.unfinished) {
    const id = [...path, block.unfinished.name ?? "(unnamed subtest)"];
    const inner = blockResults(block.unfinished, id, bailout);
    results.push(...inner);
    if (!inner.some(isFailedResult)) {
      results.push(
        failedResult(testId(id), bailout === undefined ? "did not finish" : `Bail out! ${bailout}`),
      );
    }
  }
  return results;
}

/** Skipped subtests have no block, so a directive marks a subtest as much as a block does. */
function hasSubtests(block: TapBlock): boolean {
  return block.unfinished !== undefined || block.points.some((point) => point.subtest || point.directive);
}

function leafResult(point: TapPoint, id: string): TestResult {
  if (point.directive) return { id, outcome: "skipped" };
  if (point.ok) return { id, outcome: "passed" };
  const cause = (point.subtest && firstFailure(point.subtest)) ?? point;
  return failedResult(id, assertionMessage(cause));
}

function isFailure(point: TapPoint): boolean {
  return !point.ok && point.directive?.kind !== "todo";
}

function isFailedResult(result: TestResult): boolean {
  return result.outcome === "failed";
}

/** The assertion's description, then what tap found against what it wanted (its diff). */
function assertionMessage(point: TapPoint): string {
  const lines = [point.description];
  const diagnostics = point.diagnostics;
  if (typeof diagnostics === "string") {
    lines.push(diagnostics);
  } else if (diagnostics) {
    if (typeof diagnostics.diff === "string") {
      lines.push(...diagnostics.diff.split("\n").filter((line) => !line.startsWith("@@")));
    } else {
      if ("found" in diagnostics) lines.push(`found: ${show(diagnostics.found)}`);
      if ("wanted" in diagnostics) lines.push(`wanted: ${show(diagnostics.wanted)}`);
    }
  }
  return lines.join("\n");
}

function show(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** tap lets test processes write straight to stderr: find this file's error there. */
function crashMessage(point: TapPoint, file: string, input: ParseReportInput): string {
  const absolute = join(input.root, file);
  const fromStderr = errorFromStderr(input.stderr, [pathToFileURL(absolute).href, absolute]);
  if (fromStderr) return fromStderr;
  const diagnostics = typeof point.diagnostics === "object" ? point.diagnostics : {};
  const how =
    typeof diagnostics.signal === "string"
      ? `was killed by ${diagnostics.signal}`
      : `exited with code ${String(diagnostics.exitCode ?? "unknown")}`;
  const reported = point.subtest?.points.length ? "" : " before reporting any tests";
  return `the test file ${how}${reported}`;
}
