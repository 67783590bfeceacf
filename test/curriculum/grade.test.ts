/**
 * The grader shipped with Harbor tasks and Runloop scenarios, run with real frameworks: it must
 * name every test as repogym's own adapter names it, and grade exactly what the adapter reports
 * as passed. The projects link repogym's node_modules, so the real vitest and jest run.
 */
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { GRADE_SCRIPT } from "../../curriculum/grade-script.js";
import { jestAdapter } from "../../runner/test-adapters/jest.js";
import { mochaAdapter } from "../../runner/test-adapters/mocha.js";
import { nodeTestAdapter } from "../../runner/test-adapters/node-test.js";
import type { TestAdapter } from "../../runner/test-adapters/types.js";
import { vitestAdapter } from "../../runner/test-adapters/vitest.js";
import type { FileTree } from "../helpers/fixture-repo.js";
import { fixtureProject, type ProjectSetup, resultsOf } from "../runner/test-adapters/harness.js";

const TESTS = (imports: string) => `
${imports}
describe("math", () => {
  describe("add", () => {
    it("adds", () => { expect(1 + 1).toBe(2); });
    it("carries", () => { expect(1 + 1).toBe(3); });
  });
  describe("sub > with arrow", () => {
    it("adds", () => { expect(2 - 1).toBe(1); });
  });
  it.skip("later", () => {});
  it("same", () => {});
  it("same", () => { throw new Error("second"); });
});
it("top level", () => {});
`;

const NODE_TESTS = `
import { describe, it, test } from "node:test";
import assert from "node:assert/strict";
describe("math", () => {
  describe("add", () => {
    it("adds", () => assert.equal(1 + 1, 2));
    it("carries", () => assert.equal(1 + 1, 3));
  });
  describe("sub > with arrow", () => {
    it("adds", () => assert.equal(2 - 1, 1));
  });
  it("later", { skip: true }, () => {});
  it("same", () => {});
  it("same", () => { throw new Error("second"); });
});
test("top level", () => {});
test("parent", async (t) => {
  await t.test("child passes", () => {});
  await t.test("child fails", () => assert.fail("no"));
});
`;

interface Outcomes {
  success: string[];
  failure: string[];
}

interface GradeReport {
  tests_status: { FAIL_TO_PASS: Outcomes; PASS_TO_PASS: Outcomes };
  error?: string;
}

async function grade(
  project: string,
  config: Record<string, unknown>,
): Promise<{ code: number; reward: string; report: GradeReport }> {
  const script = join(project, "..", `grade-${Math.random().toString(36).slice(2)}.mjs`);
  const configFile = `${script}.json`;
  const out = `${script}.out`;
  await writeFile(script, GRADE_SCRIPT);
  await writeFile(configFile, JSON.stringify({ instance_id: "acme__lib-1", timeout_ms: 60_000, ...config }));
  let code = 0;
  try {
    await promisify(execFile)(process.execPath, [script, configFile, project, out]);
  } catch (error) {
    code = (error as { code: number }).code;
  }
  return {
    code,
    reward: (await readFile(join(out, "reward.txt"), "utf8")).trim(),
    report: JSON.parse(await readFile(join(out, "repogym-report.json"), "utf8")),
  };
}

const cases: Array<{ adapter: TestAdapter; setup: ProjectSetup; files: FileTree }> = [
  {
    adapter: nodeTestAdapter,
    setup: {
      packageJson: { name: "fixture", type: "module", scripts: { test: "node --test" } },
      install: "none",
    },
    files: {
      "test/math.test.js": NODE_TESTS,
      "test/other.test.js": 'import { test } from "node:test";\ntest("x", () => {});\n',
    },
  },
  {
    adapter: vitestAdapter,
    setup: { packageJson: { name: "fixture", type: "module", devDependencies: { vitest: "*" } } },
    files: { "test/math.test.js": TESTS('import { describe, expect, it } from "vitest";') },
  },
  {
    adapter: jestAdapter,
    setup: { packageJson: { name: "fixture", devDependencies: { jest: "*" } } },
    files: { "test/math.test.js": TESTS("") },
  },
];

describe("grade.mjs", () => {
  for (const { adapter, setup, files } of cases) {
    it(`${adapter.name}: the same ids and outcomes as repogym's adapter`, async () => {
      await using project = await fixtureProject(adapter, files, setup);
      const testFiles = Object.keys(files);
      const results = resultsOf(await project.run(testFiles));
      const passed = results.filter((r) => r.outcome === "passed").map((r) => r.id);
      const notPassed = results.filter((r) => r.outcome !== "passed").map((r) => r.id);
      expect(passed.length).toBeGreaterThan(2);
      expect(notPassed.length).toBeGreaterThan(2);
      const all = results.map((r) => r.id);

      const graded = await grade(project.path, {
        framework: adapter.name,
        grading: "per-test",
        test_files: testFiles,
        FAIL_TO_PASS: all,
        PASS_TO_PASS: ["test/math.test.js > not a test"],
      });
      expect(graded.report.error).toBeUndefined();
      expect(graded.report.tests_status.FAIL_TO_PASS).toEqual({ success: passed, failure: notPassed });
      // A test id the run did not report is a failure, never a pass.
      expect(graded.report.tests_status.PASS_TO_PASS).toEqual({
        success: [],
        failure: ["test/math.test.js > not a test"],
      });
      expect([graded.code, graded.reward]).toEqual([1, "0"]);

      const resolved = await grade(project.path, {
        framework: adapter.name,
        grading: "per-test",
        test_files: testFiles,
        FAIL_TO_PASS: passed.slice(0, 2),
        PASS_TO_PASS: passed.slice(2),
      });
      expect([resolved.code, resolved.reward]).toEqual([0, "1"]);
    });
  }

  it("mocha is graded by the exit code: 1 only when the whole run passes", async () => {
    const setup = { packageJson: { name: "fixture", devDependencies: { mocha: "*" } } };
    const passing =
      'const assert = require("node:assert");\ndescribe("a", () => { it("b", () => assert.ok(true)); });\n';
    await using good = await fixtureProject(mochaAdapter, { "test/a.test.js": passing }, setup);
    const config = {
      framework: "mocha",
      grading: "exit-code",
      test_files: ["test/a.test.js"],
      FAIL_TO_PASS: ["test/a.test.js > a > b"],
      PASS_TO_PASS: [],
    };
    expect((await grade(good.path, config)).reward).toBe("1");
    await using bad = await fixtureProject(
      mochaAdapter,
      { "test/a.test.js": passing.replace("assert.ok(true)", "assert.ok(false)") },
      setup,
    );
    const graded = await grade(bad.path, config);
    expect([graded.code, graded.reward]).toEqual([1, "0"]);
    expect(graded.report.tests_status.FAIL_TO_PASS.failure).toEqual(["test/a.test.js > a > b"]);
  });

  it("a runner that reports nothing scores 0 and says why", async () => {
    await using project = await fixtureProject(vitestAdapter, { "test/a.test.js": "" }, { install: "none" });
    const graded = await grade(project.path, {
      framework: "vitest",
      grading: "per-test",
      test_files: ["test/a.test.js"],
      FAIL_TO_PASS: ["test/a.test.js > x"],
      PASS_TO_PASS: [],
    });
    expect([graded.code, graded.reward]).toEqual([1, "0"]);
    expect(graded.report.error).toMatch(/could not run|wrote no report/);
  });
});
