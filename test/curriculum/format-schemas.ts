/**
 * The export formats' schemas, written from each format's own definition (not from repogym's
 * code), to read every exported file back against. Objects are strict: a field the format
 * does not have is a failure here even where the target tool would ignore it.
 */
import { z } from "zod";

const testIds = z.array(z.string());
/** SWE-bench stores test lists as JSON-encoded strings. */
const jsonList = z
  .string()
  .refine((text) => testIds.safeParse(JSON.parse(text)).success, "a JSON list of strings");

/** swebench/harness/constants SWEbenchInstance (every field a string). */
export const SwebenchInstanceSchema = z.strictObject({
  repo: z.string().regex(/^[^/]+\/[^/]+$/),
  instance_id: z.string().min(1),
  base_commit: z.string().regex(/^[0-9a-f]{40}$/),
  patch: z.string().startsWith("diff --git "),
  test_patch: z.string().startsWith("diff --git "),
  problem_statement: z.string().min(1),
  hints_text: z.string(),
  created_at: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
  version: z.string().min(1),
  FAIL_TO_PASS: jsonList,
  PASS_TO_PASS: jsonList,
  environment_setup_commit: z.string().regex(/^[0-9a-f]{40}$/),
});

/** The predictions the harness reads (get_predictions_from_file). */
export const SwebenchPredictionSchema = z.strictObject({
  instance_id: z.string().min(1),
  model_name_or_path: z.string().min(1),
  model_patch: z.string(),
});

const outcomes = z.strictObject({ success: testIds, failure: testIds });

/** grading.py get_eval_report: `{instance_id: {...}}`. */
export const SwebenchInstanceReportSchema = z.record(
  z.string(),
  z.strictObject({
    patch_is_None: z.boolean(),
    patch_exists: z.boolean(),
    patch_successfully_applied: z.boolean(),
    resolved: z.boolean(),
    tests_status: z
      .strictObject({
        FAIL_TO_PASS: outcomes,
        PASS_TO_PASS: outcomes,
        FAIL_TO_FAIL: outcomes,
        PASS_TO_FAIL: outcomes,
      })
      .optional(),
  }),
);

/** reporting.py make_run_report (schema_version 2, without the Docker fields). */
export const SwebenchRunReportSchema = z.strictObject({
  total_instances: z.number().int(),
  submitted_instances: z.number().int(),
  completed_instances: z.number().int(),
  resolved_instances: z.number().int(),
  unresolved_instances: z.number().int(),
  empty_patch_instances: z.number().int(),
  error_instances: z.number().int(),
  completed_ids: testIds,
  incomplete_ids: testIds,
  empty_patch_ids: testIds,
  submitted_ids: testIds,
  resolved_ids: testIds,
  unresolved_ids: testIds,
  error_ids: testIds,
  schema_version: z.literal(2),
});

/**
 * Harbor's TaskConfig (src/harbor/models/task/config.py) for the sections written: `version`
 * (read as schema_version), free-form metadata, verifier/agent timeouts, environment resources.
 */
export const HarborTaskConfigSchema = z.strictObject({
  version: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  verifier: z.strictObject({ timeout_sec: z.number().positive() }),
  agent: z.strictObject({ timeout_sec: z.number().positive() }),
  environment: z.strictObject({
    build_timeout_sec: z.number().positive(),
    cpus: z.number().int().positive(),
    memory_mb: z.number().int().positive(),
    storage_mb: z.number().int().positive(),
    allow_internet: z.boolean(),
  }),
});

const scoringName = z.string().regex(/^[a-zA-Z0-9_-]+$/, "names must only contain [a-zA-Z0-9_-]");

/**
 * ScenarioCreateParams of @runloop/api-client (resources/scenarios/scenarios.d.ts), the parts a
 * body may use; runloop-types.test.ts also checks our body type against the published type.
 */
export const RunloopScenarioCreateSchema = z
  .strictObject({
    name: z.string().min(1),
    input_context: z.strictObject({
      problem_statement: z.string().min(1),
      additional_context: z.unknown().optional(),
    }),
    scoring_contract: z.strictObject({
      scoring_function_parameters: z
        .array(
          z.strictObject({
            name: scoringName,
            weight: z.number().min(0).max(1),
            scorer: z.discriminatedUnion("type", [
              z.strictObject({
                type: z.literal("test_based_scorer"),
                test_command: z.string().optional(),
                test_files: z
                  .array(
                    z.strictObject({
                      file_contents: z.string().optional(),
                      file_path: z.string().optional(),
                    }),
                  )
                  .optional(),
              }),
              z.strictObject({ type: z.literal("bash_script_scorer"), bash_script: z.string().optional() }),
              z.strictObject({ type: z.literal("command_scorer"), command: z.string().optional() }),
            ]),
          }),
        )
        .min(1),
    }),
    environment_parameters: z
      .strictObject({
        blueprint_id: z.string().nullish(),
        snapshot_id: z.string().nullish(),
        working_directory: z.string().startsWith("/").nullish(),
        launch_parameters: z
          .strictObject({
            launch_commands: z.array(z.string()).nullish(),
            resource_size_request: z
              .enum(["X_SMALL", "SMALL", "MEDIUM", "LARGE", "X_LARGE", "XX_LARGE", "CUSTOM_SIZE"])
              .nullish(),
            keep_alive_time_seconds: z.number().int().positive().max(172800).nullish(),
          })
          .nullish(),
      })
      .nullish(),
    metadata: z.record(z.string(), z.string()).nullish(),
    reference_output: z.string().nullish(),
    required_environment_variables: z.array(z.string()).nullish(),
    required_secret_names: z.array(z.string()).nullish(),
    scorer_timeout_sec: z.number().int().positive().nullish(),
    validation_type: z.enum(["UNSPECIFIED", "FORWARD", "REVERSE", "EVALUATION"]).nullish(),
  })
  .refine(
    (body) =>
      Math.abs(body.scoring_contract.scoring_function_parameters.reduce((sum, f) => sum + f.weight, 0) - 1) <
      1e-9,
    "the weights of the scoring functions must sum to 1",
  );

const nullableNumber = z.number().nullable();
const split = z.enum(["train", "test"]).nullable();

export const RlRolloutSchema = z.strictObject({
  id: z.string(),
  instance_id: z.string(),
  scenario: z.string().regex(/^suite\/(train\/|test\/)?scenarios\/[^/]+\.json$/),
  repo: z.string(),
  base_commit: z.string(),
  run_id: z.string(),
  attempt: z.number().int().positive(),
  agent: z.string(),
  model: z.string().nullable(),
  prompt: z.string().min(1),
  completion: z.string(),
  reward: z.number().min(0).max(1),
  resolved: z.boolean(),
  status: z.enum(["scored", "agent_error", "timeout"]),
  group_size: z.number().int().positive(),
  group_mean: z.number(),
  group_std: z.number().min(0),
  advantage: z.number(),
  solve_rate: nullableNumber,
  bucket: z.enum(["easy", "medium", "hard", "unsolved"]),
  split,
});

export const RlGroupSchema = z.strictObject({
  instance_id: z.string(),
  prompt: z.string(),
  agents: z.array(z.string()).min(1),
  size: z.number().int().positive(),
  resolved: z.number().int().nonnegative(),
  mean: z.number(),
  std: z.number().min(0),
  informative: z.boolean(),
  rollout_ids: z.array(z.string()),
  rewards: z.array(z.number()),
  advantages: z.array(z.number()),
  split,
});

/** Chat fine-tuning rows: messages with the standard roles, text content. */
export const SftRowSchema = z.strictObject({
  id: z.string(),
  instance_id: z.string(),
  scenario: z.string(),
  run_id: z.string(),
  attempt: z.number().int().positive(),
  agent: z.string(),
  model: z.string().nullable(),
  reward: z.number(),
  messages: z
    .array(z.strictObject({ role: z.enum(["system", "user", "assistant", "tool"]), content: z.string() }))
    .min(2),
  solve_rate: nullableNumber,
  bucket: z.string(),
  split,
});

/** Preference rows: prompt / chosen / rejected (TRL's preference dataset columns) plus provenance. */
export const PreferenceRowSchema = z
  .strictObject({
    id: z.string(),
    instance_id: z.string(),
    prompt: z.string().min(1),
    chosen: z.string(),
    rejected: z.string(),
    chosen_reward: z.number(),
    rejected_reward: z.number(),
    chosen_id: z.string(),
    rejected_id: z.string(),
    chosen_agent: z.string(),
    rejected_agent: z.string(),
    solve_rate: nullableNumber,
    split,
  })
  .refine((row) => row.chosen_reward > row.rejected_reward, "chosen must have the higher reward")
  .refine((row) => row.chosen !== row.rejected, "chosen and rejected must differ");

export const CurriculumRowSchema = z.strictObject({
  instance_id: z.string(),
  repo: z.string(),
  scenario: z.string(),
  source_kind: z.string(),
  source_sha: z.string(),
  base_commit: z.string(),
  created_at: z.string(),
  framework: z.string(),
  fail_to_pass: z.number().int(),
  pass_to_pass: z.number().int(),
  lines: z.number().int(),
  rollouts: z.number().int(),
  resolved: z.number().int(),
  solve_rate: nullableNumber,
  bucket: z.enum(["easy", "medium", "hard", "unsolved", "untried"]),
  split,
});
