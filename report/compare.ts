import type { ResultRollout, Results } from "../core/results.js";
import { mean, type RunSummary, standardDeviation, summarizeRun } from "../runner/run-summary.js";

/** The run summary of results (pure): the same numbers `repogym run` prints. */
export function summarizeResults(results: Results): RunSummary {
  return summarizeRun({
    run_id: results.run_id,
    agent: results.agent.name,
    attempts: results.attempts,
    scenarios: results.scenarios.map((s) => ({ instance_id: s.instance_id, difficulty: { lines: s.lines } })),
    rollouts: results.rollouts.map((r) => ({ ...r, run_id: results.run_id })),
  });
}

export type ScenarioChange = "regression" | "improvement" | "unchanged" | "new" | "removed" | "no-reward";

export interface ScenarioSide {
  /** Mean reward over rewarded attempts; null when every attempt was an infra error. */
  mean: number | null;
  attempts: number;
  resolved: number;
  infra_errors: number;
  duration_ms: number;
  cost_usd: number | null;
  /** The first recorded reason, if any attempt has one. */
  reason?: string;
}

export interface ScenarioComparison {
  instance_id: string;
  lines: number;
  current: ScenarioSide | null;
  base: ScenarioSide | null;
  /** current.mean - base.mean when both exist. */
  delta: number | null;
  change: ScenarioChange;
  /**
   * True when the change is beyond the pooled spread of both sides' attempts (about 2 standard
   * errors: some 5% false alarms when nothing changed). Two attempts a side are never enough.
   */
  beyond_noise: boolean;
}

export interface MetricComparison {
  current: number | null;
  base: number | null;
  /** Change over the scenarios both runs share (paired), null without a base or overlap. */
  delta: number | null;
  /** Standard error of `delta` from the spread of rewards on both sides. */
  noise: number | null;
  /** |delta| > 2 noise: about a 95% chance the change is not runner noise. */
  significant: boolean;
}

export interface Comparison {
  current: Results;
  base: Results | null;
  summary: RunSummary;
  base_summary: RunSummary | null;
  /** Scenarios run on both sides. */
  shared: number;
  reward: MetricComparison & { std: number | null };
  resolved_rate: MetricComparison;
  scenarios: ScenarioComparison[];
  totals: {
    duration_ms: number;
    cost_usd: number | null;
    input_tokens: number | null;
    output_tokens: number | null;
  };
}

/** One scenario's rollouts in a run: mean reward, attempts, resolved, time, cost, first reason (pure). */
export function scenarioSide(rollouts: readonly ResultRollout[]): ScenarioSide {
  const rewarded = rollouts.filter((r) => r.reward !== null);
  const costs = rollouts.filter((r) => r.cost_usd !== undefined).map((r) => r.cost_usd as number);
  const reason = rollouts.find((r) => r.reason)?.reason;
  return {
    mean: mean(rewarded.map((r) => r.reward as number)),
    attempts: rollouts.length,
    resolved: rollouts.filter((r) => r.resolved).length,
    infra_errors: rollouts.length - rewarded.length,
    duration_ms: rollouts.reduce((t, r) => t + r.duration_ms, 0),
    cost_usd: costs.length === 0 ? null : costs.reduce((a, b) => a + b, 0),
    ...(reason ? { reason } : {}),
  };
}

function groupRollouts(results: Results): Map<string, ResultRollout[]> {
  const groups = new Map<string, ResultRollout[]>();
  for (const r of results.rollouts) {
    const list = groups.get(r.instance_id) ?? [];
    list.push(r);
    groups.set(r.instance_id, list);
  }
  return groups;
}

function rewardsOf(rollouts: readonly ResultRollout[]): number[] {
  return rollouts.filter((r) => r.reward !== null).map((r) => r.reward as number);
}

/** Standard error of a difference of two means, from their samples; null when either is empty. */
function standardErrorOfDifference(a: readonly number[], b: readonly number[]): number | null {
  if (a.length === 0 || b.length === 0) return null;
  const sa = standardDeviation(a) ?? 0;
  const sb = standardDeviation(b) ?? 0;
  return Math.sqrt((sa * sa) / a.length + (sb * sb) / b.length);
}

const EPSILON = 1e-9;

/**
 * Standard error of a difference of two small samples under "no change": the spread of both
 * samples pooled. Per scenario there are only a few attempts, often all with the same outcome
 * (1,1 vs 0,0); each side's own spread is then 0 and would call every such flip beyond noise,
 * one in eight scenarios at a 50% solve rate with two attempts. Pooled, it takes three
 * attempts a side of all-pass against all-fail to stand out.
 */
function pooledStandardError(a: readonly number[], b: readonly number[]): number | null {
  if (a.length === 0 || b.length === 0) return null;
  const spread = standardDeviation([...a, ...b]) ?? 0;
  return spread * Math.sqrt(1 / a.length + 1 / b.length);
}

function metric(current: number | null, base: number | null, delta: number | null, noise: number | null) {
  // Not `delta !== 0`: means of equal rewards over different counts differ in the last bit
  // (3 × 0.1 / 3 is not 0.1), and with zero noise that would read as significant.
  const significant =
    delta !== null && noise !== null && Math.abs(delta) > 2 * noise && Math.abs(delta) > EPSILON;
  return { current, base, delta, noise, significant };
}

/**
 * Compares a run with the base branch's latest run (pure). Headline numbers are each run's
 * own; the change is measured on the scenarios both ran, so a different sample or a new
 * scenario does not read as a regression. Noise is the standard error of the change from the
 * spread of rewards, so a gate can ask whether a drop is beyond what reruns produce.
 */
export function compareResults(current: Results, base: Results | null): Comparison {
  const summary = summarizeResults(current);
  const baseSummary = base ? summarizeResults(base) : null;
  const now = groupRollouts(current);
  const before = base ? groupRollouts(base) : new Map<string, ResultRollout[]>();
  const lines = new Map<string, number>();
  for (const s of base?.scenarios ?? []) lines.set(s.instance_id, s.lines);
  for (const s of current.scenarios) lines.set(s.instance_id, s.lines);
  const ids = [
    ...new Set([
      ...current.scenarios.map((s) => s.instance_id),
      ...(base?.scenarios ?? []).map((s) => s.instance_id),
    ]),
  ].sort();
  const inCurrentIds = new Set(current.scenarios.map((s) => s.instance_id));
  const inBaseIds = new Set((base?.scenarios ?? []).map((s) => s.instance_id));

  const scenarios: ScenarioComparison[] = [];
  const sharedNow: ResultRollout[] = [];
  const sharedBefore: ResultRollout[] = [];
  for (const id of ids) {
    const inCurrent = inCurrentIds.has(id);
    const inBase = inBaseIds.has(id);
    const cur = inCurrent ? scenarioSide(now.get(id) ?? []) : null;
    const old = inBase ? scenarioSide(before.get(id) ?? []) : null;
    let change: ScenarioChange;
    let delta: number | null = null;
    let beyond = false;
    if (cur && !old) change = base ? "new" : "unchanged";
    else if (!cur) change = "removed";
    else if (cur.mean === null || old!.mean === null) change = "no-reward";
    else {
      delta = cur.mean - old!.mean;
      change = delta < -EPSILON ? "regression" : delta > EPSILON ? "improvement" : "unchanged";
      const a = rewardsOf(now.get(id) ?? []);
      const b = rewardsOf(before.get(id) ?? []);
      const se = pooledStandardError(a, b);
      beyond =
        change !== "unchanged" && a.length > 1 && b.length > 1 && se !== null && Math.abs(delta) > 2 * se;
    }
    if (cur && old) {
      sharedNow.push(...(now.get(id) ?? []));
      sharedBefore.push(...(before.get(id) ?? []));
    }
    scenarios.push({
      instance_id: id,
      lines: lines.get(id) ?? 0,
      current: cur,
      base: old,
      delta,
      change,
      beyond_noise: beyond,
    });
  }

  const shared = scenarios.filter((s) => s.current && s.base).length;
  const nowRewards = rewardsOf(sharedNow);
  const beforeRewards = rewardsOf(sharedBefore);
  const rewardDelta =
    base && nowRewards.length > 0 && beforeRewards.length > 0
      ? mean(nowRewards)! - mean(beforeRewards)!
      : null;
  const resolvedRate = (list: readonly ResultRollout[]) => {
    const rewarded = list.filter((r) => r.reward !== null);
    return rewarded.length === 0 ? null : rewarded.filter((r) => r.resolved).length / rewarded.length;
  };
  const resolvedNow = resolvedRate(sharedNow);
  const resolvedBefore = resolvedRate(sharedBefore);
  const resolvedDelta =
    base && resolvedNow !== null && resolvedBefore !== null ? resolvedNow - resolvedBefore : null;
  const resolvedFlags = (list: readonly ResultRollout[]) =>
    list.filter((r) => r.reward !== null).map((r) => (r.resolved ? 1 : 0));

  const costs = current.rollouts.filter((r) => r.cost_usd !== undefined);
  const inputs = current.rollouts.filter((r) => r.input_tokens !== undefined);
  const outputs = current.rollouts.filter((r) => r.output_tokens !== undefined);
  return {
    current,
    base,
    summary,
    base_summary: baseSummary,
    shared,
    reward: {
      ...metric(
        summary.reward.mean,
        baseSummary?.reward.mean ?? null,
        rewardDelta,
        rewardDelta === null ? null : standardErrorOfDifference(nowRewards, beforeRewards),
      ),
      std: summary.reward.std,
    },
    resolved_rate: metric(
      summary.resolved_rate,
      baseSummary?.resolved_rate ?? null,
      resolvedDelta,
      resolvedDelta === null
        ? null
        : standardErrorOfDifference(resolvedFlags(sharedNow), resolvedFlags(sharedBefore)),
    ),
    scenarios,
    totals: {
      duration_ms: current.rollouts.reduce((t, r) => t + r.duration_ms, 0),
      cost_usd: costs.length === 0 ? null : costs.reduce((t, r) => t + (r.cost_usd as number), 0),
      input_tokens: inputs.length === 0 ? null : inputs.reduce((t, r) => t + (r.input_tokens as number), 0),
      output_tokens:
        outputs.length === 0 ? null : outputs.reduce((t, r) => t + (r.output_tokens as number), 0),
    },
  };
}
