import { describe, expect, it } from "vitest";
import {
  buildProblemStatement,
  pullNumberOf,
  sanitizeMessage,
  splitMessage,
} from "../../scenario-gen/problem-statement.js";

describe("problem statements", () => {
  it("strips hashes, links and closing trailers", () => {
    const message = [
      "Fix parsing of empty values (#42)",
      "",
      "Reverts part of 3f2a9c1d and see https://github.com/o/r/pull/41 for context.",
      "Also https://github.com/o/r/commit/3f2a9c1d2e4b5a6c7d8e9f0a1b2c3d4e5f6a7b8c.",
      "",
      "Fixes #40",
      "Closes: o/r#39",
      "Signed-off-by: A <a@b>",
    ].join("\n");
    const clean = sanitizeMessage(message);
    expect(clean).toContain("Fix parsing of empty values");
    expect(clean).not.toMatch(/#4\d|#39/);
    expect(clean).not.toContain("3f2a9c1d");
    expect(clean).not.toContain("github.com");
    expect(clean).not.toMatch(/Fixes|Closes|Signed-off-by/);
    expect(clean).toContain("for context");
  });

  it("keeps ordinary words that look like hex", () => {
    expect(sanitizeMessage("Handle deadbeef and facade values")).toBe("Handle deadbeef and facade values");
  });

  it("takes a merge's title from its body", () => {
    const merge =
      "Merge pull request #12 from alice/fix-trim\n\nTrim whitespace in keys\n\nKeys kept spaces.";
    expect(splitMessage(merge, true)).toEqual({
      title: "Trim whitespace in keys",
      body: "Keys kept spaces.",
    });
    expect(pullNumberOf(merge)).toBe(12);
    expect(pullNumberOf("Add option (#7)")).toBe(7);
    expect(pullNumberOf("Add option")).toBeUndefined();
  });

  it("lists failing tests with their messages and the task", () => {
    const text = buildProblemStatement({
      message: "Fix rounding\n\nFixes #3",
      isMerge: false,
      failingTests: [
        { id: "test/a.test.js > round > halves", message: "Expected 2, got 1" },
        { id: "test/a.test.js > b" },
      ],
      testsVisible: true,
    });
    expect(text).toContain("Fix rounding");
    expect(text).not.toContain("#3");
    expect(text).toContain("- test/a.test.js > round > halves\n    Expected 2, got 1");
    expect(text).toContain("without changing the tests");
  });
});
