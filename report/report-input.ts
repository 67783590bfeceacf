import type { Comparison } from "./compare.js";
import type { GateResult } from "./gates.js";

/** The PR's own change turned into a scenario: could the agent have written this PR? */
export type PrScenarioOutcome =
  | { state: "skipped"; reason: string }
  | {
      state: "scored";
      instance_id: string;
      attempts: number;
      resolved: number;
      mean: number | null;
      reason?: string;
    };

/** Where to see more. Only http(s) URLs become links; anything else is left out. */
export interface ReportLinks {
  /** The workflow run. */
  run?: string;
  /** The uploaded results and rollout records. */
  artifact?: string;
  /** The HTML trend report. */
  report?: string;
}

/** What the PR comment and the job summary are rendered from. */
export interface ReportInput {
  comparison: Comparison;
  gates?: GateResult;
  prScenario?: PrScenarioOutcome;
  /** Plain-text lines shown near the top, e.g. "shard 3/4 missing". Escaped like results text. */
  notes?: readonly string[];
  /**
   * Links given by the caller win over the ones in the current results, which may come from a
   * fork's artifact: pass them when the front knows the real ones.
   */
  links?: ReportLinks;
}

export function reportLinks(input: ReportInput): ReportLinks {
  const own = input.comparison.current.links ?? {};
  return { ...own, ...input.links };
}
