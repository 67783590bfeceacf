import type { Comparison } from "./compare.js";

export interface Gates {
  /** Fail when the mean reward is below this, beyond the run's own spread. */
  failBelow?: number;
  /** Fail when the mean reward dropped by more than this against the base, beyond noise. */
  maxRegression?: number;
}

export interface GateResult {
  passed: boolean;
  /** One line per gate that was checked, saying what was compared with what. */
  checks: Array<{ gate: "fail-below" | "max-regression"; passed: boolean; message: string }>;
}

const Z = 2;

/** Standard error of the run's mean reward: its spread over the square root of the rewarded rollouts. */
function standardError(comparison: Comparison): number {
  const { std } = comparison.summary.reward;
  const n = comparison.summary.rewarded;
  return std === null || n === 0 ? 0 : std / Math.sqrt(n);
}

const f = (x: number) => x.toFixed(3);

/**
 * Applies the gates with the run's noise taken into account (pure): a gate fails only when
 * the whole interval of about two standard errors is on the wrong side of its threshold, so a
 * change within what reruns produce does not flap the check. A run without any reward fails
 * `fail-below`; `max-regression` without a base (or without shared scenarios) passes and says so.
 */
export function evaluateGates(comparison: Comparison, gates: Gates): GateResult {
  const checks: GateResult["checks"] = [];
  if (gates.failBelow !== undefined) {
    const m = comparison.summary.reward.mean;
    if (m === null) {
      checks.push({
        gate: "fail-below",
        passed: false,
        message: "no rollout was rewarded (all infra errors)",
      });
    } else {
      const upper = m + Z * standardError(comparison);
      const passed = upper >= gates.failBelow;
      checks.push({
        gate: "fail-below",
        passed,
        message: passed
          ? `mean reward ${f(m)} (up to ${f(upper)} within noise) is not below ${f(gates.failBelow)}`
          : `mean reward ${f(m)} is below ${f(gates.failBelow)} beyond noise (at most ${f(upper)})`,
      });
    }
  }
  if (gates.maxRegression !== undefined) {
    const { delta, noise } = comparison.reward;
    if (delta === null) {
      checks.push({
        gate: "max-regression",
        passed: true,
        message: !comparison.base
          ? "no base results to compare with"
          : comparison.shared === 0
            ? "no scenario in common with the base run: nothing to compare"
            : "no rewarded rollout on the scenarios both runs share (infra errors): nothing to compare",
      });
    } else {
      const best = delta + Z * (noise ?? 0);
      const passed = best >= -gates.maxRegression;
      checks.push({
        gate: "max-regression",
        passed,
        message: passed
          ? `change ${delta >= 0 ? "+" : ""}${f(delta)} ± ${f(noise ?? 0)} is within the allowed ${f(gates.maxRegression)} drop`
          : `mean reward dropped by ${f(-delta)} ± ${f(noise ?? 0)}, more than the allowed ${f(gates.maxRegression)} beyond noise`,
      });
    }
  }
  return { passed: checks.every((c) => c.passed), checks };
}
