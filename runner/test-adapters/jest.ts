import { realpathSync } from "node:fs";
import { join, posix, relative, resolve, sep } from "node:path";
import { z } from "zod";
import { describeError, TestRunError } from "../../core/errors.js";
import type { ParseReportInput, ProjectInfo, TestAdapter, TestOutcome, TestResult } from "./types.js";

/*
 * Besides the jest adapter, this module holds what the vitest and mocha adapters share with
 * it: vitest's JSON reporter writes jest's report format, and all three need the same id,
 * message and detection rules.
 */

/** True when the project depends on `name` (dependencies or devDependencies). */
export function dependsOn(project: ProjectInfo, name: string): boolean {
  const pkg = project.packageJson;
  return pkg?.dependencies?.[name] !== undefined || pkg?.devDependencies?.[name] !== undefined;
}

/**
 * True when a shell command line runs `bin`: as a word of its own (`jest`, `npx jest`,
 * `cross-env CI=1 jest`) or by path (`node_modules/.bin/jest`). A mere substring is not
 * enough: `jest-puppeteer` and `vitest` do not run jest.
 */
export function scriptInvokes(script: string | undefined, bin: string): boolean {
  if (!script) return false;
  return script
    .split(/[\s;&|()]+/)
    .some((word) => word === bin || word.endsWith(`/${bin}`) || word.endsWith(`/${bin}.js`));
}

/** The `detect` rule every JavaScript adapter here follows. */
export function detectPackage(project: ProjectInfo, name: string, bins: string[] = [name]): boolean {
  if (dependsOn(project, name)) return true;
  const script = project.packageJson?.scripts?.test;
  return bins.some((bin) => scriptInvokes(script, bin));
}

/** ANSI escape sequences (colours, cursor moves, hyperlinks), as matched by the ansi-regex package. */
const ANSI =
  /[\u001b\u009b][[\]()#;?]*(?:(?:(?:(?:;[-a-zA-Z\d/#&.:=?%@~_]+)*|[a-zA-Z\d]+(?:;[-a-zA-Z\d/#&.:=?%@~_]*)*)?\u0007)|(?:(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PR-TZcf-nq-uy=><~]))/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

const STACK_LINE = /^\s*at\s/;
/** Code frames (`> 12 | expect(x)...`) that jest and babel print under a message. */
const CODE_FRAME_LINE = /^\s*>?\s*\d+\s*\|/;
const MESSAGE_LINES = 5;

/**
 * The first lines of a failure message, without ANSI colours, stack trace or code frame: what
 * a problem statement can quote. Jest's "Test suite failed to run" header and its generic
 * advice before "Details:" are dropped so the actual error comes first.
 */
export function summarizeFailure(text: string): string | undefined {
  let body = stripAnsi(text).replace(/\r\n?/g, "\n");
  const details = body.search(/^\s*Details:\s*$/m);
  if (details !== -1) body = body.slice(details).replace(/^\s*Details:\s*\n/, "");
  const lines: string[] = [];
  for (const line of body.split("\n")) {
    if (STACK_LINE.test(line) || CODE_FRAME_LINE.test(line)) break;
    if (line.trim() === "" || line.trim().startsWith("●")) continue;
    lines.push(line.trimEnd());
    if (lines.length === MESSAGE_LINES) break;
  }
  return lines.length === 0 ? undefined : dedent(lines).join("\n");
}

function dedent(lines: string[]): string[] {
  const indent = Math.min(...lines.map((line) => line.length - line.trimStart().length));
  return lines.map((line) => line.slice(indent));
}

export function testId(file: string, titles: readonly string[]): string {
  return [file, ...titles].join(" > ");
}

/** Suffixes repeated ids with ` #2`, ` #3`... in report order, so every id is unique and stable. */
export function withUniqueIds(results: readonly TestResult[]): TestResult[] {
  const seen = new Map<string, number>();
  return results.map((result) => {
    const count = (seen.get(result.id) ?? 0) + 1;
    seen.set(result.id, count);
    return count === 1 ? result : { ...result, id: `${result.id} #${count}` };
  });
}

export function failedResult(id: string, message: string | undefined): TestResult {
  const summary = message === undefined ? undefined : summarizeFailure(message);
  return summary === undefined ? { id, outcome: "failed" } : { id, outcome: "failed", message: summary };
}

/** `root`-relative posix path of a file a runner reported (absolute, or relative to root). */
export function projectRelative(root: string, file: string): string {
  const absolute = resolve(root, file);
  let path = relative(root, absolute);
  // Runners report real paths; root may reach the same directory through a symlink.
  if (path.startsWith("..")) {
    try {
      path = relative(realpathSync(root), absolute);
    } catch {
      // Keep the path relative to root as given.
    }
  }
  return path.split(sep).join("/");
}

/** The requested files, normalized the way `projectRelative` spells reported ones. */
export function requestedFiles(files: readonly string[]): Set<string> {
  return new Set(files.map((file) => posix.normalize(file.replaceAll("\\", "/"))));
}

/** Reads a report that must be JSON; a missing, empty or garbled one is a failed run, never a pass. */
export function readJsonReport(framework: string, input: ParseReportInput): unknown {
  if (input.report === undefined) {
    throw new TestRunError(
      `${framework} wrote no report (exit code ${input.exitCode ?? "none"}): it crashed or never ran the tests`,
    );
  }
  if (input.report.trim() === "") throw new TestRunError(`${framework} wrote an empty report`);
  try {
    return JSON.parse(input.report);
  } catch (error) {
    throw new TestRunError(`${framework} report is not valid JSON: ${describeError(error)}`);
  }
}

/** Validates a parsed report, naming the first problem when it does not have the expected shape. */
export function reportShape<T extends z.ZodType>(framework: string, schema: T, data: unknown): z.output<T> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
  throw new TestRunError(
    `${framework} report has an unexpected shape${where}: ${issue?.message ?? "invalid"}`,
  );
}

export function outcomeOf(status: string): TestOutcome {
  if (status === "passed") return "passed";
  if (status === "failed") return "failed";
  // pending, skipped, todo, disabled, focused-away: the test did not run.
  return "skipped";
}

const AssertionSchema = z.object({
  ancestorTitles: z.array(z.string()),
  title: z.string(),
  status: z.string(),
  failureMessages: z.array(z.string()).nullish(),
});

const FileResultSchema = z.object({
  name: z.string(),
  status: z.string(),
  message: z.string().nullish(),
  assertionResults: z.array(AssertionSchema),
});

const JestReportSchema = z.object({ testResults: z.array(FileResultSchema) });

type FileResult = z.output<typeof FileResultSchema>;

/**
 * A file that failed with no failing test in it did not load (syntax error, missing module or
 * export) or broke in a file-level hook: one failed entry for the file keeps the rest of the
 * run usable.
 */
function fileResults(file: string, result: FileResult): TestResult[] {
  const tests = result.assertionResults.map((assertion): TestResult => {
    const id = testId(file, [...assertion.ancestorTitles, assertion.title]);
    const outcome = outcomeOf(assertion.status);
    if (outcome !== "failed") return { id, outcome };
    return failedResult(id, assertion.failureMessages?.join("\n") ?? "");
  });
  const explained = tests.some((test) => test.outcome === "failed");
  if (result.status !== "failed" || explained) return tests;
  return [failedResult(file, result.message || `${file} failed to run`), ...tests];
}

/** Parses jest's `--json` report, which vitest's `json` reporter also writes. */
export function parseJestStyleReport(framework: string, input: ParseReportInput): TestResult[] {
  const report = reportShape(framework, JestReportSchema, readJsonReport(framework, input));
  if (report.testResults.length === 0) {
    throw new TestRunError(
      `${framework} ran no test files: none of the given files matched its configuration`,
    );
  }
  const wanted = requestedFiles(input.files);
  const results: TestResult[] = [];
  for (const result of report.testResults) {
    const file = projectRelative(input.root, result.name);
    // Only the requested files count, even if the runner picked up more.
    if (wanted.has(file)) results.push(...fileResults(file, result));
  }
  return withUniqueIds(results);
}

export const jestAdapter: TestAdapter = {
  name: "jest",

  detect(project) {
    return detectPackage(project, "jest");
  },

  buildCommand({ files, reportPath, binDir }) {
    return {
      command: join(binDir, "jest"),
      args: [
        "--ci",
        "--json",
        `--outputFile=${reportPath}`,
        "--watchAll=false",
        // Coverage thresholds would only add noise and time to a run that wants outcomes.
        "--coverage=false",
        // Exact paths: jest's positional arguments are otherwise regular expressions.
        "--runTestsByPath",
        "--",
        ...files,
      ],
    };
  },

  parseReport(input) {
    return parseJestStyleReport("jest", input);
  },
};
