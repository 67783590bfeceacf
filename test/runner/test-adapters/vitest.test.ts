import { describe, expect, it } from "vitest";
import { vitestAdapter } from "../../../runner/test-adapters/vitest.js";
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

  it("passes files vitest would read as options as ./ paths (it takes no --), and turns bail off", () => {
    const command = commandFor(vitestAdapter, { files: ["--config=x.test.js", "test/a.test.js"] });
    expect(command.args.slice(-2)).toEqual(["./--config=x.test.js", "test/a.test.js"]);
    expect(command.args).toContain("--bail=0");
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
