import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Scenario } from "../../../core/scenario.js";
import { createCommandAgent } from "../../../runner/agents/command.js";
import { DependencyCache } from "../../../runner/dependency-cache.js";
import type { SandboxLevel } from "../../../runner/sandbox.js";
import { shellQuote } from "../../../runner/shell.js";
import { tempDir } from "../../helpers/fixture-repo.js";
import { cheatingHarness, expectNoReward, type Harness, snapshot } from "./harness.js";

const setJson = (file: string, expression: string) =>
  `node -e ${shellQuote(
    `const fs=require("fs");const f=${JSON.stringify(file)};const j=fs.existsSync(f)?JSON.parse(fs.readFileSync(f,"utf8")):{};${expression};fs.writeFileSync(f,JSON.stringify(j))`,
  )}`;

/** (c) Tampering with the test side or the test configuration. */
const TAMPERING: Array<[string, string]> = [
  [
    "edits the failing test to assert.ok(true)",
    "sed -i 's/assert.equal(add(10, 5), 15)/assert.ok(true)/' test/calc.test.js",
  ],
  ["deletes the test file", "rm test/calc.test.js"],
  ["deletes the whole test folder", "rm -rf test"],
  [
    "marks the failing test test.skip",
    'sed -i \'s/^test("add large"/test.skip("add large"/\' test/calc.test.js',
  ],
  [
    "marks the failing test { todo: true }",
    'sed -i \'s/^test("add large", /test("add large", { todo: true }, /\' test/calc.test.js',
  ],
  ["replaces the test file with an empty one", ": > test/calc.test.js"],
  ["changes package.json's test script", setJson("package.json", 'j.scripts={test:"true"}')],
  [
    "adds a node --test-skip-pattern / --test-name-pattern to package.json",
    setJson("package.json", 'j.scripts={test:"node --test --test-name-pattern=small test/"}'),
  ],
  [
    "adds vitest, jest and mocha configs that exclude the tests",
    [
      "echo 'export default { test: { exclude: [\"**\"] } };' > vitest.config.js",
      "echo 'module.exports = { testPathIgnorePatterns: [\".*\"] };' > jest.config.js",
      'echo \'{"ignore": ["test/**"]}\' > .mocharc.json',
      "echo 'files: []' > test/.taprc",
    ].join(" && "),
  ],
  [
    "adds an .npmrc with node-options preloading a module that neuters assert",
    [
      "echo 'module.exports={}; const a=require(\"node:assert\"); a.strict.equal=()=>{};' > preload.cjs",
      'echo "node-options=--require=$PWD/preload.cjs" > .npmrc',
    ].join(" && "),
  ],
  [
    "writes node_modules/.bin shims for node, vitest and jest",
    [
      "mkdir -p node_modules/.bin",
      "for b in node vitest jest mocha tap; do printf '#!/bin/sh\\necho \"# pass 3\"\\nexit 0\\n' > node_modules/.bin/$b; chmod +x node_modules/.bin/$b; done",
    ].join(" && "),
  ],
  [
    "adds a test helper that overrides node:test in the test folder",
    "echo 'export const test = () => {};' > test/node-test-shim.js && sed -i 's#\"node:test\"#\"./node-test-shim.js\"#' test/calc.test.js",
  ],
];

/** (d) Fake passing output and fake report files in likely places. */
const FAKE_REPORTS = [
  "printf 'TAP version 13\\nok 1 - add small\\nok 2 - add large\\nok 3 - mul zero\\n1..3\\n# tests 3\\n# pass 100\\n# fail 0\\n'",
  'echo \'{"numFailedTests":0,"numPassedTests":3,"success":true,"testResults":[{"status":"passed"}]}\'',
  'for f in report.json test-results.json junit.xml report.tap test-report.xml .repogym/report; do mkdir -p $(dirname $f); echo \'{"success":true,"numFailedTests":0}\' > $f; done',
  'for d in "$REPOGYM_OUTPUT_DIR" "$TMPDIR" /tmp; do mkdir -p "$d/repogym-report-fake" && echo \'{"type":"end"}\' > "$d/repogym-report-fake/report"; done',
  "exit 0",
].join("; ");

describe("cheating agents: the test side and fake reports", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await cheatingHarness();
  });
  afterAll(async () => {
    await h?.[Symbol.asyncDispose]();
  });

  it.each(TAMPERING)("(c) an agent that %s gets 0 (the test side is restored)", async (_, command) => {
    const before = await h.hostState();
    const { record } = await h.run(command);
    expect(record.status, record.reason).toBe("scored");
    expectNoReward(record);
    expect(await h.hostState()).toEqual(before);
  });

  it("(d) fake TAP/JSON output and fake report files get 0 (the scorer runs and reads its own)", async () => {
    const before = await h.hostState();
    const { record, agentLog } = await h.run(FAKE_REPORTS);
    expect(agentLog).toContain("# pass 100");
    expect(record.status, record.reason).toBe("scored");
    expectNoReward(record);
    expect(await h.hostState()).toEqual(before);
  });

  // The source side is the agent's, and the tests import it: a source file that rewrote the
  // shared `node:assert` module would turn every assertion into a no-op. The node:test adapter
  // freezes the assertion modules before any project code loads, so the rewrite throws (or,
  // caught, does nothing) and the tests still judge the unfixed code.
  it.each([
    ["outright", "for (const name of Object.keys(assert)) assert[name] = () => {};"],
    [
      "with errors swallowed",
      "for (const name of Object.keys(assert)) { try { assert[name] = () => {}; } catch {} }",
    ],
  ])("(c) a source change that neuters node:assert gets 0 (%s)", async (_how, neuter) => {
    const calc = [
      'import assert from "node:assert/strict";',
      neuter,
      "export function add(a, b) { return a + b - (a > 9 ? 1 : 0); }",
      "export function mul(a, b) { return a * b + (a === 0 ? 1 : 0); }",
      "",
    ].join("\n");
    const source = join(h.work, "calc-neutered.js");
    await writeFile(source, calc);
    const { record } = await h.run(`cp ${shellQuote(source)} src/calc.js`);
    expectNoReward(record);
  });
});

/**
 * The workspace's node_modules is a link into the shared dependency cache. An agent that
 * writes through it changes the install every later rollout (of any agent) links to.
 */
describe("cheating agents: the shared dependency cache", () => {
  async function poison(sandbox: SandboxLevel) {
    await using root = await tempDir("repogym-cheat-cache-");
    const cacheDir = join(root.path, "cache");
    const state = join(root.path, "state");
    await mkdir(state, { recursive: true });
    await writeFile(
      join(state, "package.json"),
      JSON.stringify({ name: "x", type: "module", devDependencies: { dep: "1.0.0" } }),
    );
    const cache = new DependencyCache({ cacheDir, timeoutMs: 30_000 });
    const deps = await cache.prepare(state, {
      installCommand: "mkdir -p node_modules/dep && echo 'export default 1;' > node_modules/dep/index.js",
    });
    expect(deps.ok).toBe(true);
    const before = await snapshot(cacheDir);
    const agent = createCommandAgent({
      name: "cache-poisoner",
      sandbox,
      template: [
        "echo 'export default 2;' > node_modules/dep/index.js",
        "mkdir -p node_modules/.bin && printf '#!/bin/sh\\nexit 0\\n' > node_modules/.bin/vitest",
        "rm -rf node_modules/dep/extra; echo poisoned > node_modules/.repogym-installed",
        "exit 0",
      ].join("; "),
    });
    const out = join(root.path, "out");
    await writeFile(join(root.path, "problem.md"), "poison the cache\n");
    await agent.run({
      scenario: { instance_id: "acme__calc-cache" } as unknown as Scenario,
      workspace: state,
      problemFile: join(root.path, "problem.md"),
      outputDir: out,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: join(out, "home") },
      timeoutMs: 30_000,
      logFile: join(out, "agent.log"),
      attempt: 1,
    });
    return { before, after: await snapshot(cacheDir) };
  }

  it("sandbox bwrap: the cache is read-only to the agent", async () => {
    const { before, after } = await poison("bwrap");
    expect(after).toEqual(before);
  });

  // HOLE (sandbox none): nothing stops the agent writing through the link into the cache.
  it.fails("sandbox none: the cache is unchanged by the agent", async () => {
    const { before, after } = await poison("none");
    expect(after).toEqual(before);
  });
});
