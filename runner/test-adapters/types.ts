/**
 * The contract every test adapter keeps (DESIGN.md, "Test adapter"): detect the framework
 * from the project, build the command that runs the given test files with a machine-readable
 * reporter, and parse that report into per-test outcomes with stable ids.
 */

import type { FrameworkName } from "../../core/frameworks.js";

export { FRAMEWORKS, type FrameworkName } from "../../core/frameworks.js";

export type TestOutcome = "passed" | "failed" | "skipped";

/** One test's result. `id` is `file > describe > ... > test`, file relative to the project root, posix separators. */
export interface TestResult {
  id: string;
  outcome: TestOutcome;
  /** First lines of the failure message, when the test failed. Used in problem statements. */
  message?: string;
}

/** What an adapter knows about the project it runs in. */
export interface ProjectInfo {
  /** Absolute path of the project root (the state's working tree). */
  root: string;
  /** Parsed package.json, or undefined when there is none. */
  packageJson?: {
    scripts?: Record<string, string>;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
    type?: string;
    [key: string]: unknown;
  };
}

export interface TestCommand {
  /** Executable: absolute path, or a name resolved on PATH. */
  command: string;
  args: string[];
  /** Extra environment variables for the run (merged over the base environment). */
  env?: Record<string, string>;
}

export interface BuildCommandOptions {
  /** Project root; the command runs with this as cwd. */
  root: string;
  /** Test files to run, relative to root, posix separators. */
  files: string[];
  /** Absolute path where the reporter must write its report (the adapter may also read stdout instead). */
  reportPath: string;
  /** Directory holding the project's installed executables (node_modules/.bin). */
  binDir: string;
}

export interface ParseReportInput {
  root: string;
  files: string[];
  /** Content of reportPath, or undefined if the runner did not write it. */
  report: string | undefined;
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

export interface TestAdapter {
  name: FrameworkName;
  /** True when the project uses this framework (from package.json dependencies and scripts). */
  detect(project: ProjectInfo): boolean;
  buildCommand(options: BuildCommandOptions): TestCommand;
  /**
   * Parses the runner's report. Throws TestRunError when the report is missing, empty or
   * unreadable: a run that reports nothing is never "all passed".
   */
  parseReport(input: ParseReportInput): TestResult[];
}
