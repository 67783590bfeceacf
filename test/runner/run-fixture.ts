import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { defaultConfig } from "../../core/config.js";
import type { Scenario } from "../../core/scenario.js";
import { readSuite } from "../../core/suite-store.js";
import type { RunOptions } from "../../runner/run-loop.js";
import { mineRepository } from "../../scenario-gen/mine.js";
import { FixtureRepo, tempDir } from "../helpers/fixture-repo.js";

const pkg = JSON.stringify({ name: "calc", type: "module", scripts: { test: "node --test test/" } }, null, 2);

const calcTest = (tests: string[]) =>
  [
    'import { test } from "node:test";',
    'import assert from "node:assert/strict";',
    'import { add, mul } from "../src/calc.js";',
    ...tests,
    "",
  ].join("\n");

export interface MinedFixture {
  repo: FixtureRepo;
  suite: string;
  cache: string;
  scenarios: Scenario[];
  config: ReturnType<typeof defaultConfig>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Mines `repo` with `config` into a fresh suite (and dependency cache); disposing removes all three. */
export async function mineFixture(repo: FixtureRepo, config: MinedFixture["config"]): Promise<MinedFixture> {
  const suite = await tempDir();
  const cache = await tempDir();
  await mineRepository({
    repo: repo.path,
    suiteDir: suite.path,
    cacheDir: cache.path,
    toolVersion: "repogym test",
    config,
  });
  const scenarios = await readSuite(suite.path);
  return {
    repo,
    suite: suite.path,
    cache: cache.path,
    scenarios,
    config,
    async [Symbol.asyncDispose]() {
      await repo[Symbol.asyncDispose]();
      await suite[Symbol.asyncDispose]();
      await cache[Symbol.asyncDispose]();
    },
  };
}

/** A node:test project with two minable fixes, mined into a suite (one validation run, for speed). */
export async function minedFixture(): Promise<MinedFixture> {
  const repo = await FixtureRepo.create();
  repo.git("remote", "add", "origin", "https://github.com/acme/calc.git");
  await repo.commit("Initial calculator", {
    "package.json": pkg,
    "src/calc.js":
      "export function add(a, b) { return a + b - (a > 9 ? 1 : 0); }\nexport function mul(a, b) { return a * b + (a === 0 ? 1 : 0); }\n",
    "test/calc.test.js": calcTest(['test("add small", () => assert.equal(add(1, 2), 3));']),
  });
  await repo.commit("Fix add for numbers above nine", {
    "src/calc.js":
      "export function add(a, b) { return a + b; }\nexport function mul(a, b) { return a * b + (a === 0 ? 1 : 0); }\n",
    "test/calc.test.js": calcTest([
      'test("add small", () => assert.equal(add(1, 2), 3));',
      'test("add large", () => assert.equal(add(10, 5), 15));',
    ]),
  });
  await repo.commit("Fix mul by zero", {
    "src/calc.js":
      "export function add(a, b) { return a + b; }\nexport function mul(a, b) { return a * b; }\n",
    "test/calc.test.js": calcTest([
      'test("add small", () => assert.equal(add(1, 2), 3));',
      'test("add large", () => assert.equal(add(10, 5), 15));',
      'test("mul zero", () => assert.equal(mul(0, 5), 0));',
    ]),
  });
  const base = defaultConfig();
  return mineFixture(repo, {
    ...base,
    timeouts: { ...base.timeouts, test_ms: 20_000 },
    validation: { runs: 1 },
  });
}

export interface MinedFixtureScope {
  readonly fixture: MinedFixture;
  /** A scratch folder for the describe block. */
  readonly work: string;
  /** runSuite options over the fixture, each call with its own out folder. */
  options(overrides?: Partial<RunOptions>): RunOptions;
}

/** Mines the fixture once for the enclosing describe block and removes it afterwards. */
export function useMinedFixture(defaults: Partial<RunOptions> = {}): MinedFixtureScope {
  let fixture: MinedFixture | undefined;
  let work: Awaited<ReturnType<typeof tempDir>> | undefined;
  let runs = 0;
  beforeAll(async () => {
    fixture = await minedFixture();
    work = await tempDir();
  });
  afterAll(async () => {
    await fixture?.[Symbol.asyncDispose]();
    await work?.[Symbol.asyncDispose]();
  });
  return {
    get fixture() {
      if (!fixture) throw new Error("the mined fixture is only there inside tests");
      return fixture;
    },
    get work() {
      if (!work) throw new Error("the scratch folder is only there inside tests");
      return work.path;
    },
    options(overrides = {}) {
      const f = this.fixture;
      return {
        repo: f.repo.path,
        scenarios: f.scenarios,
        agentSpec: { name: "noop" },
        attempts: 1,
        jobs: 2,
        timeoutMs: 30_000,
        outDir: join(this.work, `run-${++runs}`),
        resume: false,
        config: f.config,
        cacheDir: f.cache,
        hostEnv: process.env,
        ...defaults,
        ...overrides,
      };
    },
  };
}
