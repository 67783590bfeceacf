import { describe, expect, it } from "vitest";
import { tapeAdapter } from "../../../runner/test-adapters/tape.js";
import type { TestAdapter } from "../../../runner/test-adapters/types.js";
import {
  byId,
  commandFor,
  expectDetection,
  expectHangTimesOut,
  expectInfraError,
  expectRefused,
  expectRefusesReports,
  framework,
  outcomes,
  type ProjectSetup,
  runFixture,
} from "./harness.js";

const SETUP: ProjectSetup = {
  packageJson: {
    name: "fixture",
    type: "module",
    scripts: { test: "tape test/*.test.js" },
    devDependencies: { tape: "^5.10.2" },
  },
};
const tape = framework(tapeAdapter, SETUP);

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

describe("tapeAdapter", () => {
  it("reports every test of the given files by file and parent test", async () => {
    const run = await runFixture(tape, FILES, [
      "test/crashes.test.js",
      "test/main.test.js",
      "test/common.test.cjs",
      "test/broken.test.js",
    ]);

    expect(outcomes(run)).toEqual({
      "test/crashes.test.js > before": "passed",
      "test/crashes.test.js > throws": "failed",
      "test/main.test.js > math > adds": "passed",
      "test/main.test.js > math > subtracts wrongly": "failed",
      "test/main.test.js > math > nested > same name": "passed",
      "test/main.test.js > strings > same name": "passed",
      "test/main.test.js > skipped": "skipped",
      "test/main.test.js > later": "skipped",
      "test/main.test.js > twice": "passed",
      "test/main.test.js > twice #2": "failed",
      "test/main.test.js > async": "passed",
      "test/common.test.cjs > from commonjs": "passed",
      "test/broken.test.js": "failed",
    });
    const results = byId(run);

    const wrong = results.get("test/main.test.js > math > subtracts wrongly");
    expect(wrong?.message).toContain("three minus one");
    expect(wrong?.message).toContain("expected: 1");
    expect(results.get("test/main.test.js > twice #2")?.message).toContain("second twice");

    const thrown = results.get("test/crashes.test.js > throws");
    expect(thrown?.message).toContain("kaboom");
    expect(thrown?.message).not.toMatch(/^\s+at /m);

    expect(results.get("test/broken.test.js")?.message).toContain(
      "does not provide an export named 'subtract'",
    );
  });

  it("drops files it was not asked for", async () => {
    // A configured command that also runs another file.
    const withExtraFile: TestAdapter = {
      ...tapeAdapter,
      buildCommand(options) {
        const command = tapeAdapter.buildCommand(options);
        return { ...command, args: [...command.args, "test/other.test.js"] };
      },
    };
    const run = await runFixture(tape, FILES, ["test/common.test.cjs"], { adapter: withExtraFile });

    expect(outcomes(run)).toEqual({ "test/common.test.cjs > from commonjs": "passed" });
  });

  it("turns a hanging test into a timeout, not a result", async () => {
    await expectHangTimesOut(
      tape,
      `import test from "tape";\ntest("hangs", () => { setInterval(() => {}, 1000); });\n`,
      2_000,
    );
  });

  it("fails the run when the runner itself dies", async () => {
    const tree = {
      "test/first.test.js": `import test from "tape";\ntest("passes", (t) => { t.ok(true); t.end(); });\n`,
      "test/kill.test.js": `import test from "tape";\ntest("kills the runner", () => { process.kill(process.ppid, "SIGKILL"); });\n`,
    };
    const run = await runFixture(tape, tree, ["test/first.test.js", "test/kill.test.js"]);
    expectInfraError(run, "truncated");
  });

  it("fails the run when the project has no tape to load", async () => {
    const withoutTape = framework(tapeAdapter, { ...SETUP, install: "none" });
    const run = await runFixture(
      withoutTape,
      { "test/a.test.js": `import test from "tape";\ntest("passes", (t) => t.end());\n` },
      ["test/a.test.js"],
    );
    expectInfraError(run, "cannot load tape");
  });

  it("runs the given files through this Node", () => {
    const command = commandFor(tapeAdapter, { files: ["test/a.test.js", "test/b.test.js"] });
    expect(command.command).toBe(process.execPath);
    expect(command.args.slice(-3)).toEqual(["/tmp/report", "test/a.test.js", "test/b.test.js"]);
  });

  it("detects tape from dependencies or the test script, and not from tap or tap-spec", () => {
    expectDetection(tapeAdapter, {
      detects: [{ devDependencies: { tape: "5" } }, "tape test/*.js | tap-spec"],
      ignores: ["tap test/*.js", { devDependencies: { "tap-spec": "5" } }],
    });
  });

  it("refuses a missing, empty, unreadable or unfinished report", () => {
    expectRefusesReports(tapeAdapter, [undefined, "", "TAP version 13\nok 1 works\n"]);
    const unfinished = `${JSON.stringify({ type: "file-start", file: "test/a.test.js" })}\n`;
    expectRefused(tapeAdapter, { report: unfinished }, /truncated/);
  });
});
