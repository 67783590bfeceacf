import { describe, expect, it } from "vitest";
import { ROLLOUT_SCHEMA, type Rollout } from "../../core/rollout.js";
import {
  difficultyBucket,
  passAtK,
  renderRunSummary,
  standardDeviation,
  summarizeRun,
} from "../../runner/run-summary.js";

function record(instance_id: string, attempt: number, fields: Partial<Rollout>): Rollout {
  return {
    schema: ROLLOUT_SCHEMA,
    run_id: "r",
    instance_id,
    attempt,
    agent: { name: "a" },
    status: "scored",
    reward: 0,
    resolved: false,
    scores: [],
    tests: { FAIL_TO_PASS: { success: [], failure: [] }, PASS_TO_PASS: { success: [], failure: [] } },
    model_patch: "",
    durations: { setup_ms: 0, agent_ms: 0, score_ms: 0 },
    logs: {},
    finished_at: "2024-01-01T00:00:00Z",
    ...fields,
  };
}

const win = { reward: 1, resolved: true };
const infra = { status: "infra_error" as const, reward: null };

describe("run summary math", () => {
  it("pass@k is the unbiased estimator 1 - C(n-c,k)/C(n,k)", () => {
    expect(passAtK(5, 0, 1)).toBe(0);
    expect(passAtK(5, 5, 3)).toBe(1);
    expect(passAtK(4, 1, 1)).toBeCloseTo(0.25);
    // 1 - C(2,2)/C(4,2) = 1 - 1/6
    expect(passAtK(4, 2, 2)).toBeCloseTo(5 / 6);
    // n - c < k: every k-subset holds a success
    expect(passAtK(3, 2, 2)).toBe(1);
    expect(() => passAtK(2, 1, 3)).toThrow(RangeError);
    expect(() => passAtK(2, 3, 1)).toThrow(RangeError);
  });

  it("standard deviation is the sample one", () => {
    expect(standardDeviation([])).toBeNull();
    expect(standardDeviation([0.5])).toBe(0);
    expect(standardDeviation([0, 1])).toBeCloseTo(Math.SQRT1_2);
  });

  it("buckets difficulty by changed lines", () => {
    expect(difficultyBucket({ lines: 2 })).toBe("lines 1-10");
    expect(difficultyBucket({ lines: 11 })).toBe("lines 11-50");
    expect(difficultyBucket({ lines: 500 })).toBe("lines 201+");
  });

  it("keeps infra errors out of rewards, resolved rate and pass@k", () => {
    const summary = summarizeRun({
      run_id: "r",
      agent: "a",
      attempts: 2,
      scenarios: [
        { instance_id: "x", difficulty: { lines: 4 } },
        { instance_id: "y", difficulty: { lines: 80 } },
      ],
      rollouts: [
        record("x", 1, win),
        record("x", 2, { status: "timeout", reward: 0 }),
        record("y", 1, infra),
        record("y", 2, { reward: 0 }),
        record("z", 1, win), // not in the run's scenarios
        record("x", 1, { ...win, run_id: "other" }),
      ],
    });
    expect(summary.rollouts).toBe(4);
    expect(summary.status).toEqual({ scored: 2, agent_error: 0, timeout: 1, infra_error: 1 });
    expect(summary.rewarded).toBe(3);
    expect(summary.reward.mean).toBeCloseTo(1 / 3);
    expect(summary.resolved_rate).toBeCloseTo(1 / 3);
    // x: n=2 c=1 -> pass@1 0.5, pass@2 1; y: n=1 c=0 -> pass@1 0, not counted for k=2
    expect(summary.pass_at_k).toEqual([
      { k: 1, value: 0.25, scenarios: 2 },
      { k: 2, value: 1, scenarios: 1 },
    ]);
    expect(summary.by_difficulty).toEqual([
      {
        bucket: "lines 1-10",
        scenarios: 1,
        rollouts: 2,
        infra_errors: 0,
        mean_reward: 0.5,
        resolved_rate: 0.5,
      },
      {
        bucket: "lines 51-200",
        scenarios: 1,
        rollouts: 2,
        infra_errors: 1,
        mean_reward: 0,
        resolved_rate: 0,
      },
    ]);
    const text = renderRunSummary(summary);
    expect(text).toContain("pass@1");
    expect(text).toContain("1 infra errors are not counted");
  });

  it("has no numbers without rewarded rollouts", () => {
    const summary = summarizeRun({
      run_id: "r",
      agent: "a",
      attempts: 1,
      scenarios: [{ instance_id: "x", difficulty: { lines: 1 } }],
      rollouts: [record("x", 1, infra)],
    });
    expect(summary.reward).toEqual({ mean: null, std: null });
    expect(summary.resolved_rate).toBeNull();
    expect(summary.pass_at_k).toEqual([{ k: 1, value: null, scenarios: 0 }]);
    expect(renderRunSummary(summary)).toContain("n/a");
  });
});
