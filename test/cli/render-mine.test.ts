import { describe, expect, it } from "vitest";
import { displayPath, renderMineSummary } from "../../cli/render-mine.js";
import type { MineSummary } from "../../scenario-gen/mine.js";

const summary: MineSummary = {
  repo: { root: "/work/calc", slug: "acme/calc", head: "0123456789abcdef0123456789abcdef01234567" },
  suiteDir: "/work/calc/.repogym",
  dryRun: false,
  commits: 12,
  candidates: [
    {
      sha: "a".repeat(40),
      subject: "Fix add",
      instanceId: "acme__calc-aaaaaaaaaa",
      testFiles: ["t.js"],
      sourceFiles: ["s.js"],
    },
  ],
  scenarios: [
    {
      sha: "a".repeat(40),
      subject: "Fix add",
      instanceId: "acme__calc-aaaaaaaaaa",
      file: "/work/calc/.repogym/scenarios/acme__calc-aaaaaaaaaa.json",
      failToPass: 1,
      passToPass: 3,
      flaky: 0,
      durationMs: 900,
    },
  ],
  skipped: [],
  skipsByReason: { "no-source-change": 7, "root-commit": 1, "no-test-change": 3 },
  durationMs: 65_400,
  interrupted: false,
};

describe("renderMineSummary", () => {
  it("renders the summary table", () => {
    expect(renderMineSummary(summary, "/work/calc")).toMatchSnapshot();
  });

  it("lists candidates in a dry run and points validate at the repository", () => {
    const text = renderMineSummary({ ...summary, dryRun: true }, "/work");
    expect(text).toContain("(dry run)");
    expect(text).toContain("acme__calc-aaaaaaaaaa");
    expect(text).not.toContain("scenarios written");
    const real = renderMineSummary(summary, "/work");
    expect(real).toContain("repogym validate calc/.repogym --repo calc");
  });

  it("shows paths outside the working folder as absolute", () => {
    expect(displayPath("/a/b", "/a/b/c")).toBe("c");
    expect(displayPath("/a/b", "/tmp/x")).toBe("/tmp/x");
    expect(displayPath("/a/b", "/a/b")).toBe(".");
  });
});
