/**
 * node-tap (the `tap` package, v18+). `tap run --reporter=tap` writes the raw TAP of the whole
 * run to the report file: every test file is a top-level subtest named by its path, holding its
 * `t.test` subtests as nested blocks. Coverage is switched off: tap otherwise fails any run that
 * does not reach full coverage, which says nothing about the tests themselves.
 *
 * A test is a subtest (`t.test`); assertions only decide its outcome. Assertions made outside any
 * subtest count towards one result named after the file, which is also the result a file gets
 * when its process fails to load or crashes (its error then goes to stderr, not into the TAP).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { TestRunError } from "../../core/errors.js";
import {
  detectPackage,
  errorFromStderr,
  failedResult,
  projectRelative,
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
    return {
      command: join(options.binDir, "tap"),
      args: [
        "run",
        "--reporter=tap",
        `--reporter-file=${options.reportPath}`,
        "--disable-coverage",
        "--allow-empty-coverage",
        "--allow-incomplete-coverage",
        "--no-color",
        "--",
        ...options.files,
      ],
      env: { NO_COLOR: "1" },
    };
  },

  parseReport(input: ParseReportInput): TestResult[] {
    const doc = readDocument(input);
    const results: TestResult[] = [];
    for (const point of doc.points) {
      results.push(...fileResults(point, projectRelative(input.root, point.description), input));
    }
    if (doc.unfinished) {
      // Only reachable after a bail out: the file that bailed never closed.
      const file = projectRelative(input.root, doc.unfinished.name ?? "");
      results.push(...blockResults(doc.unfinished, [file], doc.bailedOut));
    }
    return uniqueIds(results);
  },
};

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
