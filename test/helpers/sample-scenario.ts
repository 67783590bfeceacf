import { SCENARIO_SCHEMA, type Scenario } from "../../core/scenario.js";

/** A valid scenario record for tests of code that reads or writes scenarios. */
export function sampleScenario(overrides: Partial<Scenario> = {}): Scenario {
  return {
    schema: SCENARIO_SCHEMA,
    instance_id: "acme__lib-0123456789",
    repo: "acme/lib",
    base_commit: "a".repeat(40),
    patch: "diff --git a/src/a.js b/src/a.js\n",
    test_patch: "diff --git a/test/a.test.js b/test/a.test.js\n",
    problem_statement: "Fix it\n",
    hints_text: "",
    created_at: "2024-01-01T00:00:00Z",
    FAIL_TO_PASS: ["test/a.test.js > a > works"],
    PASS_TO_PASS: [],
    environment_setup_commit: "a".repeat(40),
    source: { kind: "commit", sha: "b".repeat(40) },
    environment: {
      package_manager: "npm",
      install: "npm ci",
      setup: [],
      framework: "node-test",
      test_files: ["test/a.test.js"],
      dependency_key: "none",
      node_version: "v20.0.0",
    },
    task: { tests_visible: true },
    difficulty: { files: 1, hunks: 1, lines_added: 1, lines_removed: 1, lines: 2, fail_to_pass: 1 },
    validation: {
      runs: 3,
      flaky: [],
      always_failing: [],
      not_run_before: [],
      pass_to_fail: [],
      duration_ms: { before: 1, after: 1 },
      tool_version: "repogym 0.1.0",
      validated_at: "2024-01-01T00:00:00Z",
    },
    ...overrides,
  };
}
