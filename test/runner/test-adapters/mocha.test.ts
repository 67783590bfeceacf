import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mochaAdapter } from "../../../runner/test-adapters/mocha.js";
import type { TestAdapter } from "../../../runner/test-adapters/types.js";
import { tempDir } from "../../helpers/fixture-repo.js";
import {
  byId,
  commandFor,
  expectBailOverridden,
  expectDetection,
  expectHangTimesOut,
  expectInfraError,
  expectOk,
  expectRefusesReports,
  framework,
  outcomes,
  outcomesInOrder,
  resultsOf,
  runFixture,
} from "./harness.js";

/** A CommonJS project whose node_modules is repogym's own, so the real mocha runs. */
const mocha = framework(mochaAdapter, { packageJson: { name: "fixture", devDependencies: { mocha: "*" } } });

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
    const run = await runFixture(mocha, { "test/math.test.js": MATH_TEST }, ["test/math.test.js"]);
    // Mocha runs a suite's own tests before its nested suites.
    expect(outcomesInOrder(run)).toEqual([
      ["test/math.test.js > math > later", "skipped"],
      ["test/math.test.js > math > someday", "skipped"],
      ["test/math.test.js > math > same", "passed"],
      ["test/math.test.js > math > same #2", "failed"],
      ["test/math.test.js > math > add > adds", "passed"],
      ["test/math.test.js > math > add > carries", "failed"],
      ["test/math.test.js > math > sub > adds", "passed"],
    ]);
    const results = byId(run);
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
    const run = await runFixture(
      mocha,
      {
        "test/hook.test.js": `describe("db", () => {\n  before(() => { throw new Error("no db"); });\n  it("queries", () => {});\n});\n`,
      },
      ["test/hook.test.js"],
    );
    expect(resultsOf(run)).toEqual([
      { id: 'test/hook.test.js > db > "before all" hook', outcome: "failed", message: "Error: no db" },
    ]);
  });

  it("runs only the given files, even when the config's spec lists more", async () => {
    const tree = {
      ".mocharc.json": JSON.stringify({
        spec: ["test/**/*.test.js"],
        file: ["test/setup.js"],
        parallel: true,
      }),
      "test/setup.js": `before(() => { globalThis.fixtureReady = true; });\n`,
      "test/a.test.js": `it("sees setup", () => { if (!globalThis.fixtureReady) throw new Error("setup did not run"); });\n`,
      "test/aa.test.js": passing("other a"),
      "test/b.test.js": passing("other b"),
    };
    const run = await runFixture(mocha, tree, ["test/a.test.js"]);
    expect(resultsOf(run)).toEqual([{ id: "test/a.test.js > sees setup", outcome: "passed" }]);
  });

  it("runs every test even when the project's config bails on the first failure", async () => {
    await expectBailOverridden(mocha, {
      ".mocharc.json": JSON.stringify({ bail: true }),
      "test/a.test.js": `it("first fails", () => { throw new Error("one"); });\nit("second fails", () => { throw new Error("two"); });\n`,
      "test/b.test.js": passing("passes"),
    });
  });

  it("ends its options before the files, so a file named like an option stays a file", async () => {
    await using dir = await tempDir();
    const files = ["--config=x.test.js", "test/a.test.js"];
    const command = commandFor(mochaAdapter, { files, reportPath: join(dir.path, "report") });
    expect(command.args.slice(-3)).toEqual(["--", ...files]);
    expect(command.args).toContain("--no-bail");
  });

  it("reports a test file that fails to load as one failed entry and keeps the others", async () => {
    const tree = {
      "src/lib.mjs": "export const present = 1;\n",
      "test/esm.test.mjs": `import { missing } from "../src/lib.mjs";\nit("uses missing", () => missing());\n`,
      "test/syntax.test.js": `it("never", () => {\n`,
      "test/good.test.js": passing("works"),
    };
    const run = await runFixture(mocha, tree, [
      "test/esm.test.mjs",
      "test/syntax.test.js",
      "test/good.test.js",
    ]);
    expectOk(run);
    const results = byId(run);
    expect(results.get("test/esm.test.mjs")?.outcome).toBe("failed");
    expect(results.get("test/esm.test.mjs")?.message).toContain("does not provide an export named 'missing'");
    expect(results.get("test/syntax.test.js")?.outcome).toBe("failed");
    expect(results.get("test/syntax.test.js")?.message).toMatch(/^SyntaxError:/);
    expect(results.get("test/good.test.js > works")?.outcome).toBe("passed");
    expect(run.results).toHaveLength(3);
  });

  it("fails the run with a timeout when a test never finishes", async () => {
    await expectHangTimesOut(mocha, `it("spins", () => { for (;;) {} });\n`, 5_000);
  });

  it("fails the run when a test file kills mocha", async () => {
    const tree = {
      "test/exit.test.js": `it("exits", () => { process.exit(1); });\n`,
      "test/good.test.js": passing("works"),
    };
    const run = await runFixture(mocha, tree, ["test/exit.test.js", "test/good.test.js"]);
    expectInfraError(run, /no report/);
  });

  it("reads mocha's built-in JSON report when a configured command uses it", async () => {
    const builtin: TestAdapter = {
      ...mochaAdapter,
      buildCommand: ({ files, reportPath, binDir }) => ({
        command: join(binDir, "mocha"),
        args: ["--reporter", "json", "--reporter-option", `output=${reportPath}`, ...files],
      }),
    };
    const run = await runFixture(mocha, { "test/math.test.js": MATH_TEST }, ["test/math.test.js"], {
      adapter: builtin,
    });
    const results = byId(run);
    // Without a title path, describe names stay joined with spaces.
    expect(results.get("test/math.test.js > math add carries")?.outcome).toBe("failed");
    expect(results.get("test/math.test.js > math add carries")?.message).toContain("2 !== 3");
    expect(results.get("test/math.test.js > math sub adds")?.outcome).toBe("passed");
    expect(results.get("test/math.test.js > math later")?.outcome).toBe("skipped");
    expect(results.get("test/math.test.js > math same #2")?.outcome).toBe("failed");
  });

  it("detects mocha from dependencies or the test script", () => {
    expectDetection(mochaAdapter, {
      detects: [
        { devDependencies: { mocha: "^12.0.0" } },
        { dependencies: { mocha: "^12.0.0" } },
        "nyc mocha 'test/**/*.js'",
        "_mocha -R spec",
      ],
      ignores: ["jest", { devDependencies: { "mocha-junit-reporter": "2" } }],
    });
  });

  it("refuses a missing, empty or garbled report", () => {
    expectRefusesReports(mochaAdapter, [undefined, "", "1..3\nok 1", JSON.stringify({ tests: "nope" })]);
  });

  it("keeps node's assertions intact when the code under test tries to rewrite them", async () => {
    const run = await runFixture(
      mocha,
      {
        "src/a.js": [
          'const assert = require("node:assert");',
          "for (const k of Object.keys(assert)) { try { assert[k] = () => {}; } catch {} }",
          "exports.add = (a, b) => a - b;",
          "",
        ].join("\n"),
        "test/a.test.js": [
          'const assert = require("node:assert");',
          'const { add } = require("../src/a.js");',
          'it("add", () => assert.strictEqual(add(1, 2), 3));',
          "",
        ].join("\n"),
      },
      ["test/a.test.js"],
    );
    expect(outcomes(run)).toEqual({ "test/a.test.js > add": "failed" });
  });
});
