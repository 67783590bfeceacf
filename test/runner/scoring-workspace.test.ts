import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfig } from "../../core/config.js";
import type { Scenario } from "../../core/scenario.js";
import { readSuite } from "../../core/suite-store.js";
import { readRollouts } from "../../runner/rollout-store.js";
import { type RunOptions, runSuite } from "../../runner/run-loop.js";
import { mineRepository } from "../../scenario-gen/mine.js";
import { FixtureRepo, tempDir } from "../helpers/fixture-repo.js";

/**
 * A project whose tests import a build output (dist/), made by its `prepare` script: the
 * agent's source change only counts once it is built, so scoring must run the setup again
 * over the agent's code, and an agent that breaks the build must get 0.
 */
const pkg = JSON.stringify(
  { name: "built", type: "module", scripts: { prepare: "node build.js", test: "node --test test/" } },
  null,
  2,
);
const build = [
  'import { mkdirSync, readFileSync, writeFileSync } from "node:fs";',
  'const source = readFileSync("src/calc.js", "utf8");',
  'if (source.includes("BROKEN")) { console.error("build error: BROKEN marker"); process.exit(1); }',
  'mkdirSync("dist", { recursive: true });',
  'writeFileSync("dist/calc.js", source);',
  "",
].join("\n");
const test = (lines: string[]) =>
  [
    'import { test } from "node:test";',
    'import assert from "node:assert/strict";',
    'import { add } from "../dist/calc.js";',
    ...lines,
    "",
  ].join("\n");

describe("scoring in a fresh workspace", () => {
  let repo: FixtureRepo;
  let work: Awaited<ReturnType<typeof tempDir>>;
  let scenario: Scenario;
  let runs = 0;
  const config = { ...defaultConfig(), validation: { runs: 1 } };
  const options = (agentSpec: RunOptions["agentSpec"]): RunOptions => ({
    repo: repo.path,
    scenarios: [scenario],
    agentSpec,
    attempts: 1,
    jobs: 1,
    timeoutMs: 30_000,
    outDir: join(work.path, `run-${++runs}`),
    resume: false,
    config,
    cacheDir: join(work.path, "cache"),
    hostEnv: process.env,
  });
  const only = async (agentSpec: RunOptions["agentSpec"]) =>
    (await readRollouts((await runSuite(options(agentSpec))).rolloutsFile)).rollouts[0]!;

  beforeAll(async () => {
    repo = await FixtureRepo.create();
    work = await tempDir();
    repo.git("remote", "add", "origin", "https://github.com/acme/built.git");
    await repo.commit("Initial", {
      "package.json": pkg,
      "build.js": build,
      ".gitignore": "dist/\n",
      "src/calc.js": "export function add(a, b) { return a + b - (a > 9 ? 1 : 0); }\n",
      "test/calc.test.js": test(['test("add small", () => assert.equal(add(1, 2), 3));']),
    });
    await repo.commit("Fix add above nine", {
      "src/calc.js": "export function add(a, b) { return a + b; }\n",
      "test/calc.test.js": test([
        'test("add small", () => assert.equal(add(1, 2), 3));',
        'test("add large", () => assert.equal(add(10, 5), 15));',
      ]),
    });
    const suite = join(work.path, "suite");
    await mineRepository({
      repo: repo.path,
      suiteDir: suite,
      cacheDir: join(work.path, "cache"),
      toolVersion: "repogym test",
      config,
    });
    const mined = await readSuite(suite);
    expect(mined.map((s) => s.environment.setup)).toEqual([["npm run prepare"]]);
    scenario = mined[0]!;
  }, 120_000);

  afterAll(async () => {
    await repo?.[Symbol.asyncDispose]();
    await work?.[Symbol.asyncDispose]();
  });

  it("builds the agent's change before the tests: the gold patch scores 1", async () => {
    const record = await only({ name: "oracle" });
    expect([record.status, record.reward, record.reason]).toEqual(["scored", 1, undefined]);
  });

  it("an agent that builds the fix into dist/ without changing the source gets 0", async () => {
    // dist/ is ignored, so it is not part of the patch; the scoring workspace rebuilds it.
    const record = await only({
      name: "command",
      command: "sed 's/ - (a > 9 ? 1 : 0)//' src/calc.js > dist/calc.js",
    });
    expect(record.model_patch).toBe("");
    expect([record.status, record.reward]).toEqual(["scored", 0]);
  });

  it("an agent whose change breaks the build gets 0, with the reason", async () => {
    const record = await only({
      name: "command",
      command: "printf 'export function add(a, b) { return a + b; } // BROKEN\\n' > src/calc.js",
    });
    expect([record.status, record.reward]).toEqual(["scored", 0]);
    expect(record.reason).toMatch(
      /the setup failed over the agent's change: `npm run prepare` exited with code 1/,
    );
  });
});
