import { describe, expect, it } from "vitest";
import { TestRunError } from "../../../core/errors.js";
import { runTests } from "../../../runner/run-tests.js";
import { avaAdapter } from "../../../runner/test-adapters/ava.js";
import type { ParseReportInput, TestResult } from "../../../runner/test-adapters/types.js";
import { linkNodeModules, tempDir, writeTree } from "../../helpers/fixture-repo.js";

const PACKAGE_JSON = JSON.stringify({
  name: "fixture",
  type: "module",
  scripts: { test: "ava" },
  devDependencies: { ava: "^7.0.0" },
});

const MAIN_TEST = `
import test from "ava";
import { add } from "../src/lib.js";

test("adds", (t) => {
  t.is(add(1, 1), 2);
});
test("subtracts wrongly", (t) => {
  t.is(3 - 1, 1, "three minus one");
});
test("throws", () => {
  throw new Error("kaboom");
});
test.skip("skipped", (t) => {
  t.fail();
});
test.todo("later");
test("shared name", (t) => {
  t.pass();
});
test("title with # hash › and arrow", (t) => {
  t.pass();
});
`;

const FILES = {
  "package.json": PACKAGE_JSON,
  "src/lib.js": "export const add = (a, b) => a + b;\n",
  "test/main.test.js": MAIN_TEST,
  "test/unit/second.test.js": `import test from "ava";\ntest("shared name", (t) => t.pass());\n`,
  // The usual "before fix" state: the test imports something the source does not have yet.
  "test/broken.test.js": `import test from "ava";\nimport { subtract } from "../src/lib.js";\ntest("uses it", (t) => t.is(subtract(2, 1), 1));\n`,
  "test/other.test.js": `import test from "ava";\ntest("must not run", (t) => t.pass());\n`,
};

const MAIN_IDS = [
  "test/main.test.js > adds",
  "test/main.test.js > subtracts wrongly",
  "test/main.test.js > throws",
  "test/main.test.js > skipped",
  "test/main.test.js > later",
  "test/main.test.js > shared name",
  "test/main.test.js > title with # hash › and arrow",
];

async function fixture(files: Record<string, string>) {
  const dir = await tempDir();
  await writeTree(dir.path, files);
  await linkNodeModules(dir.path);
  return dir;
}

function byId(results: TestResult[]): Map<string, TestResult> {
  return new Map(results.map((result) => [result.id, result]));
}

function parseInput(stdout: string): ParseReportInput {
  return { root: "/project", files: ["test/a.test.js"], report: undefined, stdout, stderr: "", exitCode: 1 };
}

describe("avaAdapter", () => {
  it("reports every test of the given files, each under its own file", async () => {
    await using dir = await fixture(FILES);

    const run = await runTests({
      adapter: avaAdapter,
      root: dir.path,
      files: ["test/main.test.js", "test/unit/second.test.js", "test/broken.test.js"],
    });

    expect(run.ok, run.ok ? "" : `${run.reason}\n${run.output}`).toBe(true);
    if (!run.ok) return;
    const results = byId(run.results);
    expect([...results.keys()].sort()).toEqual(
      [...MAIN_IDS, "test/unit/second.test.js > shared name", "test/broken.test.js"].sort(),
    );
    expect(results.get("test/main.test.js > adds")?.outcome).toBe("passed");
    expect(results.get("test/main.test.js > shared name")?.outcome).toBe("passed");
    expect(results.get("test/unit/second.test.js > shared name")?.outcome).toBe("passed");
    expect(results.get("test/main.test.js > title with # hash › and arrow")?.outcome).toBe("passed");
    expect(results.get("test/main.test.js > skipped")?.outcome).toBe("skipped");
    expect(results.get("test/main.test.js > later")?.outcome).toBe("skipped");

    const wrong = results.get("test/main.test.js > subtracts wrongly");
    expect(wrong?.outcome).toBe("failed");
    expect(wrong?.message).toContain("three minus one");
    const thrown = results.get("test/main.test.js > throws");
    expect(thrown?.outcome).toBe("failed");
    expect(thrown?.message).toContain("kaboom");

    const broken = results.get("test/broken.test.js");
    expect(broken?.outcome).toBe("failed");
    expect(broken?.message).toContain("does not provide an export named 'subtract'");
  });

  it("gives a test the same id when its file runs alone (AVA then drops the file label)", async () => {
    await using dir = await fixture(FILES);

    const run = await runTests({ adapter: avaAdapter, root: dir.path, files: ["test/main.test.js"] });

    expect(run.ok, run.ok ? "" : `${run.reason}\n${run.output}`).toBe(true);
    if (!run.ok) return;
    expect(run.results.map((result) => result.id).sort()).toEqual([...MAIN_IDS].sort());
  });

  it("reports a file that fails to load when it runs alone", async () => {
    await using dir = await fixture(FILES);

    const run = await runTests({ adapter: avaAdapter, root: dir.path, files: ["test/broken.test.js"] });

    expect(run.ok, run.ok ? "" : `${run.reason}\n${run.output}`).toBe(true);
    if (!run.ok) return;
    expect(run.results).toHaveLength(1);
    expect(run.results[0]).toMatchObject({ id: "test/broken.test.js", outcome: "failed" });
    expect(run.results[0]?.message).toContain("does not provide an export named 'subtract'");
  });

  it("turns a hanging test into a timeout, not a result", async () => {
    await using dir = await fixture({
      "package.json": PACKAGE_JSON,
      "test/hang.test.js": `import test from "ava";\ntest("hangs", () => new Promise(() => setInterval(() => {}, 1000)));\n`,
    });

    const run = await runTests({
      adapter: avaAdapter,
      root: dir.path,
      files: ["test/hang.test.js"],
      timeoutMs: 3_000,
    });

    expect(run.ok).toBe(false);
    if (run.ok) return;
    expect(run.reason).toMatch(/timed out/);
  });

  it("fails the run when the runner itself dies", async () => {
    await using dir = await fixture({
      "package.json": PACKAGE_JSON,
      "test/first.test.js": `import test from "ava";\ntest("passes", (t) => t.pass());\n`,
      // Tests run in worker threads, so this is AVA's own process.
      "test/kill.test.js": `import test from "ava";\ntest("kills the runner", () => { process.kill(process.pid, "SIGKILL"); });\n`,
    });

    const run = await runTests({
      adapter: avaAdapter,
      root: dir.path,
      files: ["test/first.test.js", "test/kill.test.js"],
    });

    expect(run.ok).toBe(false);
    if (run.ok) return;
    expect(run.reason).toContain("no plan");
  });

  it("runs the installed ava with TAP output and only the given files", () => {
    const command = avaAdapter.buildCommand({
      root: "/project",
      files: ["test/a.test.js"],
      reportPath: "/tmp/report",
      binDir: "/project/node_modules/.bin",
    });
    expect(command.command).toBe("/project/node_modules/.bin/ava");
    expect(command.args).toEqual(["--tap", "--no-color", "test/a.test.js"]);
  });

  it("detects ava from dependencies or the test script", () => {
    expect(avaAdapter.detect({ root: "/p", packageJson: { devDependencies: { ava: "7" } } })).toBe(true);
    expect(avaAdapter.detect({ root: "/p", packageJson: { scripts: { test: "xo && ava --verbose" } } })).toBe(
      true,
    );
    expect(avaAdapter.detect({ root: "/p", packageJson: { scripts: { test: "java -jar x" } } })).toBe(false);
    expect(avaAdapter.detect({ root: "/p", packageJson: { devDependencies: { vitest: "4" } } })).toBe(false);
    expect(avaAdapter.detect({ root: "/p" })).toBe(false);
  });

  it("refuses output with no TAP plan", () => {
    expect(() => avaAdapter.parseReport(parseInput(""))).toThrow(TestRunError);
    expect(() => avaAdapter.parseReport(parseInput("Segmentation fault\n"))).toThrow(TestRunError);
    expect(() => avaAdapter.parseReport(parseInput("TAP version 13\nok 1 - a › works\n"))).toThrow(/no plan/);
  });
});
