/**
 * The reward service's wire format (`repogym serve`): request and response schemas, and the
 * checks that turn a request body into a batch or into the one reason it is refused. Pure.
 */
import { z } from "zod";
import { RolloutSchema } from "../../core/rollout.js";
import { formatPath } from "../../core/schema-error.js";

/** Echoed back unchanged on the item's result, so a client can match results without counting. */
export const RequestIdSchema = z.union([z.string().max(256), z.number()]);

export const ScoreItemSchema = z.strictObject({
  /** A scenario of the suite the server was started with. */
  instance_id: z.string().min(1),
  /** A unified diff against the scenario's starting state; "" (or null, as SWE-bench writes) for none. */
  patch: z.string().nullable(),
  /** Recorded as the rollout's agent.model; default "serve". */
  model_name_or_path: z.string().optional(),
  request_id: RequestIdSchema.optional(),
});
export type ScoreItem = z.infer<typeof ScoreItemSchema>;

export const ScoreRequestSchema = z.strictObject({
  items: z.array(ScoreItemSchema).min(1),
  /** Time limit for the whole request, queue wait included; default and maximum: the server's --timeout. */
  timeout_s: z.number().positive().optional(),
});
export type ScoreRequest = z.infer<typeof ScoreRequestSchema>;

/** A rollout@1 record, with the item's request_id when it had one. */
export const ScoredItemSchema = RolloutSchema.extend({ request_id: RequestIdSchema.optional() });
export type ScoredItem = z.infer<typeof ScoredItemSchema>;

/** 200: every item scored. 504: the deadline passed; the items it cut are infra_error records. */
export const ScoreResponseSchema = z.object({
  run_id: z.string().min(1),
  results: z.array(ScoredItemSchema),
  /** Only on 504: what happened and how many items finished. */
  error: z.string().optional(),
});
export type ScoreResponse = z.infer<typeof ScoreResponseSchema>;

/** 400, 404, 405, 413, 429, 503: one reason; 429 and 503 also say when to retry. */
export const ErrorResponseSchema = z.object({
  error: z.string().min(1),
  retry_after_s: z.number().int().positive().optional(),
});
export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;

export const HealthSchema = z.object({
  status: z.enum(["ok", "draining"]),
  version: z.string(),
  scenarios: z.number().int().nonnegative(),
  inflight: z.number().int().nonnegative(),
  queued: z.number().int().nonnegative(),
  capacity: z.object({
    concurrency: z.number().int().positive(),
    queue: z.number().int().nonnegative(),
    max_batch: z.number().int().positive(),
    max_body_bytes: z.number().int().positive(),
    max_timeout_s: z.number().positive(),
  }),
});
export type Health = z.infer<typeof HealthSchema>;

export interface RequestLimits {
  maxBatch: number;
  maxTimeoutS: number;
  /** The suite's instance ids. */
  scenarioIds: ReadonlySet<string>;
}

export type ParsedRequest = { ok: true; request: ScoreRequest } | { ok: false; error: string };

const MAX_LISTED = 5;

function listProblems(problems: string[]): string {
  const more = problems.length > MAX_LISTED ? ` (and ${problems.length - MAX_LISTED} more)` : "";
  return `${problems.slice(0, MAX_LISTED).join("; ")}${more}`;
}

/**
 * A request body as a batch, or why not, naming the field: JSON syntax, then the batch size
 * (before validating thousands of items), then the schema, the time limit and the instance ids.
 */
export function parseScoreRequest(body: string, limits: RequestLimits): ParsedRequest {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (error) {
    return { ok: false, error: `body: not valid JSON (${(error as Error).message})` };
  }
  const items = (data as { items?: unknown } | null)?.items;
  if (Array.isArray(items) && items.length > limits.maxBatch) {
    return {
      ok: false,
      error: `field items: at most ${limits.maxBatch} items per request, got ${items.length}; split the batch`,
    };
  }
  const parsed = ScoreRequestSchema.safeParse(data);
  if (!parsed.success) {
    return {
      ok: false,
      error: listProblems(
        parsed.error.issues.map((issue) => `field ${formatPath(issue.path)}: ${issue.message}`),
      ),
    };
  }
  const request = parsed.data;
  if (request.timeout_s !== undefined && request.timeout_s > limits.maxTimeoutS) {
    return {
      ok: false,
      error: `field timeout_s: at most ${limits.maxTimeoutS} (the server's --timeout), got ${request.timeout_s}`,
    };
  }
  const unknown = request.items.flatMap((item, index) =>
    limits.scenarioIds.has(item.instance_id)
      ? []
      : [`field items[${index}].instance_id: no scenario "${item.instance_id}" in the suite`],
  );
  if (unknown.length > 0) {
    return {
      ok: false,
      error: `${listProblems(unknown)} (the suite has ${limits.scenarioIds.size} scenarios; nothing was scored)`,
    };
  }
  return { ok: true, request };
}
