import { type Results, ResultsSchema, resultsFromRun } from "../../core/results.js";
import type { RolloutStatus } from "../../core/rollout.js";

/** One scenario of a built run: its size and one entry per attempt (a reward, or null for an infra error). */
export interface ScenarioSpec {
  id: string;
  lines?: number;
  rewards: ReadonlyArray<number | null>;
  /** Status per attempt when not the default (scored, or infra_error for a null reward). */
  statuses?: ReadonlyArray<RolloutStatus>;
  reason?: string;
  cost?: number;
}

export interface RunSpec {
  run_id: string;
  /** One hex digit, repeated into the 40-character commit sha. */
  commit: string;
  created_at?: string;
  attempts?: number;
  agent?: Results["agent"];
  scenarios: readonly ScenarioSpec[];
  pull_request?: Results["pull_request"];
  ref?: string;
  links?: Results["links"];
  shard?: Results["shard"];
}

export function sha(digit: string): string {
  return digit.repeat(40);
}

/** Results through `resultsFromRun`, with fixed dates, durations and usage: deterministic snapshots. */
export function buildResults(spec: RunSpec): Results {
  const attempts = spec.attempts ?? Math.max(1, ...spec.scenarios.map((s) => s.rewards.length));
  return resultsFromRun({
    tool_version: "repogym 0.1.0",
    repo: "acme/calc",
    commit: sha(spec.commit),
    run_id: spec.run_id,
    created_at: spec.created_at ?? "2025-03-01T12:00:00Z",
    agent: spec.agent ?? { name: "claude-code", model: "claude-sonnet-4" },
    attempts,
    ...(spec.pull_request ? { pull_request: spec.pull_request } : {}),
    ...(spec.ref ? { ref: spec.ref } : {}),
    ...(spec.links ? { links: spec.links } : {}),
    ...(spec.shard ? { shard: spec.shard } : {}),
    scenarios: spec.scenarios.map((s, i) => ({
      instance_id: s.id,
      created_at: "2025-01-01T00:00:00Z",
      difficulty: { lines: s.lines ?? 5 + i * 40, files: 1 },
    })),
    rollouts: spec.scenarios.flatMap((s, i) =>
      s.rewards.map((reward, a) => ({
        instance_id: s.id,
        attempt: a + 1,
        status: s.statuses?.[a] ?? (reward === null ? "infra_error" : "scored"),
        reward,
        resolved: reward === 1,
        ...(s.reason && a === 0 ? { reason: s.reason } : {}),
        durations: { setup_ms: 1500, agent_ms: 40_000 + 1000 * i + 250 * a, score_ms: 3000 },
        ...(reward === null
          ? {}
          : { usage: { input_tokens: 12_000 + i, output_tokens: 2_500, cost_usd: s.cost ?? 0.0123 } }),
      })),
    ),
  });
}

/** Results from a plain object, parsed like a fork's artifact would be: what the schema allows gets in. */
export function parsedResults(data: unknown): Results {
  return ResultsSchema.parse(data);
}

export const PR = {
  number: 42,
  head_sha: sha("c"),
  base_sha: sha("b"),
  base_ref: "main",
} as const;

/** A base run on `b…` and a PR run on `c…` with regressions, improvements, infra errors and new/removed scenarios. */
export function baseAndCurrent(): { base: Results; current: Results } {
  const base = buildResults({
    run_id: "run-base",
    commit: "b",
    created_at: "2025-02-28T12:00:00Z",
    ref: "main",
    scenarios: [
      { id: "acme__calc-0a0a0a0a0a", rewards: [1, 1, 1] },
      { id: "acme__calc-1b1b1b1b1b", rewards: [1, 0.8, 1] },
      { id: "acme__calc-2c2c2c2c2c", rewards: [0, 0, 0] },
      { id: "acme__calc-3d3d3d3d3d", rewards: [0.5, 0.5, 0.5] },
      { id: "acme__calc-4e4e4e4e4e", rewards: [1, 1, 1] },
      { id: "acme__calc-5f5f5f5f5f", rewards: [0, 1, 0] },
      { id: "acme__calc-9removed99", rewards: [1, 1, 1] },
    ],
  });
  const current = buildResults({
    run_id: "run-pr42",
    commit: "c",
    pull_request: PR,
    links: {
      run: "https://github.com/acme/calc/actions/runs/1",
      artifact: "https://github.com/acme/calc/actions/runs/1/artifacts/2",
    },
    scenarios: [
      { id: "acme__calc-0a0a0a0a0a", rewards: [0, 0, 0], reason: "F2P test failed: adds two numbers" },
      { id: "acme__calc-1b1b1b1b1b", rewards: [1, 0.6, 1], reason: "P2P test failed: subtracts" },
      { id: "acme__calc-2c2c2c2c2c", rewards: [1, 1, 1] },
      { id: "acme__calc-3d3d3d3d3d", rewards: [0.5, 0.5, 0.5] },
      {
        id: "acme__calc-4e4e4e4e4e",
        rewards: [null, null, 1],
        reason: "infrastructure: npm install failed (ETIMEDOUT)",
      },
      {
        id: "acme__calc-5f5f5f5f5f",
        rewards: [0, 0, 1],
        statuses: ["timeout", "agent_error", "scored"],
        reason: "agent timed out after 600s",
      },
      { id: "acme__calc-6new666666", rewards: [1, 0, 1], lines: 240 },
    ],
  });
  return { base, current };
}

/** The i-th scenario id in the fixtures' style: acme__calc-0000000000, acme__calc-0000000001, ... */
export function scenarioId(i: number): string {
  return `acme__calc-${String(i).padStart(10, "0")}`;
}

/** The first n of those ids. */
export function scenarioIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => scenarioId(i));
}

/** A base run ("b" on commit "b") in which each of `ids` was resolved by its one attempt. */
export function allResolved(ids: readonly string[]): Results {
  return buildResults({ run_id: "b", commit: "b", scenarios: ids.map((id) => ({ id, rewards: [1] })) });
}

/** A small seeded generator (mulberry32): the same "random" attempts on every run of the tests. */
export function seededRandom(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n scenarios whose attempts each resolve with probability p (reward 1, else 0). */
export function coinFlips(n: number, attempts: number, p: number, random: () => number): ScenarioSpec[] {
  return Array.from({ length: n }, (_, i) => ({
    id: scenarioId(i),
    rewards: Array.from({ length: attempts }, () => (random() < p ? 1 : 0)),
  }));
}
