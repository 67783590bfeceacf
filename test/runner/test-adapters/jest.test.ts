import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jestAdapter } from "../../../runner/test-adapters/jest.js";
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
  ids,
  outcomesInOrder,
  resultsOf,
  runFixture,
} from "./harness.js";

/** A CommonJS project whose node_modules is repogym's own, so the real jest runs. */
const jest = framework(jestAdapter, { packageJson: { name: "fixture", devDependencies: { jest: "*" } } });

const MATH_TEST = `
describe("math", () => {
  describe("add", () => {
    it("adds", () => { expect(1 + 1).toBe(2); });
    it("carries", () => { expect(1 + 1).toBe(3); });
  });
  describe("sub", () => {
    it("adds", () => { expect(2 - 1).toBe(1); });
  });
  it.skip("later", () => {});
  it.todo("someday");
  it("same", () => {});
  it("same", () => { throw new Error("second same\\nsecond line"); });
});
test("top level", () => {});
`;

describe("jest adapter", () => {
  it("reports passed, failed and skipped tests under their describe paths", async () => {
    const run = await runFixture(jest, { "test/math.test.js": MATH_TEST }, ["test/math.test.js"]);
    expect(outcomesInOrder(run)).toEqual([
      ["test/math.test.js > math > add > adds", "passed"],
      ["test/math.test.js > math > add > carries", "failed"],
      ["test/math.test.js > math > sub > adds", "passed"],
      ["test/math.test.js > math > later", "skipped"],
      ["test/math.test.js > math > someday", "skipped"],
      ["test/math.test.js > math > same", "passed"],
      ["test/math.test.js > math > same #2", "failed"],
      ["test/math.test.js > top level", "passed"],
    ]);
    const results = byId(run);
    const carries = results.get("test/math.test.js > math > add > carries")?.message ?? "";
    expect(carries).toContain("expect(received).toBe(expected)");
    expect(carries).toContain("Expected: 3");
    expect(carries).not.toMatch(/^\s*at /m);
    expect(carries).not.toContain("\u001b");
    expect(carries.split("\n").length).toBeLessThanOrEqual(5);
    expect(results.get("test/math.test.js > math > same #2")?.message).toBe(
      "Error: second same\nsecond line",
    );
  });

  it("runs only the given files", async () => {
    const passing = (name: string) => `it(${JSON.stringify(name)}, () => {});\n`;
    const tree = {
      "a.test.js": passing("root a"),
      "aa.test.js": passing("root aa"),
      "test/a.test.js": passing("nested a"),
    };
    const run = await runFixture(jest, tree, ["a.test.js"]);
    expect(ids(run)).toEqual(["a.test.js > root a"]);
  });

  it("runs every test even when the project's config bails on the first failure", async () => {
    await expectBailOverridden(jest, {
      "jest.config.js": "module.exports = { bail: true };\n",
      "test/a.test.js": `it("first fails", () => { throw new Error("one"); });\nit("second fails", () => { throw new Error("two"); });\n`,
      // Slower than a.test.js, so a bail after a's failure would cut it short.
      "test/b.test.js": `it("passes", () => new Promise((done) => setTimeout(done, 1000)));\n`,
    });
  });

  it("ends its options before the files, so a file named like an option stays a file", async () => {
    // The guard's module is written next to the report.
    await using dir = await tempDir();
    const files = ["--config=x.test.js", "test/a.test.js"];
    const command = commandFor(jestAdapter, { files, reportPath: join(dir.path, "report") });
    expect(command.args.slice(-3)).toEqual(["--", ...files]);
    expect(command.args).toContain("--bail=0");
    expect(command.env?.NODE_OPTIONS).toBe(
      `--require ${JSON.stringify(join(dir.path, "repogym-jest-guard.cjs"))}`,
    );
  });

  it("reports a test file that fails to load as one failed entry and keeps the others", async () => {
    const tree = {
      "test/syntax.test.js": `it("never", () => {\n`,
      "test/missing.test.js": `const { helper } = require("../src/helper");\nit("uses helper", () => helper());\n`,
      "test/good.test.js": `it("works", () => {});\n`,
    };
    const run = await runFixture(jest, tree, [
      "test/syntax.test.js",
      "test/missing.test.js",
      "test/good.test.js",
    ]);
    expectOk(run);
    const results = byId(run);
    expect(results.get("test/syntax.test.js")?.outcome).toBe("failed");
    expect(results.get("test/syntax.test.js")?.message).toMatch(/^SyntaxError:/);
    expect(results.get("test/missing.test.js")?.outcome).toBe("failed");
    expect(results.get("test/missing.test.js")?.message).toContain("Cannot find module '../src/helper'");
    expect(results.get("test/good.test.js > works")?.outcome).toBe("passed");
    expect(run.results).toHaveLength(3);
  });

  it("fails the run with a timeout when a test never finishes", async () => {
    await expectHangTimesOut(jest, `it("spins", () => { for (;;) {} });\n`, 5_000);
  });

  it("fails the run when jest itself crashes", async () => {
    const run = await runFixture(
      jest,
      { "test/exit.test.js": `it("exits", () => { process.exit(1); });\n` },
      ["test/exit.test.js"],
    );
    expectInfraError(run, /no report/);
  });

  it("fails the run when jest's config is broken", async () => {
    const run = await runFixture(
      jest,
      {
        "jest.config.js": `throw new Error("broken config");\n`,
        "test/ok.test.js": `it("works", () => {});\n`,
      },
      ["test/ok.test.js"],
    );
    expectInfraError(run);
    expect(run.output).toContain("broken config");
  });

  // The guard against source code rewriting the assertion library runs after the project's
  // setupFilesAfterEnv and lets test files add matchers (test/runner/cheating/source-tampering.test.ts).
  it("keeps the project's own matchers, equality testers and serializers working", async () => {
    const test = (name: string) =>
      [
        'const { toBeEven } = require("./matchers.js");',
        "expect.extend({ toBeEven });",
        'expect.extend({ toBeOdd: (received) => ({ pass: received % 2 === 1, message: () => "not odd" }) });',
        `describe(${JSON.stringify(name)}, () => {`,
        '  it("matchers", () => { expect(2).toBeEven(); expect(7).toBeSeven(); expect(3).toBeOdd(); expect({ n: 2 }).toEqual({ n: expect.toBeEven() }); });',
        '  it("equality", () => { expect(new Date(1)).toEqual(new Date(1)); });',
        '  it("serializer", () => { expect({ secret: 1 }).toMatchInlineSnapshot(`SECRET`); });',
        '  it.each([[1], [3]])("each %i", (n) => { expect(n).toBeOdd(); });',
        '  test.concurrent("concurrent", async () => { await expect(Promise.resolve(3)).resolves.toBeOdd(); });',
        "});",
        "",
      ].join("\n");
    const run = await runFixture(
      jest,
      {
        "jest.config.js": 'module.exports = { setupFilesAfterEnv: ["<rootDir>/test/setup.js"] };\n',
        "test/matchers.js":
          "exports.toBeEven = (received) => ({ pass: received % 2 === 0, message: () => received + ' is odd' });\n",
        "test/setup.js": [
          'const { toBeEven } = require("./matchers.js");',
          'expect.extend({ toBeEven, toBeSeven(received) { return { pass: received === 7, message: () => "not 7" }; } });',
          "expect.addEqualityTesters([(a, b) => (a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : undefined)]);",
          'expect.addSnapshotSerializer({ test: (value) => Boolean(value && value.secret), print: () => "SECRET" });',
          "",
        ].join("\n"),
        "test/a.test.js": test("a"),
        "test/b.test.js": test("b"),
      },
      ["test/a.test.js", "test/b.test.js"],
    );
    const results = resultsOf(run);
    expect(results.filter((result) => result.outcome !== "passed")).toEqual([]);
    expect(results).toHaveLength(12);
  });

  it("detects jest from dependencies or the test script", () => {
    expectDetection(jestAdapter, {
      detects: [
        { devDependencies: { jest: "^30.0.0" } },
        { dependencies: { jest: "^30.0.0" } },
        "jest --coverage",
        "cross-env CI=1 node_modules/.bin/jest",
      ],
      ignores: ["vitest run", "jest-puppeteer", { devDependencies: { mocha: "12" } }],
    });
  });

  it("refuses a missing, empty or garbled report", () => {
    expectRefusesReports(jestAdapter, [undefined, "  \n", "<xml/>", JSON.stringify({ testResults: [{}] })]);
  });
});
