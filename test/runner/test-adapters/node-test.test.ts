import { describe, expect, it } from "vitest";
import { TestRunError } from "../../../core/errors.js";
import { runTests } from "../../../runner/run-tests.js";
import { nodeTestAdapter } from "../../../runner/test-adapters/node-test.js";
import type { ParseReportInput, TestResult } from "../../../runner/test-adapters/types.js";
import { tempDir, writeTree } from "../../helpers/fixture-repo.js";

const PACKAGE_JSON = JSON.stringify({ name: "fixture", type: "module", scripts: { test: "node --test" } });

const MAIN_TEST = `
import { describe, it, test } from "node:test";
import assert from "node:assert/strict";
import { add } from "../src/lib.js";

describe("math", () => {
  it("adds", () => {
    assert.equal(add(1, 1), 2);
  });
  it("subtracts wrongly", () => {
    assert.equal(3 - 1, 1, "three minus one");
  });
  describe("nested", () => {
    it("same name", () => {});
  });
  it.skip("skipped", () => {});
  it.todo("later");
});

describe("strings", () => {
  it("same name", () => {});
});

test("parent", async (t) => {
  await t.test("child", () => {});
});

test("twice", () => {});
test("twice", () => {
  throw new Error("second \\u001b[31mred\\u001b[39m twice");
});
`;

const FILES = {
  "package.json": PACKAGE_JSON,
  "src/lib.js": "export const add = (a, b) => a + b;\n",
  "test/main.test.js": MAIN_TEST,
  // The usual "before fix" state: the test imports something the source does not have yet.
  "test/broken.test.js": `import { subtract } from "../src/lib.js";\nimport { test } from "node:test";\ntest("uses it", () => subtract(2, 1));\n`,
  "test/other.test.js": `import { test } from "node:test";\ntest("must not run", () => {});\n`,
};

function byId(results: TestResult[]): Map<string, TestResult> {
  return new Map(results.map((result) => [result.id, result]));
}

function parseInput(report: string | undefined): ParseReportInput {
  return { root: "/project", files: ["test/a.test.js"], report, stdout: "", stderr: "", exitCode: 1 };
}

describe("nodeTestAdapter", () => {
  it("reports every test of the given files by file and describe path", async () => {
    await using dir = await tempDir();
    await writeTree(dir.path, FILES);

    const run = await runTests({
      adapter: nodeTestAdapter,
      root: dir.path,
      files: ["test/main.test.js", "test/broken.test.js"],
    });

    expect(run.ok, run.ok ? "" : `${run.reason}\n${run.output}`).toBe(true);
    if (!run.ok) return;
    const results = byId(run.results);
    expect([...results.keys()].sort()).toEqual(
      [
        "test/broken.test.js",
        "test/main.test.js > math > adds",
        "test/main.test.js > math > subtracts wrongly",
        "test/main.test.js > math > nested > same name",
        "test/main.test.js > math > skipped",
        "test/main.test.js > math > later",
        "test/main.test.js > strings > same name",
        "test/main.test.js > parent > child",
        "test/main.test.js > twice",
        "test/main.test.js > twice #2",
      ].sort(),
    );
    expect(results.get("test/main.test.js > math > adds")?.outcome).toBe("passed");
    expect(results.get("test/main.test.js > math > nested > same name")?.outcome).toBe("passed");
    expect(results.get("test/main.test.js > strings > same name")?.outcome).toBe("passed");
    expect(results.get("test/main.test.js > parent > child")?.outcome).toBe("passed");
    expect(results.get("test/main.test.js > math > skipped")?.outcome).toBe("skipped");
    expect(results.get("test/main.test.js > math > later")?.outcome).toBe("skipped");
    expect(results.get("test/main.test.js > twice")?.outcome).toBe("passed");

    const wrong = results.get("test/main.test.js > math > subtracts wrongly");
    expect(wrong?.outcome).toBe("failed");
    expect(wrong?.message).toContain("three minus one");
    expect(wrong?.message).not.toMatch(/^\s+at /m);

    const second = results.get("test/main.test.js > twice #2");
    expect(second?.outcome).toBe("failed");
    expect(second?.message).toContain("second red twice");
    expect(second?.message).not.toContain("\u001b");

    const broken = results.get("test/broken.test.js");
    expect(broken?.outcome).toBe("failed");
    expect(broken?.message).toContain("does not provide an export named 'subtract'");
    expect(broken?.message?.split("\n").length).toBeLessThanOrEqual(5);
  });

  it("gives a test the same id whichever other files run with it", async () => {
    await using dir = await tempDir();
    await writeTree(dir.path, FILES);

    const alone = await runTests({ adapter: nodeTestAdapter, root: dir.path, files: ["test/main.test.js"] });
    const together = await runTests({
      adapter: nodeTestAdapter,
      root: dir.path,
      files: ["test/other.test.js", "test/main.test.js"],
    });

    expect(alone.ok && together.ok).toBe(true);
    if (!alone.ok || !together.ok) return;
    const mainIds = (results: TestResult[]) =>
      results.map((result) => result.id).filter((id) => id.startsWith("test/main.test.js"));
    expect(mainIds(together.results).sort()).toEqual(mainIds(alone.results).sort());
    expect(together.results.map((result) => result.id)).toContain("test/other.test.js > must not run");
  });

  it("turns a hanging test into a timeout, not a result", async () => {
    await using dir = await tempDir();
    await writeTree(dir.path, {
      "package.json": PACKAGE_JSON,
      "test/hang.test.js": `import { test } from "node:test";\ntest("hangs", () => new Promise(() => setInterval(() => {}, 1000)));\n`,
    });

    const run = await runTests({
      adapter: nodeTestAdapter,
      root: dir.path,
      files: ["test/hang.test.js"],
      timeoutMs: 2_000,
    });

    expect(run.ok).toBe(false);
    if (run.ok) return;
    expect(run.reason).toMatch(/timed out/);
  });

  it("fails the run when the runner itself dies", async () => {
    await using dir = await tempDir();
    await writeTree(dir.path, {
      "package.json": PACKAGE_JSON,
      "test/first.test.js": `import { test } from "node:test";\ntest("passes", () => {});\n`,
      "test/kill.test.js": `import { test } from "node:test";\ntest("kills the runner", () => { process.kill(process.ppid, "SIGKILL"); });\n`,
    });

    const run = await runTests({
      adapter: nodeTestAdapter,
      root: dir.path,
      files: ["test/first.test.js", "test/kill.test.js"],
    });

    expect(run.ok).toBe(false);
  });

  it("fails the run when a given file does not exist", async () => {
    await using dir = await tempDir();
    await writeTree(dir.path, { "package.json": PACKAGE_JSON });

    const run = await runTests({ adapter: nodeTestAdapter, root: dir.path, files: ["test/missing.test.js"] });

    expect(run.ok).toBe(false);
    if (run.ok) return;
    expect(run.reason).toContain("no report");
  });

  it("runs the given files with this Node and a machine-readable reporter", () => {
    const command = nodeTestAdapter.buildCommand({
      root: "/project",
      files: ["test/a.test.js"],
      reportPath: "/tmp/report",
      binDir: "/project/node_modules/.bin",
    });
    expect(command.command).toBe(process.execPath);
    expect(command.args).toContain("--test");
    expect(command.args).toContain("--test-reporter-destination=/tmp/report");
    expect(command.args[command.args.length - 1]).toBe("test/a.test.js");
  });

  it("detects node --test in the test script", () => {
    const detect = (test: string) =>
      nodeTestAdapter.detect({ root: "/p", packageJson: { scripts: { test } } });
    expect(detect("node --test")).toBe(true);
    expect(detect("node --import tsx --test test/")).toBe(true);
    expect(detect("npm run build && node --test dist/test")).toBe(true);
    expect(detect("node test/run.js")).toBe(false);
    expect(detect("vitest run")).toBe(false);
    expect(nodeTestAdapter.detect({ root: "/p", packageJson: { devDependencies: { vitest: "4" } } })).toBe(
      false,
    );
    expect(nodeTestAdapter.detect({ root: "/p" })).toBe(false);
  });

  it("refuses a missing, empty, unreadable or unfinished report", () => {
    expect(() => nodeTestAdapter.parseReport(parseInput(undefined))).toThrow(TestRunError);
    expect(() => nodeTestAdapter.parseReport(parseInput(""))).toThrow(TestRunError);
    expect(() => nodeTestAdapter.parseReport(parseInput("not json\n"))).toThrow(TestRunError);
    const unfinished = `${JSON.stringify({ type: "pass", name: "a", nesting: 0, file: "/project/test/a.test.js" })}\n`;
    expect(() => nodeTestAdapter.parseReport(parseInput(unfinished))).toThrow(/truncated/);
  });
});
