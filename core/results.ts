import { z } from "zod";
import { ConfigError } from "./errors.js";
import { RolloutStatusSchema } from "./rollout.js";
import { parseWithSchema } from "./schema-error.js";

export const RESULTS_SCHEMA = "repogym/results@1";

/**
 * Caps for results read from elsewhere (a fork's artifact, the history branch): they are
 * untrusted data, so every size is bounded before anything is rendered from them.
 */
export const RESULTS_LIMITS = {
  maxBytes: 8 * 1024 * 1024,
  maxScenarios: 5000,
  maxRollouts: 50_000,
  maxReason: 500,
} as const;

/** Instance ids and run ids: what repogym writes, and nothing that could carry markup. */
const safeId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "expected letters, digits, '.', '_' or '-'");
const sha = z.string().regex(/^[0-9a-f]{40}$/, "expected a 40-character commit sha");
const count = z.number().int().nonnegative();

export const ResultScenarioSchema = z
  .object({
    instance_id: safeId,
    /** Lines changed by the gold patch: the difficulty bucket is computed from it. */
    lines: count,
    files: count,
    created_at: z.string().max(40).optional(),
  })
  .strict();
export type ResultScenario = z.infer<typeof ResultScenarioSchema>;

export const ResultRolloutSchema = z
  .object({
    instance_id: safeId,
    attempt: z.number().int().positive(),
    status: RolloutStatusSchema,
    reward: z.number().min(0).max(1).nullable(),
    resolved: z.boolean(),
    reason: z.string().max(RESULTS_LIMITS.maxReason).optional(),
    duration_ms: z.number().nonnegative(),
    input_tokens: z.number().nonnegative().optional(),
    output_tokens: z.number().nonnegative().optional(),
    cost_usd: z.number().nonnegative().optional(),
  })
  .strict();
export type ResultRollout = z.infer<typeof ResultRolloutSchema>;

/**
 * The compact result of one run (or one shard of it) on one commit: what the Action keeps in
 * history, uploads as an artifact and renders into comments. Rollout records carry patches
 * and logs; this carries only what reports need, so it stays small and safe to pass around.
 */
export const ResultsSchema = z
  .object({
    schema: z.literal(RESULTS_SCHEMA),
    tool_version: z.string().max(100),
    repo: z
      .string()
      .max(200)
      .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "expected owner/name"),
    /** The commit evaluated: the PR head, or the pushed commit. */
    commit: sha,
    /** The branch the commit was evaluated on, when known. */
    ref: z.string().max(255).optional(),
    pull_request: z
      .object({
        number: z.number().int().positive(),
        head_sha: sha,
        base_sha: sha,
        base_ref: z.string().max(255),
      })
      .strict()
      .optional(),
    run_id: safeId,
    created_at: z.string().max(40),
    agent: z.object({ name: z.string().min(1).max(100), model: z.string().max(100).optional() }).strict(),
    attempts: z.number().int().positive(),
    /** Set on one shard of a sharded run: which slice of the scenarios it ran. */
    shard: z
      .object({ index: z.number().int().positive(), count: z.number().int().positive() })
      .strict()
      .refine((s) => s.index <= s.count, { message: "expected index <= count" })
      .optional(),
    scenarios: z.array(ResultScenarioSchema).max(RESULTS_LIMITS.maxScenarios),
    rollouts: z.array(ResultRolloutSchema).max(RESULTS_LIMITS.maxRollouts),
    /** Where to see more: the workflow run, the artifact. http(s) only. */
    links: z
      .object({
        run: z
          .url({ protocol: /^https?$/ })
          .max(500)
          .optional(),
        artifact: z
          .url({ protocol: /^https?$/ })
          .max(500)
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((results, ctx) => {
    const ids = new Set<string>();
    for (const [i, s] of results.scenarios.entries()) {
      if (ids.has(s.instance_id)) {
        ctx.addIssue({
          code: "custom",
          path: ["scenarios", i, "instance_id"],
          message: "duplicate scenario",
        });
      }
      ids.add(s.instance_id);
    }
    const seen = new Set<string>();
    for (const [i, r] of results.rollouts.entries()) {
      if (!ids.has(r.instance_id)) {
        ctx.addIssue({
          code: "custom",
          path: ["rollouts", i, "instance_id"],
          message: "not one of the results' scenarios",
        });
      }
      if (r.attempt > results.attempts) {
        ctx.addIssue({ code: "custom", path: ["rollouts", i, "attempt"], message: "above attempts" });
      }
      const key = `${r.instance_id}\0${r.attempt}`;
      if (seen.has(key)) {
        ctx.addIssue({
          code: "custom",
          path: ["rollouts", i],
          message: "a second record for the same scenario and attempt",
        });
      }
      seen.add(key);
      if ((r.status === "infra_error") !== (r.reward === null)) {
        ctx.addIssue({
          code: "custom",
          path: ["rollouts", i, "reward"],
          message: "expected null exactly when the status is infra_error",
        });
      }
    }
  });
export type Results = z.infer<typeof ResultsSchema>;

/**
 * Reads results from text that came from elsewhere: size-capped before parsing, schema-checked
 * after; one ConfigError naming `where` otherwise. Never evaluates anything.
 */
export function parseResults(text: string | Buffer, where: string): Results {
  const bytes = typeof text === "string" ? Buffer.byteLength(text) : text.length;
  if (bytes > RESULTS_LIMITS.maxBytes) {
    throw new ConfigError(
      `results are ${bytes} bytes, above the ${RESULTS_LIMITS.maxBytes}-byte limit; refusing to read them`,
      where,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(typeof text === "string" ? text : text.toString("utf8"));
  } catch (error) {
    throw new ConfigError(`not valid JSON: ${(error as Error).message}`, where);
  }
  return parseWithSchema(ResultsSchema, data, where);
}

/** What results need of a scenario. */
export interface ResultsScenarioInput {
  instance_id: string;
  created_at?: string;
  difficulty: { lines: number; files: number };
}

/** What results need of a rollout record (`repogym/rollout@1`). */
export interface ResultsRolloutInput {
  instance_id: string;
  attempt: number;
  status: ResultRollout["status"];
  reward: number | null;
  resolved: boolean;
  reason?: string;
  durations: { setup_ms: number; agent_ms: number; score_ms: number };
  usage?: { input_tokens?: number; output_tokens?: number; cost_usd?: number };
}

/** Compact results from a run's scenarios and rollout records (pure); checked against the schema. */
export function resultsFromRun(
  input: Omit<Results, "schema" | "scenarios" | "rollouts"> & {
    scenarios: readonly ResultsScenarioInput[];
    rollouts: readonly ResultsRolloutInput[];
  },
): Results {
  const { scenarios, rollouts, ...rest } = input;
  const results: Results = {
    schema: RESULTS_SCHEMA,
    ...rest,
    scenarios: scenarios
      .map((s) => ({
        instance_id: s.instance_id,
        lines: s.difficulty.lines,
        files: s.difficulty.files,
        ...(s.created_at ? { created_at: s.created_at } : {}),
      }))
      .sort((a, b) => a.instance_id.localeCompare(b.instance_id)),
    rollouts: rollouts
      .map((r) => ({
        instance_id: r.instance_id,
        attempt: r.attempt,
        status: r.status,
        reward: r.reward,
        resolved: r.resolved,
        ...(r.reason ? { reason: truncate(r.reason.split("\n")[0] ?? "", RESULTS_LIMITS.maxReason) } : {}),
        duration_ms: r.durations.setup_ms + r.durations.agent_ms + r.durations.score_ms,
        ...(r.usage?.input_tokens !== undefined ? { input_tokens: r.usage.input_tokens } : {}),
        ...(r.usage?.output_tokens !== undefined ? { output_tokens: r.usage.output_tokens } : {}),
        ...(r.usage?.cost_usd !== undefined ? { cost_usd: r.usage.cost_usd } : {}),
      }))
      .sort((a, b) => a.instance_id.localeCompare(b.instance_id) || a.attempt - b.attempt),
  };
  return parseWithSchema(ResultsSchema, results, "results");
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Combines the shards of one sharded run into one result (pure). The shards must be of the
 * same commit, agent and attempts, with disjoint scenarios; shards that never arrived are
 * named in `missing` so a report can say the result is partial.
 */
export function mergeResults(parts: readonly Results[]): { results: Results; missing: number[] } {
  const first = parts[0];
  if (!first) throw new ConfigError("no shard results to merge", "merge");
  const count = first.shard?.count ?? 1;
  const indexes = new Set<number>();
  const seenScenarios = new Set<string>();
  for (const [i, part] of parts.entries()) {
    const where = `shard results #${i + 1}`;
    for (const [field, a, b] of [
      ["repo", part.repo, first.repo],
      ["commit", part.commit, first.commit],
      ["agent", part.agent.name, first.agent.name],
      ["attempts", String(part.attempts), String(first.attempts)],
      ["shard count", String(part.shard?.count ?? 1), String(count)],
    ] as const) {
      if (a !== b) throw new ConfigError(`${field} is ${a}, but the first shard's is ${b}`, where);
    }
    const index = part.shard?.index ?? 1;
    if (indexes.has(index)) throw new ConfigError(`shard ${index}/${count} appears twice`, where);
    indexes.add(index);
    for (const s of part.scenarios) {
      if (seenScenarios.has(s.instance_id)) {
        throw new ConfigError(`scenario ${s.instance_id} is in two shards; shards must be disjoint`, where);
      }
      seenScenarios.add(s.instance_id);
    }
  }
  const missing: number[] = [];
  for (let i = 1; i <= count; i++) if (!indexes.has(i)) missing.push(i);
  const ordered = [...parts].sort((a, b) => (a.shard?.index ?? 1) - (b.shard?.index ?? 1));
  const { shard: _shard, ...base } = ordered[0]!;
  const merged: Results = {
    ...base,
    created_at: ordered.map((p) => p.created_at).sort()[0]!,
    scenarios: ordered.flatMap((p) => p.scenarios).sort((a, b) => a.instance_id.localeCompare(b.instance_id)),
    rollouts: ordered
      .flatMap((p) => p.rollouts)
      .sort((a, b) => a.instance_id.localeCompare(b.instance_id) || a.attempt - b.attempt),
  };
  return { results: parseWithSchema(ResultsSchema, merged, "merged results"), missing };
}
