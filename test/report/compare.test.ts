import { describe, expect, it } from "vitest";
import { compareResults } from "../../report/compare.js";
import { buildResults, coinFlips, type ScenarioSpec, seededRandom } from "./build-results.js";

const id = (i: number) => `acme__calc-${String(i).padStart(10, "0")}`;

function run(run_id: string, commit: string, scenarios: ScenarioSpec[]) {
  return buildResults({ run_id, commit, scenarios });
}

describe("compareResults", () => {
  it("without a base: headline numbers only, no deltas, nothing called a change", () => {
    const current = run("c", "c", [
      { id: id(1), rewards: [1, 0] },
      { id: id(2), rewards: [0.5, 0.5] },
    ]);
    const c = compareResults(current, null);
    expect(c.reward.current).toBeCloseTo(0.5);
    expect(c.reward.delta).toBeNull();
    expect(c.reward.significant).toBe(false);
    expect(c.resolved_rate.delta).toBeNull();
    expect(c.shared).toBe(0);
    expect(c.scenarios.map((s) => s.change)).toEqual(["unchanged", "unchanged"]);
  });

  it("keeps infra errors out: a run of only infra errors has no reward, no delta, no regression", () => {
    const base = run("b", "b", [
      { id: id(1), rewards: [1, 1] },
      { id: id(2), rewards: [0, 0] },
    ]);
    const current = run("c", "c", [
      { id: id(1), rewards: [null, null] },
      { id: id(2), rewards: [null, null] },
    ]);
    const c = compareResults(current, base);
    expect(c.summary.status.infra_error).toBe(4);
    expect(c.reward.current).toBeNull();
    expect(c.reward.delta).toBeNull();
    expect(c.reward.noise).toBeNull();
    expect(c.resolved_rate.delta).toBeNull();
    expect(c.shared).toBe(2);
    expect(c.scenarios.map((s) => [s.change, s.delta, s.current?.infra_errors])).toEqual([
      ["no-reward", null, 2],
      ["no-reward", null, 2],
    ]);
    expect(c.totals.cost_usd).toBeNull();
  });

  it("measures the change only on rewarded attempts when some are infra errors", () => {
    const base = run("b", "b", [{ id: id(1), rewards: [1, 1, 1] }]);
    const current = run("c", "c", [{ id: id(1), rewards: [null, 1, null] }]);
    const c = compareResults(current, base);
    expect(c.scenarios[0]).toMatchObject({ change: "unchanged", delta: 0, beyond_noise: false });
    expect(c.scenarios[0]!.current).toMatchObject({ mean: 1, attempts: 3, resolved: 1, infra_errors: 2 });
    expect(c.reward.delta).toBe(0);
  });

  it("with no scenario in common: new and removed, no delta, no paired change", () => {
    const base = run("b", "b", [{ id: id(1), rewards: [1] }]);
    const current = run("c", "c", [{ id: id(2), rewards: [0] }]);
    const c = compareResults(current, base);
    expect(c.shared).toBe(0);
    expect(c.reward.delta).toBeNull();
    expect(c.reward.significant).toBe(false);
    expect(c.reward.base).toBe(1);
    expect(c.scenarios.map((s) => [s.instance_id, s.change])).toEqual([
      [id(1), "removed"],
      [id(2), "new"],
    ]);
  });

  it("compares only shared scenarios, so a dropped hard scenario does not read as an improvement", () => {
    const base = run("b", "b", [
      { id: id(1), rewards: [1] },
      { id: id(2), rewards: [0] },
    ]);
    const current = run("c", "c", [{ id: id(1), rewards: [1] }]);
    const c = compareResults(current, base);
    // Own headline numbers differ (1.0 vs 0.5) but the change on what both ran is zero.
    expect(c.reward.current).toBe(1);
    expect(c.reward.base).toBe(0.5);
    expect(c.reward.delta).toBe(0);
  });

  it("does not call a rerun of the same agent significant, and calls a clear drop significant", () => {
    const random = seededRandom(7);
    const base = run("b", "b", coinFlips(40, 5, 0.6, random));
    const rerun = compareResults(run("c", "c", coinFlips(40, 5, 0.6, random)), base);
    expect(rerun.reward.delta).not.toBe(0);
    expect(Math.abs(rerun.reward.delta!)).toBeLessThan(2 * rerun.reward.noise!);
    expect(rerun.reward.significant).toBe(false);
    expect(rerun.resolved_rate.significant).toBe(false);

    const dropped = compareResults(run("d", "d", coinFlips(40, 5, 0.2, random)), base);
    expect(dropped.reward.delta!).toBeLessThan(-0.25);
    expect(dropped.reward.significant).toBe(true);
    expect(dropped.resolved_rate.significant).toBe(true);
    expect(
      dropped.scenarios.filter((s) => s.beyond_noise && s.change === "regression").length,
    ).toBeGreaterThan(5);
  });

  it("raises per-scenario false alarms for about 5% of scenarios at most when nothing changed", () => {
    for (const [attempts, p] of [
      [2, 0.5],
      [3, 0.5],
      [5, 0.5],
      [5, 0.8],
      [10, 0.5],
    ] as const) {
      const random = seededRandom(attempts * 1000 + p * 100);
      const c = compareResults(
        run("c", "c", coinFlips(1000, attempts, p, random)),
        run("b", "b", coinFlips(1000, attempts, p, random)),
      );
      const alarms = c.scenarios.filter((s) => s.beyond_noise).length;
      expect(alarms, `${attempts} attempts at p=${p}`).toBeLessThanOrEqual(60);
    }
  });

  it("flags a per-scenario change beyond noise only with repeated attempts on both sides", () => {
    const base = run("b", "b", [
      { id: id(1), rewards: [1, 1, 1] },
      { id: id(2), rewards: [1, 0, 1] },
    ]);
    const current = run("c", "c", [
      { id: id(1), rewards: [0, 0, 0] },
      { id: id(2), rewards: [0, 1, 0] },
    ]);
    const c = compareResults(current, base);
    expect(c.scenarios.map((s) => [s.change, s.beyond_noise])).toEqual([
      ["regression", true],
      ["regression", false],
    ]);
    const single = compareResults(
      run("c1", "c", [{ id: id(1), rewards: [0] }]),
      run("b1", "b", [{ id: id(1), rewards: [1] }]),
    );
    expect(single.scenarios[0]).toMatchObject({ change: "regression", beyond_noise: false });
    // Two attempts a side flip all-pass to all-fail one time in eight at a 50% solve rate.
    const two = compareResults(
      run("c2", "c", [{ id: id(1), rewards: [0, 0] }]),
      run("b2", "b", [{ id: id(1), rewards: [1, 1] }]),
    );
    expect(two.scenarios[0]).toMatchObject({ change: "regression", beyond_noise: false });
  });

  it("does not call a last-bit floating-point difference significant", () => {
    // 3 × 0.1 / 3 is 0.10000000000000002, not 0.1; with zero spread that must not read as a change.
    const base = run("b", "b", [{ id: id(1), rewards: [0.1, 0.1] }]);
    const current = run("c", "c", [{ id: id(1), rewards: [0.1, 0.1, 0.1] }]);
    const c = compareResults(current, base);
    expect(c.reward.noise).toBeLessThan(1e-12);
    expect(c.reward.significant).toBe(false);
    expect(c.scenarios[0]).toMatchObject({ change: "unchanged", beyond_noise: false });
  });

  it("sums time, cost and tokens over the current run only", () => {
    const base = run("b", "b", [{ id: id(1), rewards: [1] }]);
    const current = run("c", "c", [
      { id: id(1), rewards: [1, null], cost: 0.5 },
      { id: id(2), rewards: [0, 0], cost: 0.25 },
    ]);
    const c = compareResults(current, base);
    expect(c.totals.cost_usd).toBeCloseTo(1.0);
    expect(c.totals.duration_ms).toBe(current.rollouts.reduce((t, r) => t + r.duration_ms, 0));
    expect(c.totals.input_tokens).toBe(12_000 + 12_001 * 2);
  });
});
