import { describe, expect, it } from "vitest";
import { avaAdapter } from "../../../runner/test-adapters/ava.js";
import type { TestAdapter } from "../../../runner/test-adapters/types.js";
import {
  byId,
  commandFor,
  expectBailOverridden,
  expectDetection,
  expectHangTimesOut,
  expectInfraError,
  expectRefused,
  framework,
  outcomes,
  resultsOf,
  runFixture,
} from "./harness.js";

const ava = framework(avaAdapter, {
  packageJson: {
    name: "fixture",
    type: "module",
    scripts: { test: "ava" },
    devDependencies: { ava: "^7.0.0" },
  },
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
  "src/lib.js": "export const add = (a, b) => a + b;\n",
  "test/main.test.js": MAIN_TEST,
  "test/unit/second.test.js": `import test from "ava";\ntest("shared name", (t) => t.pass());\n`,
  // The usual "before fix" state: the test imports something the source does not have yet.
  "test/broken.test.js": `import test from "ava";\nimport { subtract } from "../src/lib.js";\ntest("uses it", (t) => t.is(subtract(2, 1), 1));\n`,
  "test/other.test.js": `import test from "ava";\ntest("must not run", (t) => t.pass());\n`,
};

const MAIN_OUTCOMES = {
  "test/main.test.js > adds": "passed",
  "test/main.test.js > subtracts wrongly": "failed",
  "test/main.test.js > throws": "failed",
  "test/main.test.js > skipped": "skipped",
  "test/main.test.js > later": "skipped",
  "test/main.test.js > shared name": "passed",
  "test/main.test.js > title with # hash › and arrow": "passed",
};

describe("avaAdapter", () => {
  it("reports every test of the given files, each under its own file", async () => {
    const run = await runFixture(ava, FILES, [
      "test/main.test.js",
      "test/unit/second.test.js",
      "test/broken.test.js",
    ]);

    expect(outcomes(run)).toEqual({
      ...MAIN_OUTCOMES,
      "test/unit/second.test.js > shared name": "passed",
      "test/broken.test.js": "failed",
    });
    const results = byId(run);
    expect(results.get("test/main.test.js > subtracts wrongly")?.message).toContain("three minus one");
    expect(results.get("test/main.test.js > throws")?.message).toContain("kaboom");
    expect(results.get("test/broken.test.js")?.message).toContain(
      "does not provide an export named 'subtract'",
    );
  });

  it("gives a test the same id when its file runs alone (AVA then drops the file label)", async () => {
    const run = await runFixture(ava, FILES, ["test/main.test.js"]);

    expect(outcomes(run)).toEqual(MAIN_OUTCOMES);
  });

  it("reports a file that fails to load when it runs alone", async () => {
    const run = await runFixture(ava, FILES, ["test/broken.test.js"]);

    const results = resultsOf(run);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ id: "test/broken.test.js", outcome: "failed" });
    expect(results[0]?.message).toContain("does not provide an export named 'subtract'");
  });

  it("runs every test even when the project's config fails fast", async () => {
    await expectBailOverridden(ava, {
      "ava.config.js": "export default { failFast: true };\n",
      "test/a.test.js": `import test from "ava";\ntest.serial("first fails", (t) => t.fail("one"));\ntest.serial("second fails", (t) => t.fail("two"));\n`,
      // Slower than a.test.js, so failing fast after a's failure would cut it short.
      "test/b.test.js": `import test from "ava";\ntest("passes", async (t) => { await new Promise((done) => setTimeout(done, 1000)); t.pass(); });\n`,
    });
  });

  it("drops files it was not asked for, even one that crashed", async () => {
    // A configured command that also runs another file, which exits before running any test.
    const withExtraFile: TestAdapter = {
      ...avaAdapter,
      buildCommand(options) {
        const command = avaAdapter.buildCommand(options);
        return { ...command, args: [...command.args, "test/extra.test.js"] };
      },
    };
    const tree = {
      "test/a.test.js": `import test from "ava";\ntest("works", (t) => t.pass());\n`,
      "test/b.test.js": `import test from "ava";\ntest("works", (t) => t.pass());\n`,
      "test/extra.test.js": `import test from "ava";\nprocess.exit(3);\n`,
    };
    const run = await runFixture(ava, tree, ["test/a.test.js", "test/b.test.js"], { adapter: withExtraFile });

    expect(outcomes(run)).toEqual({ "test/a.test.js > works": "passed", "test/b.test.js > works": "passed" });
  });

  it("runs exactly the given files, whatever glob or option syntax their names hold", async () => {
    const tree = {
      "[ab].test.js": `import test from "ava";\ntest("bracket", (t) => t.pass());\n`,
      "a.test.js": `import test from "ava";\ntest("must not run", (t) => t.pass());\n`,
      "b.test.js": `import test from "ava";\ntest("must not run", (t) => t.pass());\n`,
      "--config=x.test.js": `import test from "ava";\ntest("option-like", (t) => t.pass());\n`,
      "x@{1,2} (copy)+!.test.js": `import test from "ava";\ntest("globby", (t) => t.pass());\n`,
    };
    const bracketAlone = await runFixture(ava, tree, ["[ab].test.js"]);
    expect(outcomes(bracketAlone)).toEqual({ "[ab].test.js > bracket": "passed" });

    const all = await runFixture(ava, tree, [
      "[ab].test.js",
      "--config=x.test.js",
      "x@{1,2} (copy)+!.test.js",
    ]);
    expect(outcomes(all)).toEqual({
      "[ab].test.js > bracket": "passed",
      "--config=x.test.js > option-like": "passed",
      "x@{1,2} (copy)+!.test.js > globby": "passed",
    });
  });

  it("turns a hanging test into a timeout, not a result", async () => {
    await expectHangTimesOut(
      ava,
      `import test from "ava";\ntest("hangs", () => new Promise(() => setInterval(() => {}, 1000)));\n`,
      3_000,
    );
  });

  it("fails the run when the runner itself dies", async () => {
    const tree = {
      "test/first.test.js": `import test from "ava";\ntest("passes", (t) => t.pass());\n`,
      // Tests run in worker threads, so this is AVA's own process.
      "test/kill.test.js": `import test from "ava";\ntest("kills the runner", () => { process.kill(process.pid, "SIGKILL"); });\n`,
    };
    const run = await runFixture(ava, tree, ["test/first.test.js", "test/kill.test.js"]);
    expectInfraError(run, "no plan");
  });

  it("runs the installed ava with TAP output, fail-fast off and only the given files", () => {
    const command = commandFor(avaAdapter);
    expect(command.command).toBe("/project/node_modules/.bin/ava");
    expect(command.args).toEqual(["--tap", "--no-color", "--no-fail-fast", "test/a.test.js"]);
  });

  it("passes files as literal ./ paths where ava would read an option or a glob (it takes no --)", () => {
    const command = commandFor(avaAdapter, {
      files: ["--config=x.test.js", "test/[ab].test.js", "!x.test.js"],
    });
    expect(command.args.slice(-3)).toEqual(["./--config=x.test.js", "test/\\[ab\\].test.js", "\\!x.test.js"]);
  });

  it("detects ava from dependencies or the test script", () => {
    expectDetection(avaAdapter, {
      detects: [{ devDependencies: { ava: "7" } }, "xo && ava --verbose"],
      ignores: ["java -jar x", { devDependencies: { vitest: "4" } }],
    });
  });

  // ava writes no report file: the adapter reads the TAP it prints on stdout.
  it("refuses output with no TAP plan", () => {
    expectRefused(avaAdapter, { stdout: "" });
    expectRefused(avaAdapter, { stdout: "Segmentation fault\n" });
    expectRefused(avaAdapter, { stdout: "TAP version 13\nok 1 - a › works\n" }, /no plan/);
  });
});
