import { join } from "node:path";
import { defaultConfig } from "../../../core/config.js";
import { readSuite } from "../../../core/suite-store.js";
import { shellQuote } from "../../../runner/shell.js";
import { mineRepository } from "../../../scenario-gen/mine.js";
import { FixtureRepo, PROJECT_ROOT, tempDir } from "../../helpers/fixture-repo.js";
import type { minedFixture } from "../run-fixture.js";

const calcTest = (tests: string[]) =>
  ['const { add } = require("../src/calc.js");', ...tests.map((t) => `${t}\n`)].join("\n");

/**
 * The "add" fix of the node:test fixture (run-fixture.ts) as a jest project, mined into a
 * suite. Its install links repogym's own node_modules, so the real jest runs.
 */
export async function minedJestFixture(): ReturnType<typeof minedFixture> {
  const repo = await FixtureRepo.create();
  repo.git("remote", "add", "origin", "https://github.com/acme/calc-jest.git");
  await repo.commit("Initial calculator", {
    "package.json": JSON.stringify(
      { name: "calc", scripts: { test: "jest" }, devDependencies: { jest: "*" } },
      null,
      2,
    ),
    "src/calc.js": "exports.add = (a, b) => a + b - (a > 9 ? 1 : 0);\n",
    "test/calc.test.js": calcTest(['test("add small", () => expect(add(1, 2)).toBe(3));']),
  });
  await repo.commit("Fix add for numbers above nine", {
    "src/calc.js": "exports.add = (a, b) => a + b;\n",
    "test/calc.test.js": calcTest([
      'test("add small", () => expect(add(1, 2)).toBe(3));',
      'test("add large", () => expect(add(10, 5)).toBe(15));',
    ]),
  });
  const suite = await tempDir();
  const cache = await tempDir();
  const base = defaultConfig();
  const config = {
    ...base,
    environment: {
      ...base.environment,
      install: `ln -s ${shellQuote(join(PROJECT_ROOT, "node_modules"))} node_modules`,
    },
    timeouts: { ...base.timeouts, test_ms: 30_000 },
    validation: { runs: 1 },
  };
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
