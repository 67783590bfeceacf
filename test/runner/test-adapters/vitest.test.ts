import { describe, expect, it } from "vitest";
import { TestRunError } from "../../../core/errors.js";
import { runTests } from "../../../runner/run-tests.js";
import type { TestResult } from "../../../runner/test-adapters/types.js";
import { vitestAdapter } from "../../../runner/test-adapters/vitest.js";
import { type FileTree, linkNodeModules, tempDir, writeTree } from "../../helpers/fixture-repo.js";

/** An ESM project whose node_modules is repogym's own, so the real vitest runs. */
async function vitestProject(files: FileTree) {
  const dir = await tempDir("repogym-vitest-");
  const packageJson = { name: "fixture", type: "module", devDependencies: { vitest: "*" } };
  await writeTree(dir.path, { "package.json": JSON.stringify(packageJson), ...files });
  await linkNodeModules(dir.path);
  return dir;
}

async function run(root: string, files: string[], timeoutMs?: number) {
  return runTests({ adapter: vitestAdapter, root, files, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
}

function byId(results: TestResult[]): Map<string, TestResult> {
  return new Map(results.map((result) => [result.id, result]));
}

const MATH_TEST = `
import { describe, expect, it } from "vitest";
describe("math", () => {
  describe("add", () => {
    it("adds", () => { expect(1 + 1).toBe(2); });
    it("carries", () => { expect(1 + 1).toBe(3); });
  });
  describe("sub", () => {
    it("adds", () => { expect(2 - 1).toBe(1); });
  });
  it.skip("later", () => {});
  it.todo("someday");
  it("same", () => {});
  it("same", () => { throw new Error("second same\\nsecond line"); });
});
it("top level", () => {});
`;

describe("vitest adapter", () => {
  it("reports passed, failed and skipped tests under their describe paths", async () => {
    await using dir = await vitestProject({ "test/math.test.js": MATH_TEST });
    const result = await run(dir.path, ["test/math.test.js"]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.results.map((r) => [r.id, r.outcome])).toEqual([
      ["test/math.test.js > math > add > adds", "passed"],
      ["test/math.test.js > math > add > carries", "failed"],
      ["test/math.test.js > math > sub > adds", "passed"],
      ["test/math.test.js > math > later", "skipped"],
      ["test/math.test.js > math > someday", "skipped"],
      ["test/math.test.js > math > same", "passed"],
      ["test/math.test.js > math > same #2", "failed"],
      ["test/math.test.js > top level", "passed"],
    ]);
    const results = byId(result.results);
    const carries = results.get("test/math.test.js > math > add > carries")?.message ?? "";
    expect(carries).toContain("expected 2 to be 3");
    expect(carries).not.toMatch(/^\s*at /m);
    expect(carries).not.toContain("\u001b");
    expect(results.get("test/math.test.js > math > same #2")?.message).toBe(
      "Error: second same\nsecond line",
    );
    expect(results.get("test/math.test.js > math > add > adds")?.message).toBeUndefined();
  });

  it("runs only the given files, even when other paths contain their name", async () => {
    const passing = (name: string) =>
      `import { it } from "vitest";\nit(${JSON.stringify(name)}, () => {});\n`;
    await using dir = await vitestProject({
      "a.test.js": passing("root a"),
      "aa.test.js": passing("root aa"),
      "test/a.test.js": passing("nested a"),
      "test/b.test.js": passing("nested b"),
    });
    const result = await run(dir.path, ["a.test.js", "test/b.test.js"]);
    expect(result.ok && result.results.map((r) => r.id)).toEqual([
      "a.test.js > root a",
      "test/b.test.js > nested b",
    ]);
  });

  it("reports a test file that fails to load as one failed entry and keeps the others", async () => {
    await using dir = await vitestProject({
      "test/syntax.test.js": `import { it } from "vitest";\nit("never", () => {\n`,
      "test/missing.test.js": `import { helper } from "../src/helper.js";\nimport { it } from "vitest";\nit("uses helper", () => helper());\n`,
      "test/good.test.js": `import { it } from "vitest";\nit("works", () => {});\n`,
    });
    const result = await run(dir.path, ["test/syntax.test.js", "test/missing.test.js", "test/good.test.js"]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const results = byId(result.results);
    expect(results.get("test/syntax.test.js")?.outcome).toBe("failed");
    expect(results.get("test/syntax.test.js")?.message).toBeTruthy();
    expect(results.get("test/missing.test.js")?.outcome).toBe("failed");
    expect(results.get("test/missing.test.js")?.message).toContain("helper.js");
    expect(results.get("test/good.test.js > works")?.outcome).toBe("passed");
    expect(result.results).toHaveLength(3);
  });

  it("fails the run with a timeout when a test never finishes", async () => {
    await using dir = await vitestProject({
      "test/hang.test.js": `import { it } from "vitest";\nit("spins", () => { for (;;) {} });\n`,
    });
    const result = await run(dir.path, ["test/hang.test.js"], 5_000);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(/timed out/);
  });

  it("fails the run when vitest itself crashes", async () => {
    await using dir = await vitestProject({
      "vitest.config.js": `throw new Error("broken config");\n`,
      "test/ok.test.js": `import { it } from "vitest";\nit("works", () => {});\n`,
    });
    const result = await run(dir.path, ["test/ok.test.js"]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(/no report/);
    expect(result.output).toContain("broken config");
  });

  it("fails the run when none of the files is a test file vitest knows", async () => {
    await using dir = await vitestProject({ "src/not-a-test.js": "export const x = 1;\n" });
    const result = await run(dir.path, ["src/not-a-test.js"]);
    expect(result.ok).toBe(false);
  });

  it("detects vitest from dependencies or the test script", () => {
    const root = "/project";
    expect(vitestAdapter.detect({ root, packageJson: { devDependencies: { vitest: "^4.0.0" } } })).toBe(true);
    expect(vitestAdapter.detect({ root, packageJson: { dependencies: { vitest: "^4.0.0" } } })).toBe(true);
    expect(vitestAdapter.detect({ root, packageJson: { scripts: { test: "vitest run --coverage" } } })).toBe(
      true,
    );
    expect(vitestAdapter.detect({ root, packageJson: { scripts: { test: "tsc && npx vitest" } } })).toBe(
      true,
    );
    expect(
      vitestAdapter.detect({
        root,
        packageJson: { scripts: { test: "jest" }, devDependencies: { jest: "30" } },
      }),
    ).toBe(false);
    expect(vitestAdapter.detect({ root, packageJson: { scripts: { test: "vitest-environment-foo" } } })).toBe(
      false,
    );
    expect(vitestAdapter.detect({ root })).toBe(false);
  });

  it("refuses a missing, empty or garbled report", () => {
    const input = { root: "/project", files: ["a.test.js"], stdout: "", stderr: "", exitCode: 1 };
    expect(() => vitestAdapter.parseReport({ ...input, report: undefined })).toThrow(TestRunError);
    expect(() => vitestAdapter.parseReport({ ...input, report: "" })).toThrow(TestRunError);
    expect(() => vitestAdapter.parseReport({ ...input, report: "{not json" })).toThrow(TestRunError);
    expect(() => vitestAdapter.parseReport({ ...input, report: JSON.stringify({ results: [] }) })).toThrow(
      TestRunError,
    );
    expect(() =>
      vitestAdapter.parseReport({ ...input, report: JSON.stringify({ testResults: [] }) }),
    ).toThrow(TestRunError);
  });
});
