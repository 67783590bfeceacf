import { describe, expect, it } from "vitest";
import type { TestResult } from "../../runner/test-adapters/types.js";
import { compareRuns } from "../../scenario-gen/compare-runs.js";

const r = (id: string, outcome: TestResult["outcome"]): TestResult => ({ id, outcome });

describe("compareRuns", () => {
  it("classifies per test, not by exit code", () => {
    const before = [[r("a", "failed"), r("b", "passed"), r("broken", "failed")]];
    const after = [[r("a", "passed"), r("b", "passed"), r("broken", "failed"), r("new", "passed")]];
    const result = compareRuns(before, after, []);
    expect(result.failToPass).toEqual(["a"]);
    // Absent before without a file that failed to load: not proven to fail.
    expect(result.notRunBefore).toEqual(["new"]);
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
    const result = compareRuns(before, after, []);
    expect(result.flaky).toEqual(["a", "b"]);
    expect(result.failToPass).toEqual([]);
    expect(result.passToPass).toEqual([]);
  });

  it("needs a pass in every run after: a test missing from one run is not proven", () => {
    const result = compareRuns([[], []], [[r("a", "passed")], []], []);
    expect(result.failToPass).toEqual([]);
    expect(result.flaky).toEqual(["a"]);
  });

  it("does not count skipped tests as fail-to-pass", () => {
    const result = compareRuns([[r("a", "skipped")]], [[r("a", "passed")]], []);
    expect(result.failToPass).toEqual([]);
  });

  it("counts a test as failing before only when its file failed to load, not when it is merely absent", () => {
    const files = ["t/a.js", "t/b.js"];
    const before = [[r("t/a.js", "failed"), r("t/b.js > x", "failed")]];
    const after = [
      [r("t/a.js > new", "passed"), r("t/b.js > x", "passed"), r("t/b.js > never ran", "passed")],
    ];
    const result = compareRuns(before, after, files);
    expect(result.failToPass).toEqual(["t/a.js > new", "t/b.js > x"]);
    expect(result.notRunBefore).toEqual(["t/b.js > never ran"]);
    // The file-level entry itself is never a test.
    expect(result.failToPass).not.toContain("t/a.js");
  });

  it("records tests the gold patch breaks", () => {
    const result = compareRuns(
      [[r("t/a.js > keep", "passed")]],
      [[r("t/a.js > keep", "failed")]],
      ["t/a.js"],
    );
    expect(result.passToFail).toEqual(["t/a.js > keep"]);
    expect(result.passToPass).toEqual([]);
  });
});
