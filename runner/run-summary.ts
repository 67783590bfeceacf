import type { Rollout, RolloutStatus } from "../core/rollout.js";
import type { Difficulty } from "../core/scenario.js";

/**
 * The numbers a run is judged by, computed from its rollout records (pure). Rewards count
 * every rollout that has one (scored, agent_error and timeout, the last two as 0);
 * infrastructure errors have none and are counted apart, never as failures or successes.
 */
export interface RunSummary {
  run_id: string;
  agent: string;
  scenarios: number;
  attempts: number;
  /** Records in the run (one per scenario and attempt once the run is complete). */
  rollouts: number;
  status: Record<RolloutStatus, number>;
  /** Rollouts with a reward (all but infra errors). */
  rewarded: number;
  /** Mean reward and its sample standard deviation over rewarded rollouts; null without any. */
  reward: { mean: number | null; std: number | null };
  /** Resolved rollouts over rewarded rollouts; null without any. */
  resolved_rate: number | null;
  /** pass@k for k = 1..attempts (unbiased estimator, averaged over scenarios with at least k rewarded attempts). */
  pass_at_k: Array<{ k: number; value: number | null; scenarios: number }>;
  by_difficulty: DifficultyBucketSummary[];
}

export interface DifficultyBucketSummary {
  bucket: string;
  scenarios: number;
  rollouts: number;
  infra_errors: number;
  mean_reward: number | null;
  resolved_rate: number | null;
}

/** Buckets on `difficulty.lines` (lines changed by the gold patch), inclusive upper bounds. */
export const DIFFICULTY_BUCKETS: ReadonlyArray<{ name: string; maxLines: number }> = [
  { name: "lines 1-10", maxLines: 10 },
  { name: "lines 11-50", maxLines: 50 },
  { name: "lines 51-200", maxLines: 200 },
  { name: "lines 201+", maxLines: Number.POSITIVE_INFINITY },
];

export function difficultyBucket(difficulty: Pick<Difficulty, "lines">): string {
  return DIFFICULTY_BUCKETS.find((b) => difficulty.lines <= b.maxLines)!.name;
}

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample standard deviation (n - 1); 0 for one value, null for none. */
export function standardDeviation(values: readonly number[]): number | null {
  const m = mean(values);
  if (m === null) return null;
  if (values.length === 1) return 0;
  const squares = values.reduce((total, v) => total + (v - m) ** 2, 0);
  return Math.sqrt(squares / (values.length - 1));
}

/**
 * The unbiased pass@k estimator for one scenario with n attempts of which c resolved:
 * 1 - C(n-c, k) / C(n, k), computed as a product to stay exact for large n.
 */
export function passAtK(n: number, c: number, k: number): number {
  if (!(Number.isInteger(n) && Number.isInteger(c) && Number.isInteger(k)) || k < 1 || c < 0 || c > n) {
    throw new RangeError(`pass@k needs whole numbers 0 <= c <= n and k >= 1, got n=${n} c=${c} k=${k}`);
  }
  if (k > n) throw new RangeError(`pass@${k} needs at least ${k} attempts, got ${n}`);
  if (n - c < k) return 1;
  let fail = 1;
  for (let i = n - c + 1; i <= n; i++) fail *= 1 - k / i;
  return 1 - fail;
}

export interface SummaryScenario {
  instance_id: string;
  difficulty: Pick<Difficulty, "lines">;
}

/** What a summary needs of a rollout: full records and the compact ones in results both fit. */
export type SummaryRollout = Pick<Rollout, "run_id" | "instance_id" | "status" | "reward" | "resolved">;

export function summarizeRun(input: {
  run_id: string;
  agent: string;
  attempts: number;
  scenarios: readonly SummaryScenario[];
  rollouts: readonly SummaryRollout[];
}): RunSummary {
  const ids = new Set(input.scenarios.map((s) => s.instance_id));
  const rollouts = input.rollouts.filter((r) => r.run_id === input.run_id && ids.has(r.instance_id));
  const status: Record<RolloutStatus, number> = { scored: 0, agent_error: 0, timeout: 0, infra_error: 0 };
  for (const r of rollouts) status[r.status]++;
  const rewarded = rollouts.filter((r) => r.reward !== null);
  const rewards = rewarded.map((r) => r.reward as number);

  const byScenario = new Map<string, SummaryRollout[]>();
  for (const r of rewarded) {
    const list = byScenario.get(r.instance_id) ?? [];
    list.push(r);
    byScenario.set(r.instance_id, list);
  }
  const passAt: RunSummary["pass_at_k"] = [];
  for (let k = 1; k <= input.attempts; k++) {
    const values: number[] = [];
    for (const list of byScenario.values()) {
      if (list.length < k) continue;
      values.push(passAtK(list.length, list.filter((r) => r.resolved).length, k));
    }
    passAt.push({ k, value: mean(values), scenarios: values.length });
  }

  const bucketOf = new Map(input.scenarios.map((s) => [s.instance_id, difficultyBucket(s.difficulty)]));
  const by_difficulty: DifficultyBucketSummary[] = [];
  for (const { name } of DIFFICULTY_BUCKETS) {
    const scenarios = input.scenarios.filter((s) => bucketOf.get(s.instance_id) === name);
    if (scenarios.length === 0) continue;
    const inBucket = rollouts.filter((r) => bucketOf.get(r.instance_id) === name);
    const scored = inBucket.filter((r) => r.reward !== null);
    by_difficulty.push({
      bucket: name,
      scenarios: scenarios.length,
      rollouts: inBucket.length,
      infra_errors: inBucket.length - scored.length,
      mean_reward: mean(scored.map((r) => r.reward as number)),
      resolved_rate: scored.length === 0 ? null : scored.filter((r) => r.resolved).length / scored.length,
    });
  }

  return {
    run_id: input.run_id,
    agent: input.agent,
    scenarios: input.scenarios.length,
    attempts: input.attempts,
    rollouts: rollouts.length,
    status,
    rewarded: rewarded.length,
    reward: { mean: mean(rewards), std: standardDeviation(rewards) },
    resolved_rate: rewarded.length === 0 ? null : rewarded.filter((r) => r.resolved).length / rewarded.length,
    pass_at_k: passAt,
    by_difficulty,
  };
}

function fixed(value: number | null, digits = 3): string {
  return value === null ? "n/a" : value.toFixed(digits);
}

function percent(value: number | null): string {
  return value === null ? "n/a" : `${(value * 100).toFixed(1)}%`;
}

/** The summary as a few plain lines for a terminal or a CI log. */
export function renderRunSummary(summary: RunSummary): string {
  const lines = [
    `Run ${summary.run_id}: agent ${summary.agent}, ${summary.scenarios} scenarios x ${summary.attempts} attempts`,
    `  rollouts      ${summary.rollouts} (scored ${summary.status.scored}, agent errors ${summary.status.agent_error}, timeouts ${summary.status.timeout}, infra errors ${summary.status.infra_error})`,
    `  reward        mean ${fixed(summary.reward.mean)} ± ${fixed(summary.reward.std)} over ${summary.rewarded} rollouts`,
    `  resolved      ${percent(summary.resolved_rate)}`,
    ...summary.pass_at_k.map(
      (p) =>
        `  pass@${p.k}${" ".repeat(Math.max(1, 7 - String(p.k).length))}${percent(p.value)} (${p.scenarios} scenarios)`,
    ),
  ];
  if (summary.status.infra_error > 0) {
    lines.push(
      `  note          ${summary.status.infra_error} infra errors are not counted in reward or resolved`,
    );
  }
  if (summary.by_difficulty.length > 0) {
    lines.push("  by difficulty:");
    for (const b of summary.by_difficulty) {
      lines.push(
        `    ${b.bucket.padEnd(14)} ${b.scenarios} scenarios, ${b.rollouts} rollouts, reward ${fixed(b.mean_reward)}, resolved ${percent(b.resolved_rate)}${b.infra_errors > 0 ? `, ${b.infra_errors} infra errors` : ""}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
