import { describe, expect, it } from "vitest";
import { compareResults } from "../../report/compare.js";
import { evaluateGates } from "../../report/gates.js";
import { renderJobSummary, SUMMARY_MAX_BYTES } from "../../report/summary.js";
import { allResolved, baseAndCurrent, buildResults, PR, scenarioIds } from "./build-results.js";

const bytes = (text: string) => Buffer.byteLength(text, "utf8");

describe("renderJobSummary", () => {
  it("renders the comment's content plus status, pass@k and difficulty tables", () => {
    const { base, current } = baseAndCurrent();
    const comparison = compareResults(current, base);
    const summary = renderJobSummary({
      comparison,
      gates: evaluateGates(comparison, { maxRegression: 0.01 }),
      notes: ["History could not be read, so there is no base to compare with."],
    });
    expect(summary).toMatchSnapshot();
    expect(summary).not.toContain("<!-- repogym:comment");
    expect(summary).toContain("#### pass@k");
    expect(summary).toContain("| 3 | 66.7% | 6 | 71.4% |");
    expect(summary).toContain("#### By difficulty");
    expect(summary).toContain("| lines 201+ | 2 | 6 |");
    expect(summary).toContain("| infra errors (not counted) | 2 | 0 |");
  });

  it("renders a single-attempt run without a base: no pass@k table, no base columns", () => {
    const current = buildResults({
      run_id: "run-1",
      commit: "c",
      ref: "main",
      scenarios: [
        { id: "acme__calc-0a0a0a0a0a", rewards: [1] },
        { id: "acme__calc-1b1b1b1b1b", rewards: [0], reason: "F2P test failed: x" },
        { id: "acme__calc-2c2c2c2c2c", rewards: [null], reason: "infrastructure: clone failed" },
      ],
    });
    const summary = renderJobSummary({ comparison: compareResults(current, null) });
    expect(summary).toMatchSnapshot();
    expect(summary).not.toContain("pass@");
    expect(summary).toContain("| rollouts | now |\n");
    expect(summary).toContain("No base results yet");
  });

  it("is capped in UTF-8 bytes, not characters, and says what it left out", () => {
    const ids = scenarioIds(3000);
    // Three bytes per character: a character cap would let this through at three times the size.
    const reason = "測試失敗".repeat(10);
    const base = allResolved(ids);
    const current = buildResults({
      run_id: "c",
      commit: "c",
      pull_request: PR,
      scenarios: ids.map((id, i) => ({ id, rewards: [i % 2 ? 1 : 0], reason })),
    });
    const comparison = compareResults(current, base);
    const full = renderJobSummary({ comparison });
    expect(bytes(full)).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
    expect(full).not.toContain("not shown");

    const capped = renderJobSummary({ comparison, maxBytes: 200_000 });
    expect(bytes(capped)).toBeLessThanOrEqual(200_000);
    expect(bytes(capped)).toBeGreaterThan(190_000);
    // Well under 200,000 characters: a character count would have let far more through.
    expect(capped.length).toBeLessThan(170_000);
    expect(capped).toMatch(/_[\d,]+ scenarios not shown; see the artifact\._/);
    expect(capped).toContain("📉 Regressions (1,500)");
    expect(capped).not.toContain("regressions not shown");
  });
});
