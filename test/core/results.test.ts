import { describe, expect, it } from "vitest";
import {
  mergeResults,
  parseResults,
  RESULTS_LIMITS,
  type Results,
  resultsFromRun,
} from "../../core/results.js";
import { sampleIds, shardIds } from "../../runner/run-loop.js";

const sha = (c: string) => c.repeat(40);

function results(ids: string[], shard?: { index: number; count: number }, rewards: number[] = []): Results {
  return resultsFromRun({
    tool_version: "repogym test",
    repo: "acme/calc",
    commit: sha("a"),
    run_id: `run-${shard?.index ?? 0}`,
    created_at: `2026-01-0${shard?.index ?? 1}T00:00:00.000Z`,
    agent: { name: "oracle" },
    attempts: 1,
    ...(shard ? { shard } : {}),
    scenarios: ids.map((id) => ({ instance_id: id, difficulty: { lines: 3, files: 1 } })),
    rollouts: ids.map((id, i) => ({
      instance_id: id,
      attempt: 1,
      status: "scored" as const,
      reward: rewards[i] ?? 1,
      resolved: (rewards[i] ?? 1) === 1,
      durations: { setup_ms: 1, agent_ms: 2, score_ms: 3 },
    })),
  });
}

describe("results (untrusted data)", () => {
  it("round-trips through JSON", () => {
    const r = results(["acme__calc-1", "acme__calc-2"]);
    expect(parseResults(JSON.stringify(r), "x")).toEqual(r);
    expect(r.rollouts[0]!.duration_ms).toBe(6);
  });

  it.each([
    [
      "markup in an instance id",
      (r: Results) => ({ ...r, scenarios: [{ ...r.scenarios[0]!, instance_id: "<img src=x>" }] }),
      /instance_id/,
    ],
    [
      "a rollout of an unknown scenario",
      (r: Results) => ({ ...r, rollouts: [{ ...r.rollouts[0]!, instance_id: "other" }] }),
      /not one of the results' scenarios/,
    ],
    [
      "two records for one attempt",
      (r: Results) => ({ ...r, rollouts: [r.rollouts[0]!, r.rollouts[0]!] }),
      /a second record/,
    ],
    [
      "a reward with infra_error",
      (r: Results) => ({ ...r, rollouts: [{ ...r.rollouts[0]!, status: "infra_error" }] }),
      /null exactly when/,
    ],
    ["a javascript: link", (r: Results) => ({ ...r, links: { run: "javascript:alert(1)" } }), /links\.run/],
    ["an unknown field", (r: Results) => ({ ...r, script: "rm -rf /" }), /script|Unrecognized/],
    ["a reward above 1", (r: Results) => ({ ...r, rollouts: [{ ...r.rollouts[0]!, reward: 2 }] }), /reward/],
  ])("refuses %s, naming the field", (_name, mutate, message) => {
    const bad = mutate(results(["acme__calc-1"]));
    expect(() => parseResults(JSON.stringify(bad), "artifact/results.json")).toThrow(message);
    expect(() => parseResults(JSON.stringify(bad), "artifact/results.json")).toThrow(
      /^artifact\/results.json: /,
    );
  });

  it("refuses oversized input before parsing it", () => {
    const huge = "x".repeat(RESULTS_LIMITS.maxBytes + 1);
    expect(() => parseResults(huge, "big.json")).toThrow(/above the \d+-byte limit/);
  });

  it("refuses text that is not JSON", () => {
    expect(() => parseResults("{nope", "r.json")).toThrow(/r.json: not valid JSON/);
  });
});

describe("shards", () => {
  const ids = Array.from({ length: 23 }, (_, i) => `acme__calc-${String(i).padStart(2, "0")}`);

  it("split the scenarios into disjoint slices that cover them all, sizes within one", () => {
    for (const count of [1, 2, 3, 4, 7, 30]) {
      const slices = Array.from({ length: count }, (_, i) => shardIds(ids, { index: i + 1, count }));
      expect(slices.flat().sort()).toEqual([...ids].sort());
      const sizes = slices.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it("are deterministic whatever the input order, and compose with a seeded sample", () => {
    const shuffled = [...ids].reverse();
    expect(shardIds(shuffled, { index: 2, count: 3 })).toEqual(shardIds(ids, { index: 2, count: 3 }));
    const sample = sampleIds(ids, 10, 7);
    const slices = [1, 2, 3].map((index) => shardIds(sampleIds(shuffled, 10, 7), { index, count: 3 }));
    expect(slices.flat().sort()).toEqual(sample);
  });

  it("merge back into one result, naming missing shards", () => {
    const a = results(["acme__calc-1", "acme__calc-3"], { index: 1, count: 3 });
    const b = results(["acme__calc-2"], { index: 2, count: 3 }, [0]);
    const { results: merged, missing } = mergeResults([b, a]);
    expect(missing).toEqual([3]);
    expect(merged.shard).toBeUndefined();
    expect(merged.scenarios.map((s) => s.instance_id)).toEqual([
      "acme__calc-1",
      "acme__calc-2",
      "acme__calc-3",
    ]);
    expect(merged.rollouts.map((r) => r.reward)).toEqual([1, 0, 1]);
    expect(merged.created_at).toBe(a.created_at);
  });

  it("refuse to merge overlapping or mismatched shards", () => {
    const a = results(["acme__calc-1"], { index: 1, count: 2 });
    expect(() => mergeResults([a, results(["acme__calc-1"], { index: 2, count: 2 })])).toThrow(
      /in two shards/,
    );
    expect(() => mergeResults([a, a])).toThrow(/appears twice/);
    expect(() =>
      mergeResults([a, { ...results(["acme__calc-2"], { index: 2, count: 2 }), commit: sha("b") }]),
    ).toThrow(/commit is b+, but the first shard's is a+/);
    expect(() => mergeResults([])).toThrow(/no shard results/);
  });
});
