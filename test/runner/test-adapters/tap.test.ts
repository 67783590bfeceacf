import { describe, expect, it } from "vitest";
import { TestRunError } from "../../../core/errors.js";
import { runTests } from "../../../runner/run-tests.js";
import { tapAdapter } from "../../../runner/test-adapters/tap.js";
import type { ParseReportInput, TestResult } from "../../../runner/test-adapters/types.js";
import { linkNodeModules, tempDir, writeTree } from "../../helpers/fixture-repo.js";

const PACKAGE_JSON = JSON.stringify({
  name: "fixture",
  type: "module",
  scripts: { test: "tap" },
  devDependencies: { tap: "^21.8.0" },
});

const MAIN_TEST = `
import t from "tap";
import { add } from "../src/lib.js";

t.test("math", async (t) => {
  t.test("adds", async (t) => {
    t.equal(add(1, 1), 2);
  });
  t.test("subtracts wrongly", async (t) => {
    t.equal(3 - 1, 1, "three minus one");
  });
  t.test("nested", async (t) => {
    t.test("same name", async (t) => {
      t.ok(true);
    });
  });
  t.test("skipped", { skip: "not now" }, async (t) => {
    t.fail("never runs");
  });
  t.test("later", { todo: true }, async (t) => {
    t.fail("not yet");
  });
});

t.test("strings", async (t) => {
  t.test("same name", async (t) => {
    t.ok(true);
  });
});

t.test("twice", async (t) => {
  t.ok(true);
});
t.test("twice", async (t) => {
  t.equal("a", "b", "second twice");
});

t.test("throws", async () => {
  throw new Error("kaboom");
});
`;

const FILES = {
  "package.json": PACKAGE_JSON,
  "src/lib.js": "export const add = (a, b) => a + b;\n",
  "test/main.test.js": MAIN_TEST,
  // Assertions outside any subtest count as one test named after the file.
  "test/plain.test.js": `import t from "tap";\nt.ok(true, "plain");\nt.equal(2, 2);\n`,
  // The usual "before fix" state: the test imports something the source does not have yet.
  "test/broken.test.js": `import t from "tap";\nimport { subtract } from "../src/lib.js";\nt.equal(subtract(2, 1), 1);\n`,
  "test/other.test.js": `import t from "tap";\nt.test("must not run", async (t) => t.ok(true));\n`,
};

function byId(results: TestResult[]): Map<string, TestResult> {
  return new Map(results.map((result) => [result.id, result]));
}

function parseInput(report: string | undefined): ParseReportInput {
  return { root: "/project", files: ["test/a.test.js"], report, stdout: "", stderr: "", exitCode: 1 };
}

describe("tapAdapter", () => {
  it("reports every subtest of the given files by file and parent subtests", async () => {
    await using dir = await tempDir();
    await writeTree(dir.path, FILES);
    await linkNodeModules(dir.path);

    const run = await runTests({
      adapter: tapAdapter,
      root: dir.path,
      files: ["test/main.test.js", "test/plain.test.js", "test/broken.test.js"],
    });

    expect(run.ok, run.ok ? "" : `${run.reason}\n${run.output}`).toBe(true);
    if (!run.ok) return;
    const results = byId(run.results);
    expect([...results.keys()].sort()).toEqual(
      [
        "test/main.test.js > math > adds",
        "test/main.test.js > math > subtracts wrongly",
        "test/main.test.js > math > nested > same name",
        "test/main.test.js > math > skipped",
        "test/main.test.js > math > later",
        "test/main.test.js > strings > same name",
        "test/main.test.js > twice",
        "test/main.test.js > twice #2",
        "test/main.test.js > throws",
        "test/plain.test.js",
        "test/broken.test.js",
      ].sort(),
    );
    for (const id of [
      "test/main.test.js > math > adds",
      "test/main.test.js > math > nested > same name",
      "test/main.test.js > strings > same name",
      "test/main.test.js > twice",
      "test/plain.test.js",
    ]) {
      expect(results.get(id)?.outcome, id).toBe("passed");
    }
    expect(results.get("test/main.test.js > math > skipped")?.outcome).toBe("skipped");
    expect(results.get("test/main.test.js > math > later")?.outcome).toBe("skipped");

    const wrong = results.get("test/main.test.js > math > subtracts wrongly");
    expect(wrong?.outcome).toBe("failed");
    expect(wrong?.message).toContain("three minus one");
    expect(results.get("test/main.test.js > twice #2")?.message).toContain("second twice");
    const thrown = results.get("test/main.test.js > throws");
    expect(thrown?.outcome).toBe("failed");
    expect(thrown?.message).toContain("kaboom");

    const broken = results.get("test/broken.test.js");
    expect(broken?.outcome).toBe("failed");
    expect(broken?.message).toContain("does not provide an export named 'subtract'");
  });

  it("turns a hanging test into a timeout, not a result", async () => {
    await using dir = await tempDir();
    await writeTree(dir.path, {
      "package.json": PACKAGE_JSON,
      "test/hang.test.js": `import t from "tap";\nt.test("hangs", () => new Promise(() => setInterval(() => {}, 1000)));\n`,
    });
    await linkNodeModules(dir.path);

    const run = await runTests({
      adapter: tapAdapter,
      root: dir.path,
      files: ["test/hang.test.js"],
      timeoutMs: 4_000,
    });

    expect(run.ok).toBe(false);
    if (run.ok) return;
    expect(run.reason).toMatch(/timed out/);
  });

  it("fails the run when the runner itself dies", async () => {
    await using dir = await tempDir();
    await writeTree(dir.path, {
      "package.json": PACKAGE_JSON,
      "test/first.test.js": `import t from "tap";\nt.test("passes", async (t) => t.ok(true));\n`,
      // Test files run as child processes of the tap runner.
      "test/kill.test.js": `import t from "tap";\nt.test("kills the runner", async () => { process.kill(process.ppid, "SIGKILL"); });\n`,
    });
    await linkNodeModules(dir.path);

    const run = await runTests({
      adapter: tapAdapter,
      root: dir.path,
      files: ["test/first.test.js", "test/kill.test.js"],
    });

    expect(run.ok).toBe(false);
  });

  it("runs the installed tap with raw TAP into the report and coverage off", () => {
    const command = tapAdapter.buildCommand({
      root: "/project",
      files: ["test/a.test.js"],
      reportPath: "/tmp/report",
      binDir: "/project/node_modules/.bin",
    });
    expect(command.command).toBe("/project/node_modules/.bin/tap");
    expect(command.args).toContain("--reporter=tap");
    expect(command.args).toContain("--reporter-file=/tmp/report");
    expect(command.args).toContain("--disable-coverage");
    expect(command.args.slice(-2)).toEqual(["--", "test/a.test.js"]);
  });

  it("detects tap from dependencies or the test script, and not from tape or tap-spec", () => {
    expect(tapAdapter.detect({ root: "/p", packageJson: { devDependencies: { tap: "21" } } })).toBe(true);
    expect(
      tapAdapter.detect({ root: "/p", packageJson: { scripts: { test: "tap --allow-empty-coverage" } } }),
    ).toBe(true);
    expect(tapAdapter.detect({ root: "/p", packageJson: { scripts: { test: "npx tap test/*.js" } } })).toBe(
      true,
    );
    expect(
      tapAdapter.detect({ root: "/p", packageJson: { scripts: { test: "tape test/*.js | tap-spec" } } }),
    ).toBe(false);
    expect(tapAdapter.detect({ root: "/p", packageJson: { devDependencies: { tape: "5" } } })).toBe(false);
    expect(tapAdapter.detect({ root: "/p" })).toBe(false);
  });

  it("refuses a missing, empty, unreadable or truncated report", () => {
    expect(() => tapAdapter.parseReport(parseInput(undefined))).toThrow(TestRunError);
    expect(() => tapAdapter.parseReport(parseInput(""))).toThrow(TestRunError);
    expect(() => tapAdapter.parseReport(parseInput("Segmentation fault (core dumped)\n"))).toThrow(
      TestRunError,
    );
    const truncated =
      "TAP version 14\n1..2\n# Subtest: test/a.test.js\n    ok 1 - works\n    1..1\nok 1 - test/a.test.js\n";
    expect(() => tapAdapter.parseReport(parseInput(truncated))).toThrow(/truncated/);
  });

  it("keeps what ran before a bail out and fails the subtest that bailed", () => {
    const report = [
      "TAP version 14",
      "1..1",
      "# Subtest: test/a.test.js",
      "    # Subtest: first",
      "        ok 1 - fine",
      "        1..1",
      "    ok 1 - first",
      "    # Subtest: bails",
      "        Bail out! database is down",
      "Bail out! database is down",
      "",
    ].join("\n");
    const results = tapAdapter.parseReport(parseInput(report));
    expect(results).toEqual([
      { id: "test/a.test.js > first", outcome: "passed" },
      { id: "test/a.test.js > bails", outcome: "failed", message: "Bail out! database is down" },
    ]);
  });
});
