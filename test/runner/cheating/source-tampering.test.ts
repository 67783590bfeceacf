import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunTestsResult } from "../../../runner/run-tests.js";
import { shellQuote } from "../../../runner/shell.js";
import { jestAdapter } from "../../../runner/test-adapters/jest.js";
import { mochaAdapter } from "../../../runner/test-adapters/mocha.js";
import { vitestAdapter } from "../../../runner/test-adapters/vitest.js";
import type { FileTree } from "../../helpers/fixture-repo.js";
import { expectOk, type Framework, framework, runFixture } from "../test-adapters/harness.js";
import { cheatingHarness, expectNoReward, type Harness } from "./harness.js";
import {
  JEST_CIRCUS_STATE,
  MOCHA_EXIT_REPORT,
  NODE_TEST_FRAMES,
  OBJECT_IS,
  VITEST_AFTER_EACH,
} from "./holes.js";

/**
 * (c) The source side is the agent's, and the tests import it: at import time a source file
 * can try to make failing assertions pass by rewriting the assertion library or the test
 * functions. Each case below runs the real framework on a test of `add(1, 2) === 3` whose
 * source is wrong (`a - b`) and tampers; the test must not pass. The adapters lock what the
 * tampering reaches before the test files load (runner/test-adapters/assertion-guard.ts, the
 * guards in node-test.ts and mocha.ts), so the tampering throws (the file fails to load) or,
 * in sloppy code, does nothing.
 */

const TEST_ID = "test/calc.test.js > adds";

/** Fails the test unless `adds` failed: reported failed, or not reported with its file failed. */
function expectAddsFailed(run: RunTestsResult, message?: RegExp): void {
  expectOk(run);
  const results = JSON.stringify(run.results);
  const adds = run.results.find((result) => result.id === TEST_ID);
  const file = run.results.find((result) => result.id === "test/calc.test.js");
  expect(adds?.outcome ?? file?.outcome, results).toBe("failed");
  if (message) expect((adds ?? file)?.message, results).toMatch(message);
}

const pass = "() => ({ pass: true, message: () => '' })";

/** What the guards' refusals look like: theirs, or the engine's for a read-only property. */
const REFUSED = /repogym:|read only|read-only|Cannot redefine|not extensible|Cannot add property/;

// ---------------------------------------------------------------------------------------------
// vitest

const vitestProject = framework(vitestAdapter, {
  packageJson: { name: "fixture", type: "module", devDependencies: { vitest: "*" } },
});

const vitestTree = (tamper: string, check: string, { globals = false } = {}): FileTree => ({
  ...(globals ? { "vitest.config.js": "export default { test: { globals: true } };\n" } : {}),
  "src/calc.js": `${tamper}\nexport function add(a, b) { return a - b; }\n`,
  "test/calc.test.js": [
    globals ? "" : 'import { assert, expect, it } from "vitest";',
    'import nodeAssert from "node:assert/strict";',
    'import { add } from "../src/calc.js";',
    `it("adds", () => { ${check}; });`,
    "",
  ].join("\n"),
});

const VITEST_CASES: Array<[string, FileTree]> = [
  [
    "replaces toBe and toEqual with expect.extend",
    vitestTree(
      `import { expect } from "vitest";\nexpect.extend({ toBe: ${pass}, toEqual: ${pass} });`,
      "expect(add(1, 2)).toBe(3)",
    ),
  ],
  [
    "assigns a passing toEqual to chai's Assertion.prototype",
    vitestTree(
      'import { chai } from "vitest";\nchai.Assertion.prototype.toEqual = function () { return this; };',
      "expect({ sum: add(1, 2) }).toEqual({ sum: 3 })",
    ),
  ],
  [
    "redefines chai's Assertion.prototype.assert as a no-op",
    vitestTree(
      'import { chai } from "vitest";\nObject.defineProperty(chai.Assertion.prototype, "assert", { value() {} });',
      "assert.equal(add(1, 2), 3)",
    ),
  ],
  [
    "overwrites toBe through chai.util.addMethod",
    vitestTree(
      'import { chai } from "vitest";\nchai.util.addMethod(chai.Assertion.prototype, "toBe", function () {});',
      "expect(add(1, 2)).toBe(3)",
    ),
  ],
  [
    "adds an equality tester that calls everything equal",
    vitestTree(
      'import { expect } from "vitest";\nexpect.addEqualityTesters([() => true]);',
      "expect({ sum: add(1, 2) }).toEqual({ sum: 3 })",
    ),
  ],
  [
    "neuters chai's assert.equal",
    vitestTree('import { assert } from "vitest";\nassert.equal = () => {};', "assert.equal(add(1, 2), 3)"),
  ],
  [
    "neuters node:assert",
    vitestTree(
      'import assert from "node:assert/strict";\nassert.equal = () => {};',
      "nodeAssert.equal(add(1, 2), 3)",
    ),
  ],
  [
    "replaces the global expect (globals: true)",
    vitestTree(
      "globalThis.expect = () => new Proxy({}, { get: () => () => {} });",
      "expect(add(1, 2)).toBe(3)",
      { globals: true },
    ),
  ],
  [
    "wraps the global it to swallow failures (globals: true)",
    vitestTree(
      "const it = globalThis.it;\nglobalThis.it = (name, fn) => it(name, async () => { try { await fn(); } catch {} });",
      "expect(add(1, 2)).toBe(3)",
      { globals: true },
    ),
  ],
];

// ---------------------------------------------------------------------------------------------
// jest

const jestProject = framework(jestAdapter, {
  packageJson: { name: "fixture", devDependencies: { jest: "*" } },
});

const jestTree = (tamper: string, check: string): FileTree => ({
  "src/calc.js": `${tamper}\nexports.add = (a, b) => a - b;\n`,
  "test/calc.test.js": [
    'const nodeAssert = require("node:assert");',
    'const { add } = require("../src/calc.js");',
    `it("adds", () => { ${check}; });`,
    "",
  ].join("\n"),
});

const JEST_CASES: Array<[string, FileTree]> = [
  [
    "replaces toBe with the global expect.extend",
    jestTree(`expect.extend({ toBe: ${pass} });`, "expect(add(1, 2)).toBe(3)"),
  ],
  [
    "replaces toBe through its own copy of expect (require('expect'))",
    jestTree(`require("expect").expect.extend({ toBe: ${pass} });`, "expect(add(1, 2)).toBe(3)"),
  ],
  [
    "writes a passing toBe into the shared matcher table",
    jestTree(
      `globalThis[Symbol.for("$$jest-matchers-object")].matchers.toBe = ${pass};`,
      "expect(add(1, 2)).toBe(3)",
    ),
  ],
  [
    "adds an equality tester that calls everything equal",
    jestTree("expect.addEqualityTesters([() => true]);", "expect({ sum: add(1, 2) }).toEqual({ sum: 3 })"),
  ],
  [
    "wraps the global it to swallow failures",
    jestTree(
      "const it = global.it;\nglobal.it = (name, fn) => it(name, async () => { try { await fn(); } catch {} });",
      "expect(add(1, 2)).toBe(3)",
    ),
  ],
  [
    "neuters node:assert",
    jestTree('require("node:assert").strictEqual = () => {};', "nodeAssert.strictEqual(add(1, 2), 3)"),
  ],
];

// ---------------------------------------------------------------------------------------------
// mocha

const mochaProject = framework(mochaAdapter, {
  packageJson: { name: "fixture", devDependencies: { mocha: "*" } },
});

const MOCHA_CASES: Array<[string, FileTree]> = [
  [
    "wraps the global it to swallow failures",
    {
      "src/calc.js": [
        "const it = global.it;",
        "global.it = function (name, fn) { return it(name, async function () { try { await fn.call(this); } catch {} }); };",
        "exports.add = (a, b) => a - b;",
        "",
      ].join("\n"),
      "test/calc.test.js": [
        'const assert = require("node:assert");',
        'const { add } = require("../src/calc.js");',
        'it("adds", () => assert.strictEqual(add(1, 2), 3));',
        "",
      ].join("\n"),
    },
  ],
];

describe("cheating source: tampering with the assertion library at import time", () => {
  it.each(VITEST_CASES)("(c) vitest: a source file that %s fails the test", async (_, tree) => {
    expectAddsFailed(await runFixture(vitestProject, tree, ["test/calc.test.js"]));
  });

  it.each(JEST_CASES)("(c) jest: a source file that %s fails the test", async (_, tree) => {
    expectAddsFailed(await runFixture(jestProject, tree, ["test/calc.test.js"]));
  });

  it.each(MOCHA_CASES)("(c) mocha: a source file that %s fails the test", async (_, tree) => {
    expectAddsFailed(await runFixture(mochaProject, tree, ["test/calc.test.js"]), REFUSED);
  });

  it("(c) the refusals say why: the guard's message names what was refused", async () => {
    const [, extend] = VITEST_CASES[0]!;
    expectAddsFailed(await runFixture(vitestProject, extend, ["test/calc.test.js"]), /repogym: .*"toBe"/);
    const [, jestExtend] = JEST_CASES[0]!;
    expectAddsFailed(await runFixture(jestProject, jestExtend, ["test/calc.test.js"]), /repogym: .*"toBe"/);
    const [, testers] = JEST_CASES[3]!;
    expectAddsFailed(
      await runFixture(jestProject, testers, ["test/calc.test.js"]),
      /repogym: expect.addEqualityTesters/,
    );
  });
});

/**
 * HOLES. The guards lock the assertion library's and the test interface's own objects; code
 * running in the same process as the tests can still reach the runner's state, the JavaScript
 * intrinsics every matcher relies on, and the channel results travel over. These pin what
 * still works against the guards alone, so that closing one in the process flips its test.
 * A whole rollout does not get this far: the run loop's tamper scan (runner/tamper-scan.ts)
 * flags each of these in the agent's patch and scores it 0 before the tests run
 * (tamper-scan-rollouts.test.ts); the tampering itself is in holes.ts.
 */
describe("cheating source: what the guards do not stop (documented holes)", () => {
  const check = async (fw: Framework, tree: FileTree) => {
    expectAddsFailed(await runFixture(fw, tree, ["test/calc.test.js"]));
  };

  // HOLE: hooks are the project's to register, and vitest hands them the test's task, whose
  // result a later hook can rewrite to "pass". Rollouts: the scan flags the vitest import and
  // the hook call.
  it.fails("vitest: an afterEach hook registered by a source file rewrites the result", async () => {
    await check(vitestProject, vitestTree(VITEST_AFTER_EACH, "expect(add(1, 2)).toBe(3)"));
  });

  // HOLE: jest-circus keeps its state on the test environment's global under a symbol; a
  // source file can find it and empty the running test's errors. Rollouts: the scan flags the
  // enumeration of the global's symbols, JEST_STATE_SYMBOL and the hook call.
  it.fails("jest: a source file clears jest-circus's record of the test's errors", async () => {
    await check(jestProject, jestTree(JEST_CIRCUS_STATE, "expect(add(1, 2)).toBe(3)"));
  });

  // HOLE: the matchers call the realm's intrinsics (Object.is for toBe), which stay writable:
  // locking them all is SES's lockdown, which breaks too much ordinary code. Rollouts: the scan
  // flags the assignment.
  it.fails("vitest: a source file that replaces Object.is passes toBe", async () => {
    await check(vitestProject, vitestTree(OBJECT_IS, "expect(add(1, 2)).toBe(3)"));
  });

  it.fails("jest: a source file that replaces Object.is passes toBe", async () => {
    await check(jestProject, jestTree(OBJECT_IS, "expect(add(1, 2)).toBe(3)"));
  });

  // HOLE: mocha's reporter runs in the process that loads the source, and the report file must
  // be writable by that process: an exit handler can rewrite the report after the reporter.
  // Rollouts: the scan flags the reporter's name and the exit handler that writes a file.
  it.fails("mocha: a source file's exit handler rewrites the report", async () => {
    const [, tree] = MOCHA_CASES[0]!;
    await check(mochaProject, {
      ...tree,
      "src/calc.js": `${MOCHA_EXIT_REPORT}\nexports.add = (a, b) => a - b;\n`,
    });
  });
});

/**
 * (d) node --test runs each test file in a child process that reports to the runner as v8
 * frames on its stdout, and the runner believes every frame. A source file in the child can
 * rewrite the frames on their way out (here: every test:fail becomes test:pass).
 */
describe("cheating source: node --test child report frames", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await cheatingHarness();
  });
  afterAll(async () => {
    await h?.[Symbol.asyncDispose]();
  });

  // HOLE: on Node 20 nothing but the child's stdout carries its results (--test-isolation=none
  // is Node 22.8+), and the child runs the agent's code: whatever writes the frames, the
  // agent's code can rewrite them, or write its own to fd 1 and exit. Locking stdout's write
  // would not stop fs.writeSync(1, ...). Only a channel outside the test process could. This
  // one runs with the tamper scan off, so it shows the tests alone; with the scan on (the
  // default) the stdout override, the frame types and the exit handler are flagged and the
  // rollout scores 0 (tamper-scan-rollouts.test.ts).
  it.fails("(d) a source file that turns test:fail frames into test:pass gets 0", async () => {
    const calc = [
      NODE_TEST_FRAMES,
      "export function add(a, b) { return a + b - (a > 9 ? 1 : 0); }",
      "export function mul(a, b) { return a * b + (a === 0 ? 1 : 0); }",
      "",
    ].join("\n");
    const source = join(h.work, "calc-forged-frames.js");
    await writeFile(source, calc);
    const { record } = await h.run(`cp ${shellQuote(source)} src/calc.js`, {
      config: { ...h.fixture.config, guards: { tamper_scan: false } },
    });
    expectNoReward(record);
  });
});
