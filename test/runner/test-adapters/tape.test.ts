import { describe, expect, it } from "vitest";
import { TestRunError } from "../../../core/errors.js";
import { runTests } from "../../../runner/run-tests.js";
import { tapeAdapter } from "../../../runner/test-adapters/tape.js";
import type { ParseReportInput, TestResult } from "../../../runner/test-adapters/types.js";
import { linkNodeModules, tempDir, writeTree } from "../../helpers/fixture-repo.js";

const PACKAGE_JSON = JSON.stringify({
  name: "fixture",
  type: "module",
  scripts: { test: "tape test/*.test.js" },
  devDependencies: { tape: "^5.10.2" },
});

const MAIN_TEST = `
import test from "tape";
import { add } from "../src/lib.js";

test("math", (t) => {
  t.test("adds", (st) => {
    st.equal(add(1, 1), 2);
    st.end();
  });
  t.test("subtracts wrongly", (st) => {
    st.equal(3 - 1, 1, "three minus one");
    st.end();
  });
  t.test("nested", (st) => {
    st.test("same name", (s) => {
      s.ok(true);
      s.end();
    });
    st.end();
  });
  t.end();
});

test("strings", (t) => {
  t.test("same name", (st) => {
    st.ok(true);
    st.end();
  });
  t.end();
});

// tape's test.skip() never reaches the harness; the skip option does.
test("skipped", { skip: true }, (t) => {
  t.fail("never runs");
  t.end();
});
test("later", { todo: true }, (t) => {
  t.ok(false, "not yet");
  t.end();
});

test("twice", (t) => {
  t.ok(true);
  t.end();
});
test("twice", (t) => {
  t.equal("a", "b", "second twice");
  t.end();
});

test("async", async (t) => {
  await Promise.resolve();
  t.ok(true);
});
`;

const FILES = {
  "package.json": PACKAGE_JSON,
  "src/lib.js": "export const add = (a, b) => a + b;\n",
  "test/main.test.js": MAIN_TEST,
  // A throw inside a tape test kills its process; it must not take the other files with it.
  "test/crashes.test.js": `import test from "tape";
test("before", (t) => { t.ok(true); t.end(); });
test("throws", () => { throw new Error("kaboom"); });
test("after", (t) => { t.ok(true); t.end(); });
`,
  "test/common.test.cjs": `const test = require("tape");\ntest("from commonjs", (t) => { t.ok(true); t.end(); });\n`,
  // The usual "before fix" state: the test imports something the source does not have yet.
  "test/broken.test.js": `import test from "tape";\nimport { subtract } from "../src/lib.js";\ntest("uses it", (t) => { t.equal(subtract(2, 1), 1); t.end(); });\n`,
  "test/other.test.js": `import test from "tape";\ntest("must not run", (t) => { t.end(); });\n`,
};

function byId(results: TestResult[]): Map<string, TestResult> {
  return new Map(results.map((result) => [result.id, result]));
}

function parseInput(report: string | undefined): ParseReportInput {
  return { root: "/project", files: ["test/a.test.js"], report, stdout: "", stderr: "", exitCode: 1 };
}

describe("tapeAdapter", () => {
  it("reports every test of the given files by file and parent test", async () => {
    await using dir = await tempDir();
    await writeTree(dir.path, FILES);
    await linkNodeModules(dir.path);

    const run = await runTests({
      adapter: tapeAdapter,
      root: dir.path,
      files: ["test/crashes.test.js", "test/main.test.js", "test/common.test.cjs", "test/broken.test.js"],
    });

    expect(run.ok, run.ok ? "" : `${run.reason}\n${run.output}`).toBe(true);
    if (!run.ok) return;
    const results = byId(run.results);
    expect([...results.keys()].sort()).toEqual(
      [
        "test/crashes.test.js > before",
        "test/crashes.test.js > throws",
        "test/main.test.js > math > adds",
        "test/main.test.js > math > subtracts wrongly",
        "test/main.test.js > math > nested > same name",
        "test/main.test.js > strings > same name",
        "test/main.test.js > skipped",
        "test/main.test.js > later",
        "test/main.test.js > twice",
        "test/main.test.js > twice #2",
        "test/main.test.js > async",
        "test/common.test.cjs > from commonjs",
        "test/broken.test.js",
      ].sort(),
    );
    for (const id of [
      "test/crashes.test.js > before",
      "test/main.test.js > math > adds",
      "test/main.test.js > math > nested > same name",
      "test/main.test.js > strings > same name",
      "test/main.test.js > twice",
      "test/main.test.js > async",
      "test/common.test.cjs > from commonjs",
    ]) {
      expect(results.get(id)?.outcome, id).toBe("passed");
    }
    expect(results.get("test/main.test.js > skipped")?.outcome).toBe("skipped");
    expect(results.get("test/main.test.js > later")?.outcome).toBe("skipped");

    const wrong = results.get("test/main.test.js > math > subtracts wrongly");
    expect(wrong?.outcome).toBe("failed");
    expect(wrong?.message).toContain("three minus one");
    expect(wrong?.message).toContain("expected: 1");
    expect(results.get("test/main.test.js > twice #2")?.message).toContain("second twice");

    const thrown = results.get("test/crashes.test.js > throws");
    expect(thrown?.outcome).toBe("failed");
    expect(thrown?.message).toContain("kaboom");
    expect(thrown?.message).not.toMatch(/^\s+at /m);

    const broken = results.get("test/broken.test.js");
    expect(broken?.outcome).toBe("failed");
    expect(broken?.message).toContain("does not provide an export named 'subtract'");
  });

  it("turns a hanging test into a timeout, not a result", async () => {
    await using dir = await tempDir();
    await writeTree(dir.path, {
      "package.json": PACKAGE_JSON,
      "test/hang.test.js": `import test from "tape";\ntest("hangs", () => { setInterval(() => {}, 1000); });\n`,
    });
    await linkNodeModules(dir.path);

    const run = await runTests({
      adapter: tapeAdapter,
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
      "test/first.test.js": `import test from "tape";\ntest("passes", (t) => { t.ok(true); t.end(); });\n`,
      "test/kill.test.js": `import test from "tape";\ntest("kills the runner", () => { process.kill(process.ppid, "SIGKILL"); });\n`,
    });
    await linkNodeModules(dir.path);

    const run = await runTests({
      adapter: tapeAdapter,
      root: dir.path,
      files: ["test/first.test.js", "test/kill.test.js"],
    });

    expect(run.ok).toBe(false);
    if (run.ok) return;
    expect(run.reason).toContain("truncated");
  });

  it("fails the run when the project has no tape to load", async () => {
    await using dir = await tempDir();
    await writeTree(dir.path, {
      "package.json": PACKAGE_JSON,
      "test/a.test.js": `import test from "tape";\ntest("passes", (t) => t.end());\n`,
    });

    const run = await runTests({ adapter: tapeAdapter, root: dir.path, files: ["test/a.test.js"] });

    expect(run.ok).toBe(false);
    if (run.ok) return;
    expect(run.reason).toContain("cannot load tape");
  });

  it("runs the given files through this Node", () => {
    const command = tapeAdapter.buildCommand({
      root: "/project",
      files: ["test/a.test.js", "test/b.test.js"],
      reportPath: "/tmp/report",
      binDir: "/project/node_modules/.bin",
    });
    expect(command.command).toBe(process.execPath);
    expect(command.args.slice(-3)).toEqual(["/tmp/report", "test/a.test.js", "test/b.test.js"]);
  });

  it("detects tape from dependencies or the test script, and not from tap or tap-spec", () => {
    expect(tapeAdapter.detect({ root: "/p", packageJson: { devDependencies: { tape: "5" } } })).toBe(true);
    expect(
      tapeAdapter.detect({ root: "/p", packageJson: { scripts: { test: "tape test/*.js | tap-spec" } } }),
    ).toBe(true);
    expect(tapeAdapter.detect({ root: "/p", packageJson: { scripts: { test: "tap test/*.js" } } })).toBe(
      false,
    );
    expect(tapeAdapter.detect({ root: "/p", packageJson: { devDependencies: { "tap-spec": "5" } } })).toBe(
      false,
    );
    expect(tapeAdapter.detect({ root: "/p" })).toBe(false);
  });

  it("refuses a missing, empty, unreadable or unfinished report", () => {
    expect(() => tapeAdapter.parseReport(parseInput(undefined))).toThrow(TestRunError);
    expect(() => tapeAdapter.parseReport(parseInput(""))).toThrow(TestRunError);
    expect(() => tapeAdapter.parseReport(parseInput("TAP version 13\nok 1 works\n"))).toThrow(TestRunError);
    const unfinished = `${JSON.stringify({ type: "file-start", file: "test/a.test.js" })}\n`;
    expect(() => tapeAdapter.parseReport(parseInput(unfinished))).toThrow(/truncated/);
  });
});
