/**
 * tape. Its TAP cannot carry what we need: `# name` comments do not say whether a test is a
 * subtest or a sibling, and all files share one process and one numbering, so neither nesting
 * nor the file survives. A thrown error also kills tape's process, taking every later file with
 * it. So the command is a small wrapper run by this Node: it runs each file in its own child
 * process, and the child loads the project's own tape (resolved from the test file, the same
 * module the file imports) and records tape's documented object stream
 * (`createStream({ objectMode: true })`, which gives every test's id and parent) as JSON lines in
 * the report, bracketed by the wrapper's per-file start/end lines and a final `done`.
 */
import { TestRunError } from "../../core/errors.js";
import {
  detectPackage,
  failedResult,
  projectRelative,
  readJsonLines,
  requestedFiles,
  testId,
  titlePath,
  uniqueIds,
} from "./common.js";
import type { BuildCommandOptions, ParseReportInput, TestAdapter, TestCommand, TestResult } from "./types.js";

/**
 * Runs in the child (CommonJS, `node -e`), argv: file, reportPath. The stream must exist before
 * any test is defined (tape only watches tests pushed after it), and tape must not start running
 * before an ES module file has finished loading — so the file is imported inside a first,
 * invisible test that tape waits for.
 */
const CHILD_SOURCE = `"use strict";
const fs = require("node:fs");
const { createRequire } = require("node:module");
const { resolve } = require("node:path");
const { pathToFileURL } = require("node:url");
const { inspect } = require("node:util");
const [file, reportPath] = process.argv.slice(1);
const absolute = resolve(file);
const fd = fs.openSync(reportPath, "a");
const emit = (row) => fs.writeSync(fd, JSON.stringify(row) + "\\n");
const describe = (error) => error instanceof Error ? error.name + ": " + error.message : String(error);
let tape;
try {
  tape = createRequire(absolute)("tape");
} catch (error) {
  emit({ type: "fatal", message: "cannot load tape for " + file + ": " + describe(error) });
  process.exit(2);
}
const show = (value) => inspect(value, { depth: 4, breakLength: Infinity, maxArrayLength: 20, maxStringLength: 400 });
function failureMessage(row) {
  const lines = [String(row.name ?? "assertion failed")];
  if (row.operator !== "error" && row.operator !== "fail") {
    if ("expected" in row) lines.push("expected: " + show(row.expected));
    if ("actual" in row) lines.push("actual:   " + show(row.actual));
  }
  return lines.join("\\n");
}
process.on("uncaughtExceptionMonitor", (error) => emit({ type: "crash", message: describe(error) }));
const LOADER = "repogym: load " + file;
let loaderId;
tape.createStream({ objectMode: true }).on("data", (row) => {
  if (row.type === "test") {
    if (loaderId === undefined && row.name === LOADER) loaderId = row.id;
    else emit({ type: "test", id: row.id, name: String(row.name), parent: row.parent, skip: Boolean(row.skip), todo: Boolean(row.todo) });
  } else if (row.type === "assert" && row.test !== loaderId) {
    emit({ type: "assert", test: row.test, ok: Boolean(row.ok), skip: Boolean(row.skip), todo: Boolean(row.todo), message: row.ok ? undefined : failureMessage(row) });
  } else if (row.type === "end" && row.test !== loaderId) {
    emit({ type: "end", test: row.test });
  }
});
tape(LOADER, async () => {
  try {
    await import(pathToFileURL(absolute).href);
  } catch (error) {
    emit({ type: "load-error", message: describe(error) });
    process.exitCode = 1;
  }
});
`;

/** Runs in the parent (CommonJS, `node -e`), argv: reportPath, ...files. One file at a time, like tape. */
const WRAPPER_SOURCE = `"use strict";
const fs = require("node:fs");
const { spawnSync } = require("node:child_process");
const [reportPath, ...files] = process.argv.slice(1);
const fd = fs.openSync(reportPath, "a");
const emit = (row) => fs.writeSync(fd, JSON.stringify(row) + "\\n");
for (const file of files) {
  emit({ type: "file-start", file });
  const run = spawnSync(process.execPath, ["-e", ${JSON.stringify(CHILD_SOURCE)}, "--", file, reportPath], { stdio: "inherit" });
  emit({ type: "file-end", file, code: run.status, signal: run.signal, error: run.error ? run.error.message : undefined });
}
emit({ type: "done" });
`;

export const tapeAdapter: TestAdapter = {
  name: "tape",

  detect(project) {
    return detectPackage(project, "tape");
  },

  buildCommand(options: BuildCommandOptions): TestCommand {
    // tape's own bin cannot report per file; the wrapper loads tape from the project instead.
    return {
      command: process.execPath,
      args: ["-e", WRAPPER_SOURCE, "--", options.reportPath, ...options.files],
      env: { NO_COLOR: "1" },
    };
  },

  parseReport(input: ParseReportInput): TestResult[] {
    const wanted = requestedFiles(input.files);
    const results: TestResult[] = [];
    for (const run of readRuns(input)) {
      const file = projectRelative(input.root, run.file);
      // Only the requested files count, even if a configured command ran more.
      if (wanted.has(file)) results.push(...fileResults(file, run));
    }
    return uniqueIds(results);
  },
};

type ReportRow =
  | { type: "file-start"; file: string }
  | { type: "file-end"; file: string; code: number | null; signal: string | null; error?: string }
  | { type: "done" }
  | { type: "fatal"; message: string }
  | { type: "test"; id: number; name: string; parent?: number; skip: boolean; todo: boolean }
  | { type: "assert"; test: number; ok: boolean; skip: boolean; todo: boolean; message?: string }
  | { type: "end"; test: number }
  | { type: "crash"; message: string }
  | { type: "load-error"; message: string };

interface TapeTest {
  name: string;
  parent?: TapeTest;
  skip: boolean;
  todo: boolean;
  hasChildren: boolean;
  ownAssertions: number;
  failures: string[];
  ended: boolean;
}

interface FileRun {
  file: string;
  tests: Map<number, TapeTest>;
  loadError?: string;
  crash?: string;
  code: number | null;
  signal: string | null;
  error?: string;
}

function readRuns(input: ParseReportInput): FileRun[] {
  const rows = readJsonLines<ReportRow>("tape", input, "done");
  const runs: FileRun[] = [];
  let current: FileRun | undefined;
  for (const row of rows) {
    if (row.type === "fatal") throw new TestRunError(row.message, input.stderr);
    if (row.type === "file-start") {
      current = { file: row.file, tests: new Map(), code: null, signal: null };
      runs.push(current);
    } else if (row.type === "file-end") {
      if (current) Object.assign(current, { code: row.code, signal: row.signal, error: row.error });
      current = undefined;
    } else if (current) {
      applyRow(current, row);
    }
  }
  return runs;
}

function applyRow(run: FileRun, row: ReportRow): void {
  switch (row.type) {
    case "test": {
      const parent = row.parent === undefined ? undefined : run.tests.get(row.parent);
      if (parent) parent.hasChildren = true;
      run.tests.set(row.id, {
        name: row.name,
        ...(parent ? { parent } : {}),
        skip: row.skip,
        todo: row.todo,
        hasChildren: false,
        ownAssertions: 0,
        failures: [],
        ended: false,
      });
      break;
    }
    case "assert": {
      const test = run.tests.get(row.test);
      if (!test || row.skip) break;
      test.ownAssertions++;
      if (!row.ok && !row.todo) test.failures.push(row.message ?? "assertion failed");
      break;
    }
    case "end": {
      const test = run.tests.get(row.test);
      if (test) test.ended = true;
      break;
    }
    case "crash":
      run.crash ??= row.message;
      break;
    case "load-error":
      run.loadError = row.message;
      break;
  }
}

function fileResults(file: string, run: FileRun): TestResult[] {
  if (run.loadError !== undefined) return [failedResult(file, run.loadError)];
  const results: TestResult[] = [];
  const stopped = exitDescription(run);
  let explained = false;
  for (const test of run.tests.values()) {
    // A parent shows up only through its children, unless it asserted something itself.
    if (test.hasChildren && test.ownAssertions === 0) continue;
    const id = testId([file, ...titlePath(test)]);
    if (test.skip || test.todo) {
      results.push({ id, outcome: "skipped" });
    } else if (!test.ended) {
      // The process died inside this test (a throw tape does not catch, or a kill).
      results.push(failedResult(id, run.crash ?? `did not finish: ${stopped}`));
      explained = true;
    } else if (test.failures.length > 0) {
      results.push(failedResult(id, test.failures[0]));
      explained = true;
    } else {
      results.push({ id, outcome: "passed" });
    }
  }
  const exitedBadly = run.code !== 0 || run.signal !== null;
  if (exitedBadly && !explained) results.push(failedResult(file, run.crash ?? stopped));
  return results;
}

function exitDescription(run: FileRun): string {
  if (run.error !== undefined) return `could not run the file: ${run.error}`;
  if (run.signal !== null) return `the test process was killed by ${run.signal}`;
  return `the test process exited with code ${run.code}`;
}
