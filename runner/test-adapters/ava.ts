/**
 * AVA, through its `--tap` reporter (its only machine-readable one). The stream is flat: one
 * point per test, no file field. AVA prefixes each title with a label derived from the file's
 * path (`dir › name › title`) whenever more than one file runs, so the file is recovered by
 * computing those labels the way AVA does. Crashes (a file that fails to load, an uncaught
 * exception) arrive as unlabelled `not ok` points followed by `<file> exited with a non-zero
 * exit code`; that line names the file, the crash before it says why.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { TestRunError } from "../../core/errors.js";
import {
  detectPackage,
  escapeGlob,
  failedResult,
  positionalFile,
  projectRelative,
  requestedFiles,
  stripAnsi,
  summarizeFailure,
  testId,
  uniqueIds,
} from "./common.js";
import { parseTap, type TapPoint } from "./tap-parser.js";
import type { BuildCommandOptions, ParseReportInput, TestAdapter, TestCommand, TestResult } from "./types.js";

/** AVA's title separator (figures.pointerSmall between spaces). */
const SEPARATOR = " › ";
/** Extensions AVA may be configured to run; it strips the configured one from the label. */
const EXTENSIONS = /.(js|cjs|mjs|jsx|ts|cts|mts|tsx)$/;
const EXITED = /^(.+) exited (?:with a non-zero exit code: (\d+)|due to (\w+))$/;
const MISSING_IMPORT = /^No tests found in (.+), make sure to import "ava" at the top of your test file$/;
const NO_TESTS = /^No tests found in (.+)$/;
/** A crash's title is the first line of its stack: `Name: message` or a source location. */
const CRASH_TITLE = /^(?:[A-Z]\w*(?:Error|Exception)\b|Error\b|file:\/\/|\/.*:\d+$)/;

export const avaAdapter: TestAdapter = {
  name: "ava",

  detect(project) {
    return detectPackage(project, "ava");
  },

  buildCommand(options: BuildCommandOptions): TestCommand {
    return {
      command: join(options.binDir, "ava"),
      args: [
        "--tap",
        "--no-color",
        // A config's `failFast` would stop at the first failure and leave the later tests unreported.
        "--no-fail-fast",
        // AVA takes no `--` (it drops what follows and runs every test file), and reads each
        // argument as a glob: each file goes as a glob that matches only it.
        ...options.files.map((file) => positionalFile(escapeGlob(file))),
      ],
      env: { NO_COLOR: "1" },
    };
  },

  parseReport(input: ParseReportInput): TestResult[] {
    const doc = parseTap(input.stdout);
    if (doc.plan === undefined && doc.bailedOut === undefined) {
      const hint = summarizeFailure(input.stderr);
      throw new TestRunError(
        `ava's TAP output has no plan: the run did not finish (exit code ${input.exitCode})${hint ? `: ${hint}` : ""}`,
        input.stderr,
      );
    }
    return uniqueIds(collectResults(doc.points, input));
  },
};

interface Crash {
  point: TapPoint;
  claimed: boolean;
}

function collectResults(points: TapPoint[], input: ParseReportInput): TestResult[] {
  const labels = fileLabels(input.root, input.files);
  const wanted = requestedFiles(input.files);
  const results: TestResult[] = [];
  const crashes: Crash[] = [];
  for (const point of points) {
    const title = point.description;
    const exited = EXITED.exec(title);
    const missingImport = MISSING_IMPORT.exec(title);
    if (exited || missingImport) {
      const file = projectRelative(input.root, (exited ?? missingImport)![1]!);
      // Claimed even for a file that was not asked for, so its crash explains no other file.
      const crash = exited ? claimCrash(crashes, file, input.root) : undefined;
      if (wanted.has(file)) results.push(failedResult(file, crash ? crashMessage(crash) : title));
      continue;
    }
    if (NO_TESTS.test(title)) continue;
    if (labels.size === 0) {
      // One file ran, so AVA printed bare titles; only the crash lines are not its tests.
      if (isCrash(point)) crashes.push({ point, claimed: false });
      else results.push(resultOf(point, testId([onlyFile(input), title])));
      continue;
    }
    const owner = ownerOf(title, labels);
    if (owner) {
      results.push(resultOf(point, testId([owner.file, owner.title])));
    } else if (!point.ok) {
      crashes.push({ point, claimed: false });
    } else {
      // Dropping it would lose a real result without a trace.
      throw new TestRunError(`cannot tell which file ava's test "${title}" belongs to`, input.stdout);
    }
  }
  return results;
}

/** The one file AVA ran (it skips paths that do not exist). */
function onlyFile(input: ParseReportInput): string {
  const files = input.files.map((file) => projectRelative(input.root, file));
  return files.find((file) => existsSync(join(input.root, file))) ?? files[0] ?? "";
}

function resultOf(point: TapPoint, id: string): TestResult {
  if (point.directive) return { id, outcome: "skipped" };
  if (point.ok) return { id, outcome: "passed" };
  return failedResult(id, failureMessage(point));
}

/**
 * AVA's own label for each file, as `prefixTitle` builds it: the path below the files' common
 * folder, `__tests__` folders dropped, `.test.`/`.spec.`/`test-` and the extension removed.
 * Empty when a single file runs: AVA then prints bare titles.
 */
function fileLabels(root: string, files: string[]): Map<string, string> {
  // AVA silently skips paths that do not exist, and labels relative to the files it did run.
  const present = files
    .map((file) => projectRelative(root, file))
    .filter((file) => existsSync(join(root, file)));
  const labels = new Map<string, string>();
  if (present.length < 2) return labels;
  const base = commonFolder(present);
  for (const file of present) {
    const parts = file
      .slice(base.length)
      .split("/")
      .filter((part) => part !== "__tests__");
    const name = parts
      .pop()!
      .replace(/\.spec\./, ".")
      .replace(/\.test\./, ".")
      .replace(/test-/, "")
      .replace(EXTENSIONS, "");
    labels.set([...parts, name].join(SEPARATOR), file);
  }
  return labels;
}

function commonFolder(files: string[]): string {
  const split = files.map((file) => file.split("/"));
  const first = split[0]!;
  let shared = first.length - 1;
  for (const parts of split) {
    let index = 0;
    while (index < shared && parts[index] === first[index]) index++;
    shared = index;
  }
  return shared === 0 ? "" : `${first.slice(0, shared).join("/")}/`;
}

/** The file whose label starts the title; the longest label wins when labels nest. */
function ownerOf(title: string, labels: Map<string, string>): { file: string; title: string } | undefined {
  let best: { file: string; title: string; length: number } | undefined;
  for (const [label, file] of labels) {
    const prefix = label + SEPARATOR;
    if (title.startsWith(prefix) && (!best || prefix.length > best.length)) {
      best = { file, title: title.slice(prefix.length), length: prefix.length };
    }
  }
  return best && { file: best.file, title: best.title };
}

function isCrash(point: TapPoint): boolean {
  if (point.ok || point.directive) return false;
  const diagnostics = point.diagnostics;
  const name = typeof diagnostics === "object" ? diagnostics.name : undefined;
  // AVA reports every failure inside a test as an AssertionError, thrown errors included.
  return name !== "AssertionError" && CRASH_TITLE.test(point.description);
}

/**
 * The crash that explains why `file` exited: one that names the file, else the latest one not
 * yet explained (a worker's crash is reported before its exit).
 */
function claimCrash(crashes: Crash[], file: string, root: string): Crash | undefined {
  const absolute = join(root, file);
  const needles = [pathToFileURL(absolute).href, absolute];
  const open = crashes.filter((crash) => !crash.claimed);
  const named = open.find((crash) => needles.some((needle) => crashText(crash.point).includes(needle)));
  const crash = named ?? open[open.length - 1];
  if (crash) crash.claimed = true;
  return crash;
}

function crashText(point: TapPoint): string {
  const diagnostics = point.diagnostics;
  const extra = typeof diagnostics === "string" ? diagnostics : JSON.stringify(diagnostics ?? {});
  return `${point.description}\n${extra}`;
}

function crashMessage(crash: Crash): string {
  const diagnostics = crash.point.diagnostics;
  if (typeof diagnostics === "object" && typeof diagnostics.message === "string") {
    const name = typeof diagnostics.name === "string" ? `${diagnostics.name}: ` : "";
    return `${name}${diagnostics.message}`;
  }
  return crash.point.description;
}

/** AVA's YAML: `message`, then labelled `details` (the diff, the thrown error), else the assertion. */
function failureMessage(point: TapPoint): string {
  const diagnostics = point.diagnostics;
  if (diagnostics === undefined) return point.description;
  if (typeof diagnostics === "string") return diagnostics;
  const lines: string[] = [];
  if (typeof diagnostics.message === "string" && diagnostics.message !== "") lines.push(diagnostics.message);
  else if (typeof diagnostics.assertion === "string") lines.push(diagnostics.assertion);
  const details = diagnostics.details;
  if (details !== null && typeof details === "object") {
    for (const [label, value] of Object.entries(details)) {
      const heading = stripAnsi(label);
      // "Error thrown in test:" repeats the message right above it.
      if (heading.replace(/:$/, "") !== lines[0]) lines.push(heading);
      lines.push(String(value));
    }
  }
  return lines.length > 0 ? lines.join("\n") : point.description;
}
