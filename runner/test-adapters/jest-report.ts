/**
 * Jest's `--json` report, which vitest's `json` reporter also writes: both adapters read it here.
 */
import { z } from "zod";
import { TestRunError } from "../../core/errors.js";
import {
  failedResult,
  projectRelative,
  readJsonReport,
  reportShape,
  requestedFiles,
  testId,
  uniqueIds,
} from "./common.js";
import type { ParseReportInput, TestOutcome, TestResult } from "./types.js";

function outcomeOf(status: string): TestOutcome {
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
    const id = testId([file, ...assertion.ancestorTitles, assertion.title]);
    const outcome = outcomeOf(assertion.status);
    if (outcome !== "failed") return { id, outcome };
    return failedResult(id, assertion.failureMessages?.join("\n"));
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
  return uniqueIds(results);
}
