import { describe, expect, it } from "vitest";
import type { TestResult } from "../../runner/test-adapters/types.js";
import { compareRuns } from "../../scenario-gen/compare-runs.js";

const r = (id: string, outcome: TestResult["outcome"]): TestResult => ({ id, outcome });

describe("compareRuns", () => {
  it("classifies per test, not by exit code", () => {
    const before = [[r("a", "failed"), r("b", "passed"), r("broken", "failed")]];
    const after = [[r("a", "passed"), r("b", "passed"), r("broken", "failed"), r("new", "passed")]];
    const result = compareRuns(before, after);
    expect(result.failToPass).toEqual(["a", "new"]);
    expect(result.passToPass).toEqual(["b"]);
    expect(result.alwaysFailing).toEqual(["broken"]);
    expect(result.flaky).toEqual([]);
  });

  it("drops tests that flip between runs of one state", () => {
    const before = [
      [r("a", "failed"), r("b", "passed")],
      [r("a", "failed"), r("b", "failed")],
    ];
    const after = [
      [r("a", "passed"), r("b", "passed")],
      [r("a", "failed"), r("b", "passed")],
    ];
    const result = compareRuns(before, after);
    expect(result.flaky).toEqual(["a", "b"]);
    expect(result.failToPass).toEqual([]);
    expect(result.passToPass).toEqual([]);
  });

  it("needs a pass in every run after: a test missing from one run is not proven", () => {
    const result = compareRuns([[], []], [[r("a", "passed")], []]);
    expect(result.failToPass).toEqual([]);
    expect(result.flaky).toEqual(["a"]);
  });

  it("does not count skipped tests as fail-to-pass", () => {
    const result = compareRuns([[r("a", "skipped")]], [[r("a", "passed")]]);
    expect(result.failToPass).toEqual([]);
  });
});
