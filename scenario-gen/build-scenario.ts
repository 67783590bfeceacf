import { SCENARIO_SCHEMA, type Scenario } from "../core/scenario.js";
import type { TestResult } from "../runner/test-adapters/types.js";
import type { Candidate } from "./candidates.js";
import { measurePatch } from "./difficulty.js";
import { buildProblemStatement, type FailingTest } from "./problem-statement.js";
import type { ProofResult } from "./prove.js";

export interface BuildScenarioInput {
  instanceId: string;
  slug: string;
  webUrl?: string;
  candidate: Candidate;
  pullNumber?: number;
  patch: string;
  testPatch: string;
  proof: Extract<ProofResult, { ok: true }>;
  toolVersion: string;
  now: Date;
}

/** Assembles the scenario record from a proven change. Pure. */
export function buildScenario(input: BuildScenarioInput): Scenario {
  const { candidate, proof } = input;
  const commit = candidate.commit;
  const base = commit.parents[0]!;
  const failing = failureMessages(proof.before, proof.comparison.failToPass, candidate.runnableTests);
  const url =
    input.webUrl === undefined
      ? undefined
      : input.pullNumber === undefined
        ? `${input.webUrl}/commit/${commit.sha}`
        : `${input.webUrl}/pull/${input.pullNumber}`;
  return {
    schema: SCENARIO_SCHEMA,
    instance_id: input.instanceId,
    repo: input.slug,
    base_commit: base,
    patch: input.patch,
    test_patch: input.testPatch,
    problem_statement: buildProblemStatement({
      message: commit.message,
      isMerge: commit.parents.length > 1,
      failingTests: failing,
      testsVisible: true,
    }),
    hints_text: "",
    created_at: commit.committerDate,
    FAIL_TO_PASS: proof.comparison.failToPass,
    PASS_TO_PASS: proof.comparison.passToPass,
    environment_setup_commit: base,
    source: {
      kind: input.pullNumber === undefined ? "commit" : "pull_request",
      sha: commit.sha,
      ...(input.pullNumber === undefined ? {} : { pull_number: input.pullNumber }),
      ...(url === undefined ? {} : { url }),
    },
    environment: {
      package_manager: proof.packageManager,
      install: proof.installCommand,
      setup: proof.setup,
      framework: proof.framework,
      test_files: candidate.runnableTests,
      dependency_key: proof.dependencyKey,
      node_version: process.version,
    },
    task: { tests_visible: true },
    difficulty: measurePatch(input.patch, proof.comparison.failToPass.length),
    validation: {
      runs: proof.runs,
      flaky: proof.comparison.flaky,
      always_failing: proof.comparison.alwaysFailing,
      not_run_before: proof.comparison.notRunBefore,
      pass_to_fail: proof.comparison.passToFail,
      duration_ms: { before: Math.round(proof.timings.beforeMs), after: Math.round(proof.timings.afterMs) },
      tool_version: input.toolVersion,
      validated_at: input.now.toISOString(),
    },
  };
}

/**
 * The failure each F2P test showed before the fix: its own assertion message, or the load
 * error of its file when the test could not even be collected.
 */
function failureMessages(before: TestResult[][], failToPass: string[], files: string[]): FailingTest[] {
  const first = before[0] ?? [];
  const byId = new Map(first.map((r) => [r.id, r]));
  return failToPass.map((id) => {
    const own = byId.get(id);
    if (own?.message) return { id, message: own.message };
    const file = files.find((f) => id.startsWith(`${f} > `));
    const fileError = file ? byId.get(file) : undefined;
    return fileError?.message
      ? { id, message: `(the test file failed to load) ${fileError.message}` }
      : { id };
  });
}
