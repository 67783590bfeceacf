/**
 * What every test adapter shares: detecting its framework, turning failure output into a short
 * message, building unique test ids from project-relative paths, and reading a runner's report
 * so that a missing, empty or garbled one is a failed run, never "all passed".
 */
import { realpathSync } from "node:fs";
import { posix, relative, resolve, sep } from "node:path";
import { stripVTControlCharacters } from "node:util";
import type { z } from "zod";
import { describeError, TestRunError } from "../../core/errors.js";
import type { ParseReportInput, ProjectInfo, TestResult } from "./types.js";

// ---------------------------------------------------------------------------------------------
// Detection

/** True when the project depends on `name` (dependencies or devDependencies). */
export function dependsOn(project: ProjectInfo, name: string): boolean {
  const pkg = project.packageJson;
  return pkg?.dependencies?.[name] !== undefined || pkg?.devDependencies?.[name] !== undefined;
}

/**
 * True when a shell command line runs `bin`: as a word of its own (`jest`, `npx jest`,
 * `cross-env CI=1 jest`) or by path (`node_modules/.bin/jest`, `node node_modules/mocha/bin/mocha.js`).
 * A mere substring is not enough: `jest-puppeteer` does not run jest, `tape` and `tap-spec` do
 * not run tap, and neither does `node tap.js`.
 */
export function scriptInvokes(script: string | undefined, bin: string): boolean {
  if (!script) return false;
  return script
    .split(/[\s;&|()]+/)
    .some((word) => word === bin || word.endsWith(`/${bin}`) || word.endsWith(`/${bin}.js`));
}

/** The `detect` rule the adapters follow: a dependency on `name`, or a test script that runs one of `bins`. */
export function detectPackage(project: ProjectInfo, name: string, bins: readonly string[] = [name]): boolean {
  if (dependsOn(project, name)) return true;
  const script = project.packageJson?.scripts?.test;
  return bins.some((bin) => scriptInvokes(script, bin));
}

// ---------------------------------------------------------------------------------------------
// Messages

/** Removes ANSI escape sequences: colours, cursor moves, hyperlinks (OSC 8 with either terminator). */
export function stripAnsi(text: string): string {
  return stripVTControlCharacters(text);
}

const MESSAGE_LINES = 5;
const STACK_FRAME = /^\s*at\s+\S/;
/** Code frames (`> 12 | expect(x)...`) that jest, babel and vitest print under a message. */
const CODE_FRAME_LINE = /^\s*>?\s*\d+\s*\|/;
/** The version line Node prints after an uncaught error. */
const NODE_TRAILER = /^\s*Node\.js v\d+\.\d+\.\d+$/;

/** Lines a summary skips: blank ones, stack frames, Node's trailer, jest's `●` headers (the test's name again). */
function isNoise(line: string): boolean {
  const trimmed = line.trim();
  return trimmed === "" || trimmed.startsWith("●") || STACK_FRAME.test(line) || NODE_TRAILER.test(line);
}

/**
 * The first few lines of a failure message, without ANSI colours, blank lines, stack frames or
 * Node's version trailer: what a problem statement can quote. A code frame ends the message
 * (what follows it is where it happened, then other output). Jest's "Test suite failed to run"
 * advice before "Details:" is dropped so the actual error comes first. Undefined when nothing
 * is left.
 */
export function summarizeFailure(text: string): string | undefined {
  let body = stripAnsi(text).replace(/\r\n?/g, "\n");
  const details = body.search(/^\s*Details:\s*$/m);
  if (details !== -1) body = body.slice(details).replace(/^\s*Details:\s*\n/, "");
  const lines: string[] = [];
  for (const line of body.split("\n")) {
    if (CODE_FRAME_LINE.test(line)) break;
    if (isNoise(line)) continue;
    lines.push(line.trimEnd());
    if (lines.length === MESSAGE_LINES) break;
  }
  return lines.length === 0 ? undefined : dedent(lines).join("\n");
}

function dedent(lines: string[]): string[] {
  const indent = Math.min(...lines.map((line) => line.length - line.trimStart().length));
  return lines.map((line) => line.slice(indent));
}

const ERROR_LINE = /^\s*(?:[A-Z]\w*)?(?:Error|Exception)\b(?: \[\w+\])?:?/;
/** CommonJS's list of the files that required a missing module: paths, not part of the error. */
const REQUIRE_STACK = /^\s*Require stack:\s*$/;

/** One uncaught error in Node's stderr: what Node printed before it, the error, and its stack. */
interface StderrError {
  /** Index of the first line after the previous error, where Node's "file:line" header starts. */
  from: number;
  /** The "Error: ..." line. */
  at: number;
  /** End (exclusive) of the error's message, where its stack starts. */
  end: number;
  /** End (exclusive) of its stack. */
  stackEnd: number;
}

function stderrErrors(lines: readonly string[]): StderrError[] {
  const errors: StderrError[] = [];
  let from = 0;
  for (let at = 0; at < lines.length; at++) {
    if (!ERROR_LINE.test(lines[at]!)) continue;
    let end = at + 1;
    while (end < lines.length && !STACK_FRAME.test(lines[end]!) && !NODE_TRAILER.test(lines[end]!)) end++;
    let stackEnd = end;
    while (stackEnd < lines.length && STACK_FRAME.test(lines[stackEnd]!)) stackEnd++;
    errors.push({ from, at, end, stackEnd });
    from = stackEnd;
    at = stackEnd - 1;
  }
  return errors;
}

/**
 * Node's report of an uncaught error on stderr: the "Error: ..." line and what follows it, minus
 * the source excerpt, CommonJS's require stack and the stack. With `near`, the first error that
 * names one of them, before it (Node prints the failing file's location first), in its message
 * or in its stack — so several files' crashes can share stderr.
 */
export function errorFromStderr(stderr: string, near?: readonly string[]): string | undefined {
  const lines = stripAnsi(stderr).split(/\r?\n/);
  const names = (line: string) => near?.some((needle) => needle !== "" && line.includes(needle)) ?? true;
  const found = stderrErrors(lines).find((error) => lines.slice(error.from, error.stackEnd).some(names));
  if (!found) return undefined;
  const message = lines.slice(found.at, found.end);
  const requireStack = message.findIndex((line) => REQUIRE_STACK.test(line));
  return summarizeFailure((requireStack < 0 ? message : message.slice(0, requireStack)).join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Ids, results and paths

/** Joins a test's path (its file, then the titles of its suites and itself) into its id. */
export function testId(path: readonly string[]): string {
  return path.join(" > ");
}

/** A test or suite in a tree that links each node to its parent. */
export interface TitledNode {
  readonly name: string;
  readonly parent?: TitledNode | undefined;
}

/** The names from the outermost ancestor down to `node`. */
export function titlePath(node: TitledNode): string[] {
  const names: string[] = [];
  for (let current: TitledNode | undefined = node; current; current = current.parent) {
    names.unshift(current.name);
  }
  return names;
}

/**
 * Gives repeated ids a stable ` #2`, ` #3` suffix in report order, so every id is unique; a
 * suffix is skipped when a test is really named like that.
 */
export function uniqueIds(results: readonly TestResult[]): TestResult[] {
  const seen = new Map<string, number>();
  const taken = new Set(results.map((result) => result.id));
  return results.map((result) => {
    const count = (seen.get(result.id) ?? 0) + 1;
    seen.set(result.id, count);
    if (count === 1) return result;
    let suffix = count;
    while (taken.has(`${result.id} #${suffix}`)) suffix++;
    const id = `${result.id} #${suffix}`;
    taken.add(id);
    return { ...result, id };
  });
}

/** A failed result with a summarized message (always some message: a failure needs a reason). */
export function failedResult(id: string, message: string | undefined): TestResult {
  const summary = message === undefined ? undefined : summarizeFailure(message);
  return { id, outcome: "failed", message: summary ?? "failed without a message" };
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

/** A requested file, normalized the way `projectRelative` spells reported ones. */
function normalizeRequested(file: string): string {
  return posix.normalize(file.replaceAll("\\", "/"));
}

/**
 * The requested files, normalized the way `projectRelative` spells reported ones. Every adapter
 * keeps only the results of these: a runner may run more (a config's spec, a configured
 * command, a glob), and those results were not asked for.
 */
export function requestedFiles(files: readonly string[]): Set<string> {
  return new Set(files.map(normalizeRequested));
}

/**
 * The requested files that have no result at all: neither a test in them (`file > ...`) nor a
 * result for the file itself (`file`). The runner did not run them, or lost what they reported.
 */
export function filesWithoutResults(files: readonly string[], results: readonly TestResult[]): string[] {
  return files.filter((file) => {
    const path = normalizeRequested(file);
    return !results.some(({ id }) => id === path || id.startsWith(`${path} > `));
  });
}

// ---------------------------------------------------------------------------------------------
// Command lines

/**
 * A file as a positional argument for a runner that takes no `--`: a leading `-` would make it
 * an option, so it goes as `./-...`, the same file.
 */
export function positionalFile(file: string): string {
  return file.startsWith("-") ? `./${file}` : file;
}

/** A literal path as a glob that matches only it (picomatch and node-glob syntax). */
export function escapeGlob(path: string): string {
  return path.replace(/[\\*?[\]{}()!+@|]/g, "\\$&");
}

// ---------------------------------------------------------------------------------------------
// Reports

/** The report's text. A missing or empty one is a failed run, explained by what the runner printed. */
export function requireReport(framework: string, input: ParseReportInput): string {
  if (input.report !== undefined && input.report.trim() !== "") return input.report;
  const what = input.report === undefined ? "wrote no report" : "wrote an empty report";
  const hint = summarizeFailure(input.stderr || input.stdout) ?? "it crashed or never ran the tests";
  throw new TestRunError(
    `${framework} ${what} (exit code ${input.exitCode ?? "none"}): ${hint}`,
    input.stderr,
  );
}

/** Reads a report that must be JSON; a missing, empty or garbled one is a failed run, never a pass. */
export function readJsonReport(framework: string, input: ParseReportInput): unknown {
  const report = requireReport(framework, input);
  try {
    return JSON.parse(report);
  } catch (error) {
    throw new TestRunError(`${framework} report is not valid JSON: ${describeError(error)}`);
  }
}

/**
 * Reads a report of JSON lines whose last line has type `endType`: without it, the runner
 * stopped before it finished, and what it did report cannot be trusted to be all.
 */
export function readJsonLines<T extends { type: string }>(
  framework: string,
  input: ParseReportInput,
  endType: T["type"],
): T[] {
  const rows: T[] = [];
  for (const line of requireReport(framework, input).split("\n")) {
    if (line.trim() === "") continue;
    try {
      rows.push(JSON.parse(line) as T);
    } catch {
      throw new TestRunError(`${framework} report has an unreadable line: ${line.slice(0, 200)}`);
    }
  }
  if (rows[rows.length - 1]?.type !== endType) {
    throw new TestRunError(
      `${framework} report is truncated: the runner stopped before finishing (exit code ${input.exitCode})`,
    );
  }
  return rows;
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
