import type { Scenario } from "../../core/scenario.js";
import type { TestResult } from "../../runner/test-adapters/types.js";
import type { ScoreContext } from "../../scorers/types.js";
import { sampleScenario } from "../helpers/sample-scenario.js";

/** A finished rollout's scoring context; tests override what they look at. */
export function scoreContext(
  overrides: Partial<Omit<ScoreContext, "scenario">> & { scenario?: Partial<Scenario> } = {},
): ScoreContext {
  const { scenario, ...rest } = overrides;
  return {
    scenario: sampleScenario(scenario),
    modelPatch: "",
    workspace: "/nonexistent",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    timeoutMs: 60_000,
    ...rest,
  };
}

export function passed(...ids: string[]): TestResult[] {
  return ids.map((id) => ({ id, outcome: "passed" }));
}
