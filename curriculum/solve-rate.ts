/**
 * Curriculum rules over plain data: empirical solve rates from rollouts, difficulty buckets,
 * the informative filter, a time split (`--after`) and a train/test split that keeps every
 * commit on one side. Pure: no I/O, no clock.
 */
import { createHash } from "node:crypto";
import { ConfigError } from "../core/errors.js";
import type { Rollout } from "../core/rollout.js";
import type { Scenario } from "../core/scenario.js";

/**
 * How hard a scenario turned out to be for the agents that tried it: `unsolved` (tried, never
 * resolved), `hard` (solve rate below 1/3), `medium` (below 2/3), `easy` (2/3 and above);
 * `untried` when no rollout has a reward.
 */
export const BUCKETS = ["easy", "medium", "hard", "unsolved", "untried"] as const;
export type Bucket = (typeof BUCKETS)[number];

export interface SolveStats {
  instance_id: string;
  /** Rollouts with a reward (infrastructure errors have none and are not counted). */
  rollouts: number;
  resolved: number;
  /** resolved / rollouts; null when no rollout has a reward. */
  solve_rate: number | null;
  bucket: Bucket;
}

/** What a solve rate needs of a rollout record. */
export type RateRollout = Pick<Rollout, "instance_id" | "reward" | "resolved">;

export function bucketOf(rate: number | null): Bucket {
  if (rate === null) return "untried";
  if (rate === 0) return "unsolved";
  if (rate < 1 / 3) return "hard";
  if (rate < 2 / 3) return "medium";
  return "easy";
}

/**
 * The empirical solve rate of each scenario over every rewarded rollout of it, whichever run
 * or agent it came from. Agent errors and timeouts count as unresolved attempts (reward 0);
 * infrastructure errors count as nothing, like in the run summary.
 */
export function solveRates(
  ids: readonly string[],
  rollouts: readonly RateRollout[],
): Map<string, SolveStats> {
  const counts = new Map(ids.map((id) => [id, { rollouts: 0, resolved: 0 }]));
  for (const r of rollouts) {
    const count = counts.get(r.instance_id);
    if (!count || r.reward === null) continue;
    count.rollouts++;
    if (r.resolved) count.resolved++;
  }
  const stats = new Map<string, SolveStats>();
  for (const [id, count] of counts) {
    const rate = count.rollouts === 0 ? null : count.resolved / count.rollouts;
    stats.set(id, { instance_id: id, ...count, solve_rate: rate, bucket: bucketOf(rate) });
  }
  return stats;
}

/**
 * True when some rollouts resolved the scenario and some did not: the only scenarios whose
 * group of rollouts has a reward spread, which group-based RL (GRPO and kin) needs to learn.
 */
export function isInformative(stats: Pick<SolveStats, "solve_rate">): boolean {
  return stats.solve_rate !== null && stats.solve_rate > 0 && stats.solve_rate < 1;
}

/** Parses `--after`: an ISO date or date-time. */
export function parseDate(text: string, option = "--after"): Date {
  const trimmed = text.trim();
  const time = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(trimmed)
    ? Date.parse(trimmed)
    : Number.NaN;
  if (Number.isNaN(time)) {
    throw new ConfigError(
      `${option} expects a date such as 2024-06-01 or 2024-06-01T12:00:00Z, got "${text}"`,
    );
  }
  return new Date(time);
}

/**
 * True when the scenario's change was made strictly after `after`: a model whose training data
 * ends at `after` cannot have seen it. A created_at that is not a date is an error naming the
 * scenario, never silently kept or dropped.
 */
export function createdAfter(scenario: Pick<Scenario, "instance_id" | "created_at">, after: Date): boolean {
  const time = Date.parse(scenario.created_at);
  if (Number.isNaN(time)) {
    throw new ConfigError(
      `created_at is not a date ("${scenario.created_at}"), so --after cannot place it`,
      scenario.instance_id,
    );
  }
  return time > after.getTime();
}

export type Split = "train" | "test";

export interface SplitOptions {
  /** Share of scenarios that go to train, strictly between 0 and 1. */
  ratio: number;
  seed: number;
}

type SplitScenario = Pick<Scenario, "instance_id" | "base_commit" | "source">;

/** The commit a scenario comes from: its source commit, else (no sha recorded) its base commit. */
export function commitOf(scenario: SplitScenario): string {
  return scenario.source.sha !== "" ? scenario.source.sha : scenario.base_commit;
}

/** Scenarios that come from the same commit (a pull request and its squash commit, mutations of one commit). */
export function groupByCommit(scenarios: readonly SplitScenario[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const s of scenarios) {
    const key = commitOf(s);
    const group = groups.get(key) ?? [];
    group.push(s.instance_id);
    groups.set(key, group);
  }
  for (const group of groups.values()) group.sort();
  return groups;
}

/** A number in [0, 1) from the seed and the commit: the same everywhere, for every order of input. */
function draw(seed: number, key: string): number {
  return createHash("sha256").update(`${seed}\0${key}`).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * Splits scenarios into train and test, deterministically for a seed: commits are ordered by a
 * seeded hash of their sha and filled into train until it holds `ratio` of the scenarios (rounded),
 * the rest go to test. A commit is never on both sides; with two commits or more, neither side is
 * empty. Adding scenarios later moves only commits near the boundary.
 */
export function splitScenarios(
  scenarios: readonly SplitScenario[],
  options: SplitOptions,
): Map<string, Split> {
  if (!(options.ratio > 0 && options.ratio < 1)) {
    throw new ConfigError(`the split ratio must be between 0 and 1 (exclusive), got ${options.ratio}`);
  }
  const groups = [...groupByCommit(scenarios)]
    .map(([key, ids]) => ({ key, ids, u: draw(options.seed, key) }))
    .sort((a, b) => a.u - b.u || (a.key < b.key ? -1 : 1));
  let target = Math.round(options.ratio * scenarios.length);
  if (groups.length >= 2) {
    const last = groups[groups.length - 1]!;
    target = Math.min(Math.max(target, 1), scenarios.length - last.ids.length);
  }
  const result = new Map<string, Split>();
  let train = 0;
  for (const [index, group] of groups.entries()) {
    // The first commit always trains, so train is never empty; once train is full the rest test.
    const side: Split = index === 0 || train < target ? "train" : "test";
    if (side === "train") train += group.ids.length;
    for (const id of group.ids) result.set(id, side);
  }
  return result;
}
