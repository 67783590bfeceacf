import { describe, expect, it } from "vitest";
import { nodeTestAdapter } from "../../../runner/test-adapters/node-test.js";
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
  ids,
  outcomes,
  runFixture,
} from "./harness.js";

/** node:test is built in: the project needs no node_modules. */
const nodeTest = framework(nodeTestAdapter, {
  packageJson: { name: "fixture", type: "module", scripts: { test: "node --test" } },
  install: "none",
});

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
  "src/lib.js": "export const add = (a, b) => a + b;\n",
  "test/main.test.js": MAIN_TEST,
  // The usual "before fix" state: the test imports something the source does not have yet.
  "test/broken.test.js": `import { subtract } from "../src/lib.js";\nimport { test } from "node:test";\ntest("uses it", () => subtract(2, 1));\n`,
  "test/other.test.js": `import { test } from "node:test";\ntest("must not run", () => {});\n`,
};

describe("nodeTestAdapter", () => {
  it("reports every test of the given files by file and describe path", async () => {
    const run = await runFixture(nodeTest, FILES, ["test/main.test.js", "test/broken.test.js"]);

    expect(outcomes(run)).toEqual({
      "test/broken.test.js": "failed",
      "test/main.test.js > math > adds": "passed",
      "test/main.test.js > math > subtracts wrongly": "failed",
      "test/main.test.js > math > nested > same name": "passed",
      "test/main.test.js > math > skipped": "skipped",
      "test/main.test.js > math > later": "skipped",
      "test/main.test.js > strings > same name": "passed",
      "test/main.test.js > parent > child": "passed",
      "test/main.test.js > twice": "passed",
      "test/main.test.js > twice #2": "failed",
    });
    const results = byId(run);

    const wrong = results.get("test/main.test.js > math > subtracts wrongly");
    expect(wrong?.message).toContain("three minus one");
    expect(wrong?.message).not.toMatch(/^\s+at /m);

    const second = results.get("test/main.test.js > twice #2");
    expect(second?.message).toContain("second red twice");
    expect(second?.message).not.toContain("\u001b");

    const broken = results.get("test/broken.test.js");
    expect(broken?.message).toContain("does not provide an export named 'subtract'");
    expect(broken?.message?.split("\n").length).toBeLessThanOrEqual(5);
  });

  it("gives a test the same id whichever other files run with it", async () => {
    await using project = await nodeTest.project(FILES);

    const alone = await project.run(["test/main.test.js"]);
    const together = await project.run(["test/other.test.js", "test/main.test.js"]);

    const mainIds = (run: typeof alone) => ids(run).filter((id) => id.startsWith("test/main.test.js"));
    expect(mainIds(together).sort()).toEqual(mainIds(alone).sort());
    expect(ids(together)).toContain("test/other.test.js > must not run");
  });

  it("reports a file that ran no test as a failed file, so it never drops out of the results", async () => {
    const tree = {
      "test/main.test.js": `import { test } from "node:test";\ntest("works", () => {});\n`,
      // Exits at import time, before defining its tests: the process passes, and nothing ran.
      "test/exits.test.js": `import { test } from "node:test";\nprocess.exit(0);\ntest("never defined", () => {});\n`,
      "test/empty.test.js": "// no tests yet\n",
    };
    const run = await runFixture(nodeTest, tree, [
      "test/main.test.js",
      "test/exits.test.js",
      "test/empty.test.js",
    ]);

    const noTests = { outcome: "failed", message: "the file reported no tests" };
    expect(byId(run)).toEqual(
      new Map([
        ["test/main.test.js > works", { id: "test/main.test.js > works", outcome: "passed" }],
        ["test/exits.test.js", { id: "test/exits.test.js", ...noTests }],
        ["test/empty.test.js", { id: "test/empty.test.js", ...noTests }],
      ]),
    );
  });

  it("drops files it was not asked for", async () => {
    // A configured command that also runs another file.
    const withExtraFile: TestAdapter = {
      ...nodeTestAdapter,
      buildCommand(options) {
        const command = nodeTestAdapter.buildCommand(options);
        return { ...command, args: [...command.args, "test/extra.test.js"] };
      },
    };
    const tree = {
      "test/a.test.js": `import { test } from "node:test";\ntest("works", () => {});\n`,
      "test/extra.test.js": `import { test } from "node:test";\ntest("not asked for", () => {});\nprocess.exitCode = 1;\n`,
    };
    const run = await runFixture(nodeTest, tree, ["test/a.test.js"], { adapter: withExtraFile });

    expect(outcomes(run)).toEqual({ "test/a.test.js > works": "passed" });
  });

  it("keeps a test defined by a helper module under the test file and suite that ran it", async () => {
    const tree = {
      "test/shared.js": `import { test } from "node:test";\nexport function sharedTests() {\n  test("shared", () => {});\n}\n`,
      "test/uses.test.js": `import { describe, test } from "node:test";\nimport { sharedTests } from "./shared.js";\ndescribe("suite", () => {\n  sharedTests();\n  test("own", () => {});\n});\n`,
    };
    const run = await runFixture(nodeTest, tree, ["test/uses.test.js"]);

    expect(outcomes(run)).toEqual({
      "test/uses.test.js > suite > shared": "passed",
      "test/uses.test.js > suite > own": "passed",
    });
  });

  it("runs a file named like an option as a file", async () => {
    const tree = {
      "--config=x.test.js": `import { test } from "node:test";\ntest("option-like", () => {});\n`,
      "test/a.test.js": `import { test } from "node:test";\ntest("works", () => {});\n`,
    };
    const run = await runFixture(nodeTest, tree, ["--config=x.test.js", "test/a.test.js"]);

    expect(outcomes(run)).toEqual({
      "--config=x.test.js > option-like": "passed",
      "test/a.test.js > works": "passed",
    });
  });

  it("turns a hanging test into a timeout, not a result", async () => {
    await expectHangTimesOut(
      nodeTest,
      `import { test } from "node:test";\ntest("hangs", () => new Promise(() => setInterval(() => {}, 1000)));\n`,
      2_000,
    );
  });

  it("fails the run when the runner itself dies", async () => {
    const tree = {
      "test/first.test.js": `import { test } from "node:test";\ntest("passes", () => {});\n`,
      "test/kill.test.js": `import { test } from "node:test";\ntest("kills the runner", () => { process.kill(process.ppid, "SIGKILL"); });\n`,
    };
    const run = await runFixture(nodeTest, tree, ["test/first.test.js", "test/kill.test.js"]);
    expectInfraError(run);
  });

  it("fails the run when a given file does not exist", async () => {
    const run = await runFixture(nodeTest, {}, ["test/missing.test.js"]);
    expectInfraError(run, "no report");
  });

  it("runs the given files with this Node and a machine-readable reporter", () => {
    const command = commandFor(nodeTestAdapter);
    expect(command.command).toBe(process.execPath);
    expect(command.args).toContain("--test");
    expect(command.args).toContain("--test-reporter-destination=/tmp/report");
    expect(command.args.slice(-2)).toEqual(["--", "test/a.test.js"]);
  });

  it("ends its options before the files, so a file named like an option stays a file", () => {
    const files = ["--config=x.test.js", "test/a.test.js"];
    expect(commandFor(nodeTestAdapter, { files }).args.slice(-3)).toEqual(["--", ...files]);
  });

  it("detects node --test in the test script", () => {
    expectDetection(nodeTestAdapter, {
      detects: ["node --test", "node --import tsx --test test/", "npm run build && node --test dist/test"],
      ignores: ["node test/run.js", "vitest run", { devDependencies: { vitest: "4" } }],
    });
  });

  it("refuses a missing, empty, unreadable or unfinished report", () => {
    expectRefusesReports(nodeTestAdapter, [undefined, "", "not json\n"]);
    const unfinished = `${JSON.stringify({ type: "pass", name: "a", nesting: 0, file: "/project/test/a.test.js" })}\n`;
    expectRefused(nodeTestAdapter, { report: unfinished }, /truncated/);
  });
});
