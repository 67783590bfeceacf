import { describe, expect, it } from "vitest";
import { withCommandOverride } from "../../runner/test-adapters/index.js";
import { mochaAdapter } from "../../runner/test-adapters/mocha.js";
import { nodeTestAdapter } from "../../runner/test-adapters/node-test.js";
import { expectInfraError, framework, outcomes, runFixture } from "./test-adapters/harness.js";

/** A CommonJS project whose node_modules is repogym's own, so the real mocha runs. */
const mocha = framework(mochaAdapter, { packageJson: { name: "fixture", devDependencies: { mocha: "*" } } });

const TREE = {
  "test/a.test.js": `it("works", () => {});\n`,
  "test/b.test.js": `it("works too", () => {});\n`,
};

describe("runTests", () => {
  it("fails the run when the runner reported nothing for a requested file", async () => {
    // A configured command that runs only one of the two requested files.
    const onlyA = withCommandOverride(
      mochaAdapter,
      "echo running a only; mocha --reporter json --reporter-option output={report} test/a.test.js",
    );
    const run = await runFixture(mocha, TREE, ["test/a.test.js", "test/b.test.js"], { adapter: onlyA });

    expectInfraError(run, "mocha reported nothing for test/b.test.js");
    // What the runner printed is kept for whoever looks into it.
    expect(run.output).toContain("running a only");
  });

  it("fails the run when a requested test file holds no test at all", async () => {
    const run = await runFixture(mocha, { ...TREE, "test/empty.test.js": "// no tests yet\n" }, [
      "test/a.test.js",
      "test/empty.test.js",
    ]);

    expectInfraError(run, "mocha reported nothing for test/empty.test.js");
  });

  it("counts a requested file with only a file-level result as reported", async () => {
    const nodeTest = framework(nodeTestAdapter, {
      packageJson: { name: "fixture", type: "module", scripts: { test: "node --test" } },
      install: "none",
    });
    const tree = {
      "test/a.test.js": `import { test } from "node:test";\ntest("works", () => {});\n`,
      "test/broken.test.js": `import { missing } from "./nowhere.js";\n`,
    };
    const run = await runFixture(nodeTest, tree, ["./test/a.test.js", "test/broken.test.js"]);

    expect(outcomes(run)).toEqual({ "test/a.test.js > works": "passed", "test/broken.test.js": "failed" });
  });
});
