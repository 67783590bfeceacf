import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { vitestAdapter } from "../../../runner/test-adapters/vitest.js";
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

/** An ESM project whose node_modules is repogym's own, so the real vitest runs. */
const vitest = framework(vitestAdapter, {
  packageJson: { name: "fixture", type: "module", devDependencies: { vitest: "*" } },
});

const MATH_TEST = `
import { describe, expect, it } from "vitest";
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
it("top level", () => {});
`;

describe("vitest adapter", () => {
  it("reports passed, failed and skipped tests under their describe paths", async () => {
    const run = await runFixture(vitest, { "test/math.test.js": MATH_TEST }, ["test/math.test.js"]);
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
    expect(carries).toContain("expected 2 to be 3");
    expect(carries).not.toMatch(/^\s*at /m);
    expect(carries).not.toContain("\u001b");
    expect(results.get("test/math.test.js > math > same #2")?.message).toBe(
      "Error: second same\nsecond line",
    );
    expect(results.get("test/math.test.js > math > add > adds")?.message).toBeUndefined();
  });

  it("runs only the given files, even when other paths contain their name", async () => {
    const passing = (name: string) =>
      `import { it } from "vitest";\nit(${JSON.stringify(name)}, () => {});\n`;
    const tree = {
      "a.test.js": passing("root a"),
      "aa.test.js": passing("root aa"),
      "test/a.test.js": passing("nested a"),
      "test/b.test.js": passing("nested b"),
    };
    const run = await runFixture(vitest, tree, ["a.test.js", "test/b.test.js"]);
    expect(ids(run)).toEqual(["a.test.js > root a", "test/b.test.js > nested b"]);
  });

  it("runs every test even when the project's config bails on the first failure", async () => {
    await expectBailOverridden(vitest, {
      "vitest.config.js": "export default { test: { bail: 1 } };\n",
      "test/a.test.js": `import { it } from "vitest";\nit("first fails", () => { throw new Error("one"); });\nit("second fails", () => { throw new Error("two"); });\n`,
      // Slower than a.test.js, so a bail after a's failure would cut it short.
      "test/b.test.js": `import { it } from "vitest";\nit("passes", () => new Promise((done) => setTimeout(done, 1000)));\n`,
    });
  });

  it("runs files named like options as files", async () => {
    const passing = (name: string) =>
      `import { it } from "vitest";\nit(${JSON.stringify(name)}, () => {});\n`;
    const tree = {
      "--config=x.test.js": passing("option-like"),
      "b.test.js": passing("b"),
      // Contains "b.test.js", so it is excluded: by a flag whose value starts with "-".
      "-b.test.js": passing("dash b"),
    };
    const run = await runFixture(vitest, tree, ["--config=x.test.js", "b.test.js"]);
    expect(ids(run).sort()).toEqual(["--config=x.test.js > option-like", "b.test.js > b"]);
  });

  it("passes files vitest would read as options as ./ paths (it takes no --), and turns bail off", async () => {
    // The guard's files are written next to the report.
    await using dir = await tempDir();
    const command = commandFor(vitestAdapter, {
      files: ["--config=x.test.js", "test/a.test.js"],
      reportPath: join(dir.path, "report"),
    });
    expect(command.args.slice(-2)).toEqual(["./--config=x.test.js", "test/a.test.js"]);
    expect(command.args).toContain("--bail=0");
    expect(command.args).toContain(`--config=${join(dir.path, "repogym-vitest.config.mjs")}`);
  });

  it("reports a test file that fails to load as one failed entry and keeps the others", async () => {
    const tree = {
      "test/syntax.test.js": `import { it } from "vitest";\nit("never", () => {\n`,
      "test/missing.test.js": `import { helper } from "../src/helper.js";\nimport { it } from "vitest";\nit("uses helper", () => helper());\n`,
      "test/good.test.js": `import { it } from "vitest";\nit("works", () => {});\n`,
    };
    const run = await runFixture(vitest, tree, [
      "test/syntax.test.js",
      "test/missing.test.js",
      "test/good.test.js",
    ]);
    expectOk(run);
    const results = byId(run);
    expect(results.get("test/syntax.test.js")?.outcome).toBe("failed");
    expect(results.get("test/syntax.test.js")?.message).toBeTruthy();
    expect(results.get("test/missing.test.js")?.outcome).toBe("failed");
    expect(results.get("test/missing.test.js")?.message).toContain("helper.js");
    expect(results.get("test/good.test.js > works")?.outcome).toBe("passed");
    expect(run.results).toHaveLength(3);
  });

  it("fails the run with a timeout when a test never finishes", async () => {
    await expectHangTimesOut(
      vitest,
      `import { it } from "vitest";\nit("spins", () => { for (;;) {} });\n`,
      5_000,
    );
  });

  it("fails the run when vitest itself crashes", async () => {
    const run = await runFixture(
      vitest,
      {
        "vitest.config.js": `throw new Error("broken config");\n`,
        "test/ok.test.js": `import { it } from "vitest";\nit("works", () => {});\n`,
      },
      ["test/ok.test.js"],
    );
    expectInfraError(run, /no report/);
    expect(run.output).toContain("broken config");
  });

  it("fails the run when none of the files is a test file vitest knows", async () => {
    const run = await runFixture(vitest, { "src/not-a-test.js": "export const x = 1;\n" }, [
      "src/not-a-test.js",
    ]);
    expectInfraError(run);
  });

  // The guard against source code rewriting the assertion library runs after the project's
  // setup files and lets test files add matchers (test/runner/cheating/source-tampering.test.ts).
  it("keeps the project's own matchers, equality testers and chai plugins working", async () => {
    const plugin =
      '(c, u) => u.addMethod(c.Assertion.prototype, "one", function () { new c.Assertion(this._obj).to.equal(1); })';
    const setup = (isolate: boolean) =>
      [
        'import { chai, expect } from "vitest";',
        'import { toBeEven } from "./matchers.js";',
        'expect.extend({ toBeEven, toBeSeven(received) { return { pass: received === 7, message: () => "not 7" }; } });',
        "expect.addEqualityTesters([(a, b) => (a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : undefined)]);",
        // Known limit: without isolation, a chai plugin defined in a setup file replaces the
        // methods it added before (locked by then) when the file runs again, and is refused.
        isolate
          ? `chai.use(${plugin});`
          : 'const one = await import("./one-plugin.js");\nchai.use(one.default);',
        "",
      ].join("\n");
    const test = (name: string) =>
      [
        'import { chai, describe, expect, it } from "vitest";',
        'import { toBeEven } from "./matchers.js";',
        "expect.extend({ toBeEven });",
        'expect.extend({ toBeOdd: (received) => ({ pass: received % 2 === 1, message: () => "not odd" }) });',
        'chai.use((c, u) => u.addMethod(c.Assertion.prototype, "two", function () { new c.Assertion(this._obj).to.equal(2); }));',
        `describe(${JSON.stringify(name)}, () => {`,
        '  it("matchers", () => { expect(2).toBeEven(); expect(7).toBeSeven(); expect(3).toBeOdd(); expect({ n: 2 }).toEqual({ n: expect.toBeEven() }); });',
        '  it("equality", () => { expect(new Date(1)).toEqual(new Date(1)); });',
        '  it("chai", () => { expect(1).one(); expect(2).two(); chai.expect([1, 2]).to.include(2); });',
        '  it("context", ({ expect }) => { expect.soft(1).toBe(1); expect(2).toBeEven(); });',
        '  it.each([[1], [3]])("each %i", (n) => { expect(n).toBeOdd(); });',
        "});",
        "",
      ].join("\n");
    for (const isolate of [true, false]) {
      const run = await runFixture(
        vitest,
        {
          // Without isolation the setup file runs again before each test file, after the lock.
          "vitest.config.js": `export default { test: { setupFiles: ["./test/setup.js"], isolate: ${isolate}, maxWorkers: 1 } };\n`,
          "test/matchers.js":
            "export const toBeEven = (received) => ({ pass: received % 2 === 0, message: () => received + ' is odd' });\n",
          "test/setup.js": setup(isolate),
          // Modules other than setup and test files are not evaluated again: the same plugin.
          "test/one-plugin.js": `export default ${plugin};\n`,
          "test/a.test.js": test("a"),
          "test/b.test.js": test("b"),
        },
        ["test/a.test.js", "test/b.test.js"],
      );
      const results = resultsOf(run);
      expect(
        results.filter((result) => result.outcome !== "passed"),
        `isolate: ${isolate}`,
      ).toEqual([]);
      expect(results).toHaveLength(12);
    }
  });

  it("detects vitest from dependencies or the test script", () => {
    expectDetection(vitestAdapter, {
      detects: [
        { devDependencies: { vitest: "^4.0.0" } },
        { dependencies: { vitest: "^4.0.0" } },
        "vitest run --coverage",
        "tsc && npx vitest",
      ],
      ignores: [{ scripts: { test: "jest" }, devDependencies: { jest: "30" } }, "vitest-environment-foo"],
    });
  });

  it("refuses a missing, empty or garbled report", () => {
    expectRefusesReports(vitestAdapter, [
      undefined,
      "",
      "{not json",
      JSON.stringify({ results: [] }),
      JSON.stringify({ testResults: [] }),
    ]);
  });
});
