import { describe, expect, it } from "vitest";
import { TestRunError } from "../../../core/errors.js";
import { runTests } from "../../../runner/run-tests.js";
import { scriptInvokes, summarizeFailure } from "../../../runner/test-adapters/common.js";
import { jestAdapter } from "../../../runner/test-adapters/jest.js";
import type { TestResult } from "../../../runner/test-adapters/types.js";
import { type FileTree, linkNodeModules, tempDir, writeTree } from "../../helpers/fixture-repo.js";

/** A CommonJS project whose node_modules is repogym's own, so the real jest runs. */
async function jestProject(files: FileTree) {
  const dir = await tempDir("repogym-jest-");
  const packageJson = { name: "fixture", devDependencies: { jest: "*" } };
  await writeTree(dir.path, { "package.json": JSON.stringify(packageJson), ...files });
  await linkNodeModules(dir.path);
  return dir;
}

async function run(root: string, files: string[], timeoutMs?: number) {
  return runTests({ adapter: jestAdapter, root, files, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
}

function byId(results: TestResult[]): Map<string, TestResult> {
  return new Map(results.map((result) => [result.id, result]));
}

const MATH_TEST = `
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
test("top level", () => {});
`;

describe("jest adapter", () => {
  it("reports passed, failed and skipped tests under their describe paths", async () => {
    await using dir = await jestProject({ "test/math.test.js": MATH_TEST });
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
    expect(carries).toContain("expect(received).toBe(expected)");
    expect(carries).toContain("Expected: 3");
    expect(carries).not.toMatch(/^\s*at /m);
    expect(carries).not.toContain("\u001b");
    expect(carries.split("\n").length).toBeLessThanOrEqual(5);
    expect(results.get("test/math.test.js > math > same #2")?.message).toBe(
      "Error: second same\nsecond line",
    );
  });

  it("runs only the given files", async () => {
    const passing = (name: string) => `it(${JSON.stringify(name)}, () => {});\n`;
    await using dir = await jestProject({
      "a.test.js": passing("root a"),
      "aa.test.js": passing("root aa"),
      "test/a.test.js": passing("nested a"),
    });
    const result = await run(dir.path, ["a.test.js"]);
    expect(result.ok && result.results.map((r) => r.id)).toEqual(["a.test.js > root a"]);
  });

  it("reports a test file that fails to load as one failed entry and keeps the others", async () => {
    await using dir = await jestProject({
      "test/syntax.test.js": `it("never", () => {\n`,
      "test/missing.test.js": `const { helper } = require("../src/helper");\nit("uses helper", () => helper());\n`,
      "test/good.test.js": `it("works", () => {});\n`,
    });
    const result = await run(dir.path, ["test/syntax.test.js", "test/missing.test.js", "test/good.test.js"]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const results = byId(result.results);
    expect(results.get("test/syntax.test.js")?.outcome).toBe("failed");
    expect(results.get("test/syntax.test.js")?.message).toMatch(/^SyntaxError:/);
    expect(results.get("test/missing.test.js")?.outcome).toBe("failed");
    expect(results.get("test/missing.test.js")?.message).toContain("Cannot find module '../src/helper'");
    expect(results.get("test/good.test.js > works")?.outcome).toBe("passed");
    expect(result.results).toHaveLength(3);
  });

  it("fails the run with a timeout when a test never finishes", async () => {
    await using dir = await jestProject({ "test/hang.test.js": `it("spins", () => { for (;;) {} });\n` });
    const result = await run(dir.path, ["test/hang.test.js"], 5_000);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(/timed out/);
  });

  it("fails the run when jest itself crashes", async () => {
    await using dir = await jestProject({
      "test/exit.test.js": `it("exits", () => { process.exit(1); });\n`,
    });
    const result = await run(dir.path, ["test/exit.test.js"]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(/no report/);
  });

  it("fails the run when jest's config is broken", async () => {
    await using dir = await jestProject({
      "jest.config.js": `throw new Error("broken config");\n`,
      "test/ok.test.js": `it("works", () => {});\n`,
    });
    const result = await run(dir.path, ["test/ok.test.js"]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.output).toContain("broken config");
  });

  it("detects jest from dependencies or the test script", () => {
    const root = "/project";
    expect(jestAdapter.detect({ root, packageJson: { devDependencies: { jest: "^30.0.0" } } })).toBe(true);
    expect(jestAdapter.detect({ root, packageJson: { dependencies: { jest: "^30.0.0" } } })).toBe(true);
    expect(jestAdapter.detect({ root, packageJson: { scripts: { test: "jest --coverage" } } })).toBe(true);
    expect(
      jestAdapter.detect({
        root,
        packageJson: { scripts: { test: "cross-env CI=1 node_modules/.bin/jest" } },
      }),
    ).toBe(true);
    expect(jestAdapter.detect({ root, packageJson: { scripts: { test: "vitest run" } } })).toBe(false);
    expect(jestAdapter.detect({ root, packageJson: { scripts: { test: "jest-puppeteer" } } })).toBe(false);
    expect(jestAdapter.detect({ root, packageJson: { devDependencies: { mocha: "12" } } })).toBe(false);
    expect(jestAdapter.detect({ root })).toBe(false);
  });

  it("refuses a missing, empty or garbled report", () => {
    const input = { root: "/project", files: ["a.test.js"], stdout: "", stderr: "", exitCode: 1 };
    expect(() => jestAdapter.parseReport({ ...input, report: undefined })).toThrow(TestRunError);
    expect(() => jestAdapter.parseReport({ ...input, report: "  \n" })).toThrow(TestRunError);
    expect(() => jestAdapter.parseReport({ ...input, report: "<xml/>" })).toThrow(TestRunError);
    expect(() =>
      jestAdapter.parseReport({ ...input, report: JSON.stringify({ testResults: [{}] }) }),
    ).toThrow(TestRunError);
  });
});

describe("shared adapter helpers", () => {
  it("finds a binary only where the script runs it", () => {
    expect(scriptInvokes("npm run build && jest", "jest")).toBe(true);
    expect(scriptInvokes("./node_modules/.bin/mocha test", "mocha")).toBe(true);
    expect(scriptInvokes("node node_modules/mocha/bin/mocha.js", "mocha")).toBe(true);
    expect(scriptInvokes("mocha-headless", "mocha")).toBe(false);
    expect(scriptInvokes(undefined, "jest")).toBe(false);
  });

  it("keeps the first lines of a failure without colours, stack or code frame", () => {
    const message = [
      "\u001b[31mError: expect(received).toBe(expected)\u001b[39m",
      "",
      "Expected: 3",
      "Received: 2",
      "    > 4 |     expect(1 + 1).toBe(3);",
      "    at Object.<anonymous> (test/math.test.js:4:19)",
    ].join("\n");
    expect(summarizeFailure(message)).toBe(
      "Error: expect(received).toBe(expected)\nExpected: 3\nReceived: 2",
    );
    expect(summarizeFailure("    at only (a stack)")).toBeUndefined();
  });
});
