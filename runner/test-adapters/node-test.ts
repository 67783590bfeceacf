/**
 * Node's built-in test runner (`node --test`). Node 20's `junit` reporter exists but drops what
 * we need: it names no file, and a file that fails to load shows only "test failed". So the run
 * uses a small custom reporter (passed inline as a data: URL, nothing written to the project)
 * that turns the runner's event stream into JSON lines: every event carries its file, tests
 * arrive in report order with their nesting, and a child's stderr — where a load error lands —
 * comes through as `test:stderr` events. A final `end` line proves the report is complete.
 */
import { isAbsolute, resolve } from "node:path";
import {
  errorFromStderr,
  failedResult,
  projectRelative,
  readJsonLines,
  requestedFiles,
  summarizeFailure,
  testId,
  titlePath,
  uniqueIds,
} from "./common.js";
import type { BuildCommandOptions, ParseReportInput, TestAdapter, TestCommand, TestResult } from "./types.js";

/** Lines of a file's stderr kept in the report: enough for a load error, bounded for chatty tests. */
const STDERR_LINES_PER_FILE = 200;

const REPORTER_SOURCE = `
const stderrLines = new Map();
const line = (value) => JSON.stringify(value) + "\\n";
function describe(error) {
  if (error === undefined || error === null) return undefined;
  const cause = error.code === "ERR_TEST_FAILURE" && error.cause !== undefined ? error.cause : error;
  if (cause !== null && typeof cause === "object" && typeof cause.message === "string") {
    return (cause.name && cause.name !== "Error" ? cause.name + ": " : "") + cause.message;
  }
  return String(cause);
}
export default async function* repogymReporter(source) {
  for await (const event of source) {
    const data = event.data ?? {};
    if (event.type === "test:start") {
      yield line({ type: "start", name: data.name, nesting: data.nesting, file: data.file });
    } else if (event.type === "test:pass" || event.type === "test:fail") {
      const error = data.details?.error;
      yield line({
        type: event.type === "test:pass" ? "pass" : "fail",
        name: data.name,
        nesting: data.nesting,
        file: data.file,
        skip: data.skip !== undefined && data.skip !== false,
        todo: data.todo !== undefined && data.todo !== false,
        failureType: error?.failureType,
        message: describe(error),
        exitCode: error?.exitCode,
        signal: error?.signal,
      });
    } else if (event.type === "test:stderr") {
      const count = stderrLines.get(data.file) ?? 0;
      if (count < ${STDERR_LINES_PER_FILE}) {
        stderrLines.set(data.file, count + 1);
        yield line({ type: "stderr", file: data.file, message: data.message });
      }
    }
  }
  yield line({ type: "end" });
}
`;

const REPORTER_URL = `data:text/javascript,${encodeURIComponent(REPORTER_SOURCE)}`;

/**
 * Loaded before any project code in every test process: the assertion modules are frozen, so
 * source code under test cannot rewrite `assert.equal` (or any other assertion) into a no-op
 * and pass the tests that way. Projects have no legitimate reason to reassign them.
 */
const GUARD_SOURCE = [
  'import assert from "node:assert";',
  'import strict from "node:assert/strict";',
  "Object.freeze(assert);",
  "Object.freeze(strict);",
].join("\n");
const GUARD_URL = `data:text/javascript,${encodeURIComponent(GUARD_SOURCE)}`;

/** `node --test`, with or without other flags first (`node --import tsx --test`); tsx passes it on. */
const NODE_TEST_SCRIPT = /(?:^|[\s;&|(/])(?:node|tsx)\b[^;&|]*?\s--test(?=$|[\s=;&|)])/;

export const nodeTestAdapter: TestAdapter = {
  name: "node-test",

  detect(project) {
    // node:test is built in: no dependency to look for, only the script that runs it.
    return NODE_TEST_SCRIPT.test(project.packageJson?.scripts?.test ?? "");
  },

  buildCommand(options: BuildCommandOptions): TestCommand {
    return {
      command: process.execPath,
      args: [
        `--import=${GUARD_URL}`,
        "--test",
        `--test-reporter=${REPORTER_URL}`,
        `--test-reporter-destination=${options.reportPath}`,
        // A readable copy for the kept output; colours are off without a TTY and with NO_COLOR.
        "--test-reporter=spec",
        "--test-reporter-destination=stdout",
        // No bail to turn off: this Node's test runner has none, and no project config can set
        // one (newer Nodes take it only as a flag, which this command line does not pass).
        "--",
        ...options.files,
      ],
      env: { NO_COLOR: "1" },
    };
  },

  parseReport(input: ParseReportInput): TestResult[] {
    const events = readJsonLines<ReportEvent>("node --test", input, "end");
    return uniqueIds(collectResults(events, input));
  },
};

interface ReportEvent {
  type: "start" | "pass" | "fail" | "stderr" | "end";
  name?: string;
  nesting?: number;
  file?: string;
  skip?: boolean;
  todo?: boolean;
  failureType?: string;
  message?: string;
  /** Set on a file-level failure: how the file's process ended. */
  exitCode?: number | null;
  signal?: string | null;
}

interface TestNode {
  name: string;
  /**
   * The test file it belongs to: its top-level test's. An event names the file that defined
   * the test, which for a test defined by a helper module is the helper, not the test file.
   */
  file: string;
  parent?: TestNode;
  hasChildren: boolean;
  outcome?: TestResult["outcome"];
  failureType?: string;
  message?: string;
}

interface FileState {
  /** Completed tests, in report order. */
  done: TestNode[];
  stderr: string[];
  /** The file-level test Node wraps each file's process in. */
  fileLevel?: ReportEvent;
}

/**
 * Node reports each file's process in one piece, its tests in order with their nesting, so one
 * stack of open tests places every test under its parent, whichever module defined it.
 */
function collectResults(events: ReportEvent[], input: ParseReportInput): TestResult[] {
  const { root } = input;
  const files = new Map<string, FileState>();
  const stateOf = (file: string): FileState => {
    let state = files.get(file);
    if (!state) {
      state = { done: [], stderr: [] };
      files.set(file, state);
    }
    return state;
  };
  const stack: TestNode[] = [];
  for (const event of events) {
    if (event.file === undefined) continue;
    const file = projectRelative(root, event.file);
    if (event.type === "stderr") stateOf(file).stderr.push(event.message ?? "");
    else if (event.type === "start") startTest(stack, event, file);
    else if (event.type === "pass" || event.type === "fail") {
      if (isFileLevel(event, root)) {
        stateOf(file).fileLevel = event;
      } else {
        const node = finishTest(stack, event, file);
        stateOf(node.file).done.push(node);
      }
    }
  }
  // Only the requested files count, even if the runner ran more.
  const wanted = requestedFiles(input.files);
  const results: TestResult[] = [];
  for (const [file, state] of files) {
    if (wanted.has(file)) results.push(...fileResults(file, state));
  }
  return results;
}

/** Node runs each file in its own process and reports that process as a test named after the file. */
function isFileLevel(event: ReportEvent, root: string): boolean {
  if (event.nesting !== 0 || event.name === undefined || event.file === undefined) return false;
  const name = isAbsolute(event.name) ? event.name : resolve(root, event.name);
  return name === event.file;
}

/** Opens a test reported by `file`; a nested one belongs to its parent's file. */
function startTest(stack: TestNode[], event: ReportEvent, file: string): TestNode {
  const nesting = event.nesting ?? 0;
  const parent = nesting > 0 ? stack[nesting - 1] : undefined;
  const node: TestNode = {
    name: event.name ?? "",
    file: parent?.file ?? file,
    hasChildren: false,
    ...(parent ? { parent } : {}),
  };
  if (parent) parent.hasChildren = true;
  stack.length = nesting;
  stack[nesting] = node;
  return node;
}

function finishTest(stack: TestNode[], event: ReportEvent, file: string): TestNode {
  const nesting = event.nesting ?? 0;
  let node = stack[nesting];
  if (!node || node.name !== event.name) {
    // No matching start (older or newer Node may not send one): place it under the open parents.
    node = startTest(stack, event, file);
  }
  node.outcome = outcomeOf(event);
  if (event.failureType !== undefined) node.failureType = event.failureType;
  if (event.message !== undefined) node.message = event.message;
  return node;
}

function outcomeOf(event: ReportEvent): TestResult["outcome"] {
  if (event.skip || event.todo) return "skipped";
  return event.type === "pass" ? "passed" : "failed";
}

function fileResults(file: string, state: FileState): TestResult[] {
  const results: TestResult[] = [];
  for (const node of state.done) {
    // A suite or parent test counts only when it failed for its own reason (a hook, a throw),
    // not merely because a child did — the child already says so.
    const ownFailure = node.outcome === "failed" && node.failureType !== "subtestsFailed";
    if (node.hasChildren && !ownFailure) continue;
    const id = testId([file, ...titlePath(node)]);
    results.push(node.outcome === "failed" ? failedResult(id, node.message) : { id, outcome: node.outcome! });
  }
  const fileLevel = state.fileLevel;
  if (fileLevel?.type === "fail" && fileLevel.failureType !== "subtestsFailed") {
    // The file's process failed on its own: it did not load, or it crashed outside any test.
    const stderr = state.stderr.join("");
    const message = errorFromStderr(stderr) ?? summarizeFailure(stderr) ?? processEnd(fileLevel);
    results.push(failedResult(file, message));
  } else if (fileLevel?.type === "pass" && state.done.length === 0) {
    // Node reports a file's own pass only when it reported no test: it has none, or its code
    // ended the process (`process.exit(0)`) before they ran. Either way none of them passed.
    results.push({ id: file, outcome: "failed", message: "the file reported no tests" });
  }
  return results;
}

function processEnd(event: ReportEvent): string {
  if (typeof event.signal === "string") return `the test file was killed by ${event.signal}`;
  if (typeof event.exitCode === "number") return `the test file exited with code ${event.exitCode}`;
  return event.message ?? "the test file failed";
}
