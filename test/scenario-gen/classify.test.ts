import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../core/config.js";
import { createClassifier } from "../../scenario-gen/classify.js";

describe("path classification", () => {
  const classifier = createClassifier(defaultConfig().paths);

  it.each([
    ["src/index.ts", "source"],
    ["lib/parse.js", "source"],
    ["index.mjs", "source"],
    ["src/parse.test.ts", "test"],
    ["src/parse.spec.js", "test"],
    ["test/parse.js", "test"],
    ["test/fixtures/input.json", "test"],
    ["__tests__/a.js", "test"],
    ["src/__snapshots__/a.test.ts.snap", "test"],
    ["vitest.config.ts", "test"],
    ["vite.config.mjs", "test"],
    [".mocharc.yml", "test"],
    ["test.js", "test"],
    ["test-browser.mjs", "test"],
    ["index.test-d.ts", "test"],
    ["testing.js", "source"],
    ["README.md", "other"],
    ["docs/guide.js", "other"],
    [".github/workflows/ci.yml", "other"],
    ["package.json", "other"],
    ["types/index.d.ts", "other"],
    ["eslint.config.js", "other"],
  ])("%s is %s", (path, kind) => {
    expect(classifier.kind(path)).toBe(kind);
  });

  it.each([
    ["test/parse.test.js", true],
    ["test/parse.js", true],
    ["src/a.spec.ts", true],
    ["test/fixtures/input.json", false],
    ["test/fixtures/case.js", false],
    ["test/helpers/setup.js", false],
    ["test/_util.js", false],
    ["src/__snapshots__/a.test.ts.snap", false],
    ["src/index.ts", false],
    ["test.js", true],
    ["tap-snapshots/test/bin/semver.js.test.cjs", false],
    ["test/fixtures/sample.test.js", false],
    ["src/utils/format.test.ts", true],
    ["index.test-d.ts", false],
  ])("runnable %s = %s", (path, runnable) => {
    expect(classifier.isRunnableTest(path)).toBe(runnable);
  });

  it("honours configured globs", () => {
    const custom = createClassifier({
      tests: ["checks/**"],
      source: ["pkg/**"],
      ignore: ["pkg/generated/**"],
    });
    expect(custom.kind("checks/a.js")).toBe("test");
    expect(custom.kind("pkg/a.js")).toBe("source");
    expect(custom.kind("lib/a.js")).toBe("other");
    expect(custom.kind("pkg/generated/x.js")).toBe("other");
  });

  it("knows lockfiles", () => {
    expect(classifier.isDependencyFile("package-lock.json")).toBe(true);
    expect(classifier.isDependencyFile("yarn.lock")).toBe(true);
    expect(classifier.isDependencyFile("src/lock.js")).toBe(false);
  });
});
