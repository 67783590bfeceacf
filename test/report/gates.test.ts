import { describe, expect, it } from "vitest";
import { compareResults } from "../../report/compare.js";
import { evaluateGates } from "../../report/gates.js";
import { buildResults, coinFlips, type ScenarioSpec, seededRandom } from "./build-results.js";

const id = (i: number) => `acme__calc-${String(i).padStart(10, "0")}`;

function run(run_id: string, scenarios: ScenarioSpec[]) {
  return buildResults({ run_id, commit: run_id === "base" ? "b" : "c", scenarios });
}

/** n scenarios with the given attempts each. */
function uniform(n: number, rewards: (i: number) => Array<number | null>): ScenarioSpec[] {
  return Array.from({ length: n }, (_, i) => ({ id: id(i), rewards: rewards(i) }));
}

describe("evaluateGates", () => {
  it("checks nothing and passes when no gate is set", () => {
    const c = compareResults(
      run(
        "pr",
        uniform(3, () => [0]),
      ),
      null,
    );
    expect(evaluateGates(c, {})).toEqual({ passed: true, checks: [] });
  });

  it("fails fail-below when every rollout was an infra error", () => {
    const c = compareResults(
      run(
        "pr",
        uniform(3, () => [null, null]),
      ),
      null,
    );
    const result = evaluateGates(c, { failBelow: 0.1 });
    expect(result.passed).toBe(false);
    expect(result.checks[0]).toMatchObject({ gate: "fail-below", passed: false });
    expect(result.checks[0]!.message).toContain("all infra errors");
  });

  it("passes max-regression without a base, and says why", () => {
    const c = compareResults(
      run(
        "pr",
        uniform(3, () => [0]),
      ),
      null,
    );
    const result = evaluateGates(c, { maxRegression: 0 });
    expect(result.passed).toBe(true);
    expect(result.checks[0]!.message).toBe("no base results to compare with");
  });

  it("passes max-regression with no scenario in common, and says so", () => {
    const base = run("base", [{ id: id(1), rewards: [1] }]);
    const c = compareResults(run("pr", [{ id: id(2), rewards: [0] }]), base);
    const result = evaluateGates(c, { maxRegression: 0 });
    expect(result.passed).toBe(true);
    expect(result.checks[0]!.message).toContain("no scenario in common");
  });

  it("says the shared scenarios had no reward, rather than that none are shared, when the run was all infra errors", () => {
    const base = run(
      "base",
      uniform(3, () => [1]),
    );
    const c = compareResults(
      run(
        "pr",
        uniform(3, () => [null]),
      ),
      base,
    );
    const result = evaluateGates(c, { maxRegression: 0.1, failBelow: 0.5 });
    expect(result.checks.map((x) => [x.gate, x.passed])).toEqual([
      ["fail-below", false],
      ["max-regression", true],
    ]);
    expect(result.checks[1]!.message).toContain("no rewarded rollout on the scenarios both runs share");
    expect(result.passed).toBe(false);
  });

  it("does not flap on a drop within rerun noise, but fails a clear drop", () => {
    // Seed 4: the same agent again, 0.025 lower by chance.
    const random = seededRandom(4);
    const base = run("base", coinFlips(40, 5, 0.6, random));
    const rerun = compareResults(run("pr", coinFlips(40, 5, 0.6, random)), base);
    expect(rerun.reward.delta).toBeLessThan(0);
    expect(evaluateGates(rerun, { maxRegression: 0 }).passed).toBe(true);

    const broken = compareResults(
      run(
        "pr",
        uniform(40, () => [0, 0, 0, 0, 0]),
      ),
      base,
    );
    const result = evaluateGates(broken, { maxRegression: 0.1 });
    expect(result.passed).toBe(false);
    expect(result.checks[0]!.message).toMatch(
      /^mean reward dropped by 0\.\d{3} ± 0\.0\d\d, more than the allowed 0\.100/,
    );
  });

  it("fails fail-below only when the run is below the threshold beyond its own spread", () => {
    // Mean 0.5 over 4 rollouts of 0/1: sd 0.577, standard error 0.289, so up to 1.077 within noise.
    const few = compareResults(
      run(
        "pr",
        uniform(2, () => [0, 1]),
      ),
      null,
    );
    expect(evaluateGates(few, { failBelow: 0.9 }).passed).toBe(true);
    // The same mean over 400 rollouts is tight enough to fail.
    const many = compareResults(
      run(
        "pr",
        uniform(200, () => [0, 1]),
      ),
      null,
    );
    const result = evaluateGates(many, { failBelow: 0.6 });
    expect(result.passed).toBe(false);
    expect(result.checks[0]!.message).toMatch(/^mean reward 0\.500 is below 0\.600 beyond noise/);
    // A run with no spread at all is judged on its mean.
    const exact = compareResults(
      run(
        "pr",
        uniform(3, () => [0.5]),
      ),
      null,
    );
    expect(evaluateGates(exact, { failBelow: 0.5 }).passed).toBe(true);
    expect(evaluateGates(exact, { failBelow: 0.51 }).passed).toBe(false);
  });
});
