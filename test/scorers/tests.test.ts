import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import { ScoringInfraError } from "../../scorers/errors.js";
import { createTestsScorer, isResolved, testReport } from "../../scorers/tests.js";
import { passed, scoreContext } from "./context.js";

const F2P = ["test/a.test.js > a > one", "test/a.test.js > a > two"];
const P2P = ["test/a.test.js > a > old one", "test/a.test.js > a > old two", "test/b.test.js > b"];
const scenario = { FAIL_TO_PASS: F2P, PASS_TO_PASS: P2P };

const binary = createTestsScorer({});
const partial = createTestsScorer({ partial: true });

describe("tests scorer", () => {
  it("scores 1 when every FAIL_TO_PASS and PASS_TO_PASS test passed", async () => {
    const context = scoreContext({ scenario, tests: passed(...F2P, ...P2P, "test/extra.test.js > x") });
    expect(await binary.score(context)).toEqual({
      score: 1,
      details: {
        mode: "binary",
        fail_to_pass: { passed: 2, total: 2, failed: [] },
        pass_to_pass: { passed: 3, total: 3, failed: [] },
      },
    });
    expect((await partial.score(context)).score).toBe(1);
  });

  it("gives binary 0 but partial credit (F2P rate x P2P rate) when some tests fail", async () => {
    const context = scoreContext({
      scenario,
      tests: [
        ...passed(F2P[0]!, P2P[0]!, P2P[1]!),
        { id: F2P[1]!, outcome: "failed" },
        { id: P2P[2]!, outcome: "failed" },
      ],
    });
    const b = await binary.score(context);
    expect(b.score).toBe(0);
    expect(b.details).toMatchObject({
      mode: "binary",
      fail_to_pass: { passed: 1, total: 2, failed: [F2P[1]] },
    });
    const p = await partial.score(context);
    expect(p.score).toBeCloseTo((1 / 2) * (2 / 3), 12);
    expect(p.details).toMatchObject({
      mode: "partial",
      pass_to_pass: { passed: 2, total: 3, failed: [P2P[2]] },
    });
  });

  it("counts a missing test id as failed", async () => {
    const context = scoreContext({ scenario, tests: passed(F2P[0]!, ...P2P) });
    expect((await binary.score(context)).score).toBe(0);
    const p = await partial.score(context);
    expect(p.score).toBe(0.5);
    expect(p.details).toMatchObject({ fail_to_pass: { passed: 1, total: 2, failed: [F2P[1]] } });
  });

  it("counts a skipped test as failed", async () => {
    const context = scoreContext({
      scenario,
      tests: [...passed(...F2P, P2P[0]!, P2P[1]!), { id: P2P[2]!, outcome: "skipped" }],
    });
    expect((await binary.score(context)).score).toBe(0);
    expect((await partial.score(context)).score).toBeCloseTo(2 / 3, 12);
  });

  it("counts a test reported twice as passed only if it passed both times", async () => {
    const context = scoreContext({
      scenario,
      tests: [...passed(...F2P, ...P2P), { id: F2P[0]!, outcome: "failed" }],
    });
    expect((await binary.score(context)).score).toBe(0);
  });

  it("treats a scenario without PASS_TO_PASS tests as having a P2P rate of 1", async () => {
    const context = scoreContext({
      scenario: { FAIL_TO_PASS: F2P, PASS_TO_PASS: [] },
      tests: passed(F2P[1]!),
    });
    const p = await partial.score(context);
    expect(p.score).toBe(0.5);
    expect(p.details).toMatchObject({ pass_to_pass: { passed: 0, total: 0, failed: [] } });
  });

  it("scores 0 when no expected test passed, whatever else passed", async () => {
    const context = scoreContext({ scenario, tests: passed("test/other.test.js > unrelated") });
    expect((await binary.score(context)).score).toBe(0);
    expect((await partial.score(context)).score).toBe(0);
  });

  it("lists at most 20 failed ids but keeps exact counts", async () => {
    const many = Array.from({ length: 25 }, (_, i) => `test/a.test.js > case ${i}`);
    const context = scoreContext({ scenario: { FAIL_TO_PASS: many, PASS_TO_PASS: [] }, tests: passed("x") });
    const { details } = await partial.score(context);
    const f2p = details.fail_to_pass as { passed: number; total: number; failed: string[] };
    expect(f2p).toMatchObject({ passed: 0, total: 25 });
    expect(f2p.failed).toEqual(many.slice(0, 20));
  });

  it.each([
    ["undefined", undefined],
    ["empty", []],
  ])("throws ScoringInfraError, never a score, when the test results are %s", async (_, tests) => {
    const context = scoreContext({ scenario, tests });
    await expect(binary.score(context)).rejects.toThrow(ScoringInfraError);
    await expect(partial.score(context)).rejects.toThrow(/tests did not run/);
  });

  it("rejects bad options with a ConfigError naming the scorer and option", () => {
    expect(() => createTestsScorer({ partial: "yes" })).toThrow(ConfigError);
    expect(() => createTestsScorer({ partial: "yes" })).toThrow(/scorer "tests": option "partial"/);
    expect(() => createTestsScorer({ partail: true })).toThrow(
      'scorer "tests": unknown option "partail" (known options: partial)',
    );
  });
});

describe("testReport", () => {
  it("sorts the scenario's ids into SWE-bench's success and failure lists", () => {
    const report = testReport({ FAIL_TO_PASS: F2P, PASS_TO_PASS: P2P }, [
      ...passed(F2P[0]!, P2P[0]!),
      { id: F2P[1]!, outcome: "failed" },
      { id: P2P[1]!, outcome: "skipped" },
    ]);
    expect(report).toEqual({
      FAIL_TO_PASS: { success: [F2P[0]], failure: [F2P[1]] },
      PASS_TO_PASS: { success: [P2P[0]], failure: [P2P[1], P2P[2]] },
    });
    expect(isResolved(report)).toBe(false);
  });

  it("puts every id under failure when no test run happened", () => {
    const report = testReport({ FAIL_TO_PASS: F2P, PASS_TO_PASS: P2P }, undefined);
    expect(report.FAIL_TO_PASS).toEqual({ success: [], failure: F2P });
    expect(report.PASS_TO_PASS).toEqual({ success: [], failure: P2P });
  });

  it("is resolved when everything passed", () => {
    expect(isResolved(testReport({ FAIL_TO_PASS: F2P, PASS_TO_PASS: P2P }, passed(...F2P, ...P2P)))).toBe(
      true,
    );
  });
});
