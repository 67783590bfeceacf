import { z } from "zod";
import { FRAMEWORKS } from "./frameworks.js";

export const SCENARIO_SCHEMA = "repogym/scenario@1";

const testId = z.string().min(1, "expected a non-empty test id");

/** A path inside the repository: relative, posix, no `..`, and never mistakable for an option. */
const repoPath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith("/") && !p.startsWith("-") && !p.split("/").includes(".."), {
    message: "expected a relative path inside the repository (no leading / or -, no ..)",
  });

export const PackageManagerSchema = z.enum(["npm", "pnpm", "yarn"]);
export type PackageManager = z.infer<typeof PackageManagerSchema>;

export const EnvironmentSchema = z.object({
  package_manager: PackageManagerSchema,
  /** The command that installs dependencies, e.g. `npm ci`. */
  install: z.string(),
  /** Commands run in each state after install (builds). */
  setup: z.array(z.string()),
  framework: z.enum(FRAMEWORKS),
  /** The exact test files to run, relative to the repository root. */
  test_files: z.array(repoPath).min(1, "expected at least one test file"),
  /** Hash of the dependency manifests; states with the same key share one install. */
  dependency_key: z.string(),
  node_version: z.string(),
});
export type Environment = z.infer<typeof EnvironmentSchema>;

export const DifficultySchema = z.object({
  files: z.number().int().nonnegative(),
  hunks: z.number().int().nonnegative(),
  lines_added: z.number().int().nonnegative(),
  lines_removed: z.number().int().nonnegative(),
  lines: z.number().int().nonnegative(),
  fail_to_pass: z.number().int().nonnegative(),
  /** Fraction of rollouts that resolved the scenario, once rollouts exist. */
  solve_rate: z.number().min(0).max(1).optional(),
});
export type Difficulty = z.infer<typeof DifficultySchema>;

export const ValidationSchema = z.object({
  runs: z.number().int().positive(),
  /** Tests whose outcome changed between runs of the same state; dropped from F2P/P2P. */
  flaky: z.array(testId),
  /** Tests that failed in every run of both states (already broken in this environment). */
  always_failing: z.array(testId),
  /** Tests that pass after the fix but did not run before (not proven to fail): not F2P. */
  not_run_before: z.array(testId).default([]),
  /** Tests the gold patch breaks (passed before, failed after): neither F2P nor P2P. */
  pass_to_fail: z.array(testId).default([]),
  duration_ms: z.object({ before: z.number().nonnegative(), after: z.number().nonnegative() }),
  tool_version: z.string(),
  validated_at: z.string(),
});
export type Validation = z.infer<typeof ValidationSchema>;

export const ScenarioSchema = z.object({
  schema: z.literal(SCENARIO_SCHEMA),
  instance_id: z
    .string()
    .regex(/^[A-Za-z0-9._-]+__[A-Za-z0-9._-]+-[A-Za-z0-9]+$/, "expected owner__repo-<id>"),
  repo: z.string().min(1),
  base_commit: z.string().regex(/^[0-9a-f]{40}$/, "expected a 40-character commit sha"),
  patch: z.string().min(1, "expected the gold patch"),
  test_patch: z.string().min(1, "expected the test patch"),
  problem_statement: z.string().min(1),
  hints_text: z.string(),
  created_at: z.string(),
  FAIL_TO_PASS: z.array(testId).min(1, "expected at least one FAIL_TO_PASS test"),
  PASS_TO_PASS: z.array(testId),
  environment_setup_commit: z.string(),
  source: z.object({
    kind: z.enum(["commit", "pull_request", "mutation"]),
    sha: z.string(),
    pull_number: z.number().int().positive().optional(),
    url: z.string().optional(),
  }),
  environment: EnvironmentSchema,
  task: z.object({ tests_visible: z.boolean() }),
  difficulty: DifficultySchema,
  validation: ValidationSchema,
});
export type Scenario = z.infer<typeof ScenarioSchema>;
