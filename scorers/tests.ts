import { z } from "zod";
import type { Rollout } from "../core/rollout.js";
import type { Scenario } from "../core/scenario.js";
import type { TestResult } from "../runner/test-adapters/types.js";
import { ScoringInfraError } from "./errors.js";
import { parseScorerOptions } from "./options.js";
import type { ScoreContext, ScoreResult, Scorer, ScorerFactory } from "./types.js";

/** SWE-bench's report shape: the rollout record's `tests` field. */
export type TestReport = Rollout["tests"];

/** How many failing ids `details` lists per group; the counts stay exact. */
const MAX_LISTED_FAILURES = 20;

/**
 * Sorts the scenario's FAIL_TO_PASS and PASS_TO_PASS ids into passed and failed. A test
 * passes only when the run reported it, and every time it reported it, as passed: an id that
 * is missing, failed or skipped is a failure (DESIGN.md invariant 2). `undefined` (no test
 * run happened) puts every id under failure, so an unscored rollout's record still has the shape.
 */
export function testReport(
  scenario: Pick<Scenario, "FAIL_TO_PASS" | "PASS_TO_PASS">,
  tests: readonly TestResult[] | undefined,
): TestReport {
  const outcomes = new Map<string, boolean>();
  for (const test of tests ?? []) {
    outcomes.set(test.id, (outcomes.get(test.id) ?? true) && test.outcome === "passed");
  }
  const sort = (ids: readonly string[]) => {
    const success: string[] = [];
    const failure: string[] = [];
    for (const id of ids) (outcomes.get(id) === true ? success : failure).push(id);
    return { success, failure };
  };
  return { FAIL_TO_PASS: sort(scenario.FAIL_TO_PASS), PASS_TO_PASS: sort(scenario.PASS_TO_PASS) };
}

/** True when every FAIL_TO_PASS and PASS_TO_PASS test passed (SWE-bench's "resolved"). */
export function isResolved(report: TestReport): boolean {
  return report.FAIL_TO_PASS.failure.length === 0 && report.PASS_TO_PASS.failure.length === 0;
}

const TestsOptionsSchema = z.strictObject({
  /** Partial credit: F2P pass rate x P2P pass rate instead of all-or-nothing. */
  partial: z.boolean().default(false),
});

function summarize(group: TestReport["FAIL_TO_PASS"]) {
  const total = group.success.length + group.failure.length;
  return {
    passed: group.success.length,
    total,
    failed: group.failure.slice(0, MAX_LISTED_FAILURES),
    // An empty group (a scenario without PASS_TO_PASS tests) has nothing to break.
    rate: total === 0 ? 1 : group.success.length / total,
  };
}

/**
 * `tests`: 1 when every FAIL_TO_PASS and PASS_TO_PASS test passed, else 0; with
 * `partial: true`, (F2P pass rate) x (P2P pass rate). Without test results it throws
 * ScoringInfraError rather than guess: no results, or an empty list, means the tests did not
 * run, which is the infrastructure's failure and never a pass.
 */
export const createTestsScorer: ScorerFactory = (options) => {
  const { partial } = parseScorerOptions("tests", TestsOptionsSchema, options);
  const scorer: Scorer = {
    name: "tests",
    async score(context: ScoreContext): Promise<ScoreResult> {
      if (context.tests === undefined || context.tests.length === 0) {
        throw new ScoringInfraError(
          `no test results for ${context.scenario.instance_id}: the scenario's tests did not run, so the rollout cannot be scored`,
          "tests",
        );
      }
      const report = testReport(context.scenario, context.tests);
      const { rate: f2pRate, ...failToPass } = summarize(report.FAIL_TO_PASS);
      const { rate: p2pRate, ...passToPass } = summarize(report.PASS_TO_PASS);
      const score = partial ? f2pRate * p2pRate : isResolved(report) ? 1 : 0;
      return {
        score,
        details: { mode: partial ? "partial" : "binary", fail_to_pass: failToPass, pass_to_pass: passToPass },
      };
    },
  };
  return scorer;
};
