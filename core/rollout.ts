import { z } from "zod";

export const ROLLOUT_SCHEMA = "repogym/rollout@1";

export const RolloutStatusSchema = z.enum(["scored", "agent_error", "timeout", "infra_error"]);
export type RolloutStatus = z.infer<typeof RolloutStatusSchema>;

const TestOutcomes = z.object({ success: z.array(z.string()), failure: z.array(z.string()) });

export const ScoreSchema = z.object({
  scorer: z.string().min(1),
  weight: z.number().min(0).max(1),
  score: z.number().min(0).max(1),
  details: z.record(z.string(), z.unknown()),
});
export type Score = z.infer<typeof ScoreSchema>;

/**
 * One agent attempt on one scenario (DESIGN.md "Rollout record"), one JSON line each in
 * `rollouts.jsonl`. `tests` has SWE-bench's report shape. An infrastructure failure is never
 * scored as an agent failure, and never as a success: its reward is null.
 */
export const RolloutSchema = z.object({
  schema: z.literal(ROLLOUT_SCHEMA),
  run_id: z.string().min(1),
  instance_id: z.string().min(1),
  attempt: z.number().int().nonnegative(),
  agent: z.object({ name: z.string().min(1), version: z.string().optional(), model: z.string().optional() }),
  status: RolloutStatusSchema,
  /** Weighted sum of the scores; null when the rollout could not be scored (infra_error). */
  reward: z.number().min(0).max(1).nullable(),
  resolved: z.boolean(),
  /** Why the reward is what it is, when something went wrong (timeout, tampering, crash). */
  reason: z.string().optional(),
  scores: z.array(ScoreSchema),
  tests: z.object({ FAIL_TO_PASS: TestOutcomes, PASS_TO_PASS: TestOutcomes }),
  model_patch: z.string(),
  durations: z.object({
    setup_ms: z.number().nonnegative(),
    agent_ms: z.number().nonnegative(),
    score_ms: z.number().nonnegative(),
  }),
  usage: z
    .object({
      input_tokens: z.number().nonnegative().optional(),
      output_tokens: z.number().nonnegative().optional(),
      cost_usd: z.number().nonnegative().optional(),
    })
    .optional(),
  logs: z.object({
    agent: z.string().optional(),
    tests: z.string().optional(),
    trajectory: z.string().optional(),
  }),
  finished_at: z.string(),
});
export type Rollout = z.infer<typeof RolloutSchema>;
