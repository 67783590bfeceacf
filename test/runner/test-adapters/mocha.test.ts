import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TestRunError } from "../../../core/errors.js";
import { runTests } from "../../../runner/run-tests.js";
import { mochaAdapter } from "../../../runner/test-adapters/mocha.js";
import type { TestAdapter, TestResult } from "../../../runner/test-adapters/types.js";
import { type FileTree, linkNodeModules, tempDir, writeTree } from "../../helpers/fixture-repo.js";

/** A CommonJS project whose node_modules is repogym's own, so the real mocha runs. */
async function mochaProject(files: FileTree) {
  const dir = await tempDir("repogym-mocha-");
  const packageJson = { name: "fixture", devDependencies: { mocha: "*" } };
  await writeTree(dir.path, { "package.json": JSON.stringify(packageJson), ...files });
  await linkNodeModules(dir.path);
  return dir;
}

async function run(
  root: string,
  files: string[],
  options: { timeoutMs?: number; adapter?: TestAdapter } = {},
) {
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  return runTests({ adapter: options.adapter ?? mochaAdapter, root, files, ...timeout });
}

function byId(results: TestResult[]): Map<string, TestResult> {
  return new Map(results.map((result) => [result.id, result]));
}

const MATH_TEST = `
const assert = require("node:assert");
describe("math", () => {
  describe("add", () => {
    it("adds", () => { assert.strictEqual(1 + 1, 2); });
    it("carries", () => { assert.strictEqual(1 + 1, 3); });
  });
  describe("sub", () => {
    it("adds", () => { assert.strictEqual(2 - 1, 1); });
  });
  it.skip("later", () => {});
  it("someday");
  it("same", () => {});
  it("same", () => { throw new Error("second same\\nsecond line"); });
});
`;

const passing = (name: string) => `it(${JSON.stringify(name)}, () => {});\n`;

describe("mocha adapter", () => {
  it("reports passed, failed and skipped tests under their describe paths", async () => {
    await using dir = await mochaProject({ "test/math.test.js": MATH_TEST });
    const result = await run(dir.path, ["test/math.test.js"]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.results.map((r) => [r.id, r.outcome])).toEqual([
      ["test/math.test.js > math > later", "skipped"],
      ["test/math.test.js > math > someday", "skipped"],
      ["test/math.test.js > math > same", "passed"],
      ["test/math.test.js > math > same #2", "failed"],
      ["test/math.test.js > math > add > adds", "passed"],
      ["test/math.test.js > math > add > carries", "failed"],
      ["test/math.test.js > math > sub > adds", "passed"],
    ]);
    const results = byId(result.results);
    const carries = results.get("test/math.test.js > math > add > carries")?.message ?? "";
    expect(carries).toContain("AssertionError");
    expect(carries).toContain("2 !== 3");
    expect(carries).not.toMatch(/^\s*at /m);
    expect(carries).not.toContain("\u001b");
    expect(results.get("test/math.test.js > math > same #2")?.message).toBe(
      "Error: second same\nsecond line",
    );
  });

  it("reports a failing hook under its suite", async () => {
    await using dir = await mochaProject({
      "test/hook.test.js": `describe("db", () => {\n  before(() => { throw new Error("no db"); });\n  it("queries", () => {});\n});\n`,
    });
    const result = await run(dir.path, ["test/hook.test.js"]);
    expect(result.ok && result.results).toEqual([
      { id: 'test/hook.test.js > db > "before all" hook', outcome: "failed", message: "Error: no db" },
    ]);
  });

  it("runs only the given files, even when the config's spec lists more", async () => {
    await using dir = await mochaProject({
      ".mocharc.json": JSON.stringify({
        spec: ["test/**/*.test.js"],
        file: ["test/setup.js"],
        parallel: true,
      }),
      "test/setup.js": `before(() => { globalThis.fixtureReady = true; });\n`,
      "test/a.test.js": `it("sees setup", () => { if (!globalThis.fixtureReady) throw new Error("setup did not run"); });\n`,
      "test/aa.test.js": passing("other a"),
      "test/b.test.js": passing("other b"),
    });
    const result = await run(dir.path, ["test/a.test.js"]);
    expect(result.ok && result.results).toEqual([{ id: "test/a.test.js > sees setup", outcome: "passed" }]);
  });

  it("reports a test file that fails to load as one failed entry and keeps the others", async () => {
    await using dir = await mochaProject({
      "src/lib.mjs": "export const present = 1;\n",
      "test/esm.test.mjs": `import { missing } from "../src/lib.mjs";\nit("uses missing", () => missing());\n`,
      "test/syntax.test.js": `it("never", () => {\n`,
      "test/good.test.js": passing("works"),
    });
    const result = await run(dir.path, ["test/esm.test.mjs", "test/syntax.test.js", "test/good.test.js"]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const results = byId(result.results);
    expect(results.get("test/esm.test.mjs")?.outcome).toBe("failed");
    expect(results.get("test/esm.test.mjs")?.message).toContain("does not provide an export named 'missing'");
    expect(results.get("test/syntax.test.js")?.outcome).toBe("failed");
    expect(results.get("test/syntax.test.js")?.message).toMatch(/^SyntaxError:/);
    expect(results.get("test/good.test.js > works")?.outcome).toBe("passed");
    expect(result.results).toHaveLength(3);
  });

  it("fails the run with a timeout when a test never finishes", async () => {
    await using dir = await mochaProject({ "test/hang.test.js": `it("spins", () => { for (;;) {} });\n` });
    const result = await run(dir.path, ["test/hang.test.js"], { timeoutMs: 5_000 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(/timed out/);
  });

  it("fails the run when a test file kills mocha", async () => {
    await using dir = await mochaProject({
      "test/exit.test.js": `it("exits", () => { process.exit(1); });\n`,
      "test/good.test.js": passing("works"),
    });
    const result = await run(dir.path, ["test/exit.test.js", "test/good.test.js"]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(/no report/);
  });

  it("reads mocha's built-in JSON report when a configured command uses it", async () => {
    const builtin: TestAdapter = {
      ...mochaAdapter,
      buildCommand: ({ files, reportPath, binDir }) => ({
        command: join(binDir, "mocha"),
        args: ["--reporter", "json", "--reporter-option", `output=${reportPath}`, ...files],
      }),
    };
    await using dir = await mochaProject({ "test/math.test.js": MATH_TEST });
    const result = await run(dir.path, ["test/math.test.js"], { adapter: builtin });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const results = byId(result.results);
    // Without a title path, describe names stay joined with spaces.
    expect(results.get("test/math.test.js > math add carries")?.outcome).toBe("failed");
    expect(results.get("test/math.test.js > math add carries")?.message).toContain("2 !== 3");
    expect(results.get("test/math.test.js > math sub adds")?.outcome).toBe("passed");
    expect(results.get("test/math.test.js > math later")?.outcome).toBe("skipped");
    expect(results.get("test/math.test.js > math same #2")?.outcome).toBe("failed");
  });

  it("detects mocha from dependencies or the test script", () => {
    const root = "/project";
    expect(mochaAdapter.detect({ root, packageJson: { devDependencies: { mocha: "^12.0.0" } } })).toBe(true);
    expect(mochaAdapter.detect({ root, packageJson: { dependencies: { mocha: "^12.0.0" } } })).toBe(true);
    expect(
      mochaAdapter.detect({ root, packageJson: { scripts: { test: "nyc mocha 'test/**/*.js'" } } }),
    ).toBe(true);
    expect(mochaAdapter.detect({ root, packageJson: { scripts: { test: "_mocha -R spec" } } })).toBe(true);
    expect(mochaAdapter.detect({ root, packageJson: { scripts: { test: "jest" } } })).toBe(false);
    expect(
      mochaAdapter.detect({ root, packageJson: { devDependencies: { "mocha-junit-reporter": "2" } } }),
    ).toBe(false);
    expect(mochaAdapter.detect({ root })).toBe(false);
  });

  it("refuses a missing, empty or garbled report", () => {
    const input = { root: "/project", files: ["a.test.js"], stdout: "", stderr: "", exitCode: 1 };
    expect(() => mochaAdapter.parseReport({ ...input, report: undefined })).toThrow(TestRunError);
    expect(() => mochaAdapter.parseReport({ ...input, report: "" })).toThrow(TestRunError);
    expect(() => mochaAdapter.parseReport({ ...input, report: "1..3\nok 1" })).toThrow(TestRunError);
    expect(() => mochaAdapter.parseReport({ ...input, report: JSON.stringify({ tests: "nope" }) })).toThrow(
      TestRunError,
    );
  });
});
