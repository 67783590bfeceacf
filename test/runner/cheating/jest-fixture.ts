import { join } from "node:path";
import { defaultConfig } from "../../../core/config.js";
import { shellQuote } from "../../../runner/shell.js";
import { FixtureRepo, PROJECT_ROOT } from "../../helpers/fixture-repo.js";
import { type MinedFixture, mineFixture } from "../run-fixture.js";

/** What a project of the "add" fix needs for one framework: its manifest and how a test file looks. */
interface FrameworkProject {
  remote: string;
  packageJson: Record<string, unknown>;
  /** `src/calc.js` exporting `add` with the body given. */
  calc: (body: string) => string;
  calcTest: (tests: string[]) => string;
}

/**
 * The "add" fix of the node:test fixture (run-fixture.ts) as a project of another framework,
 * mined into a suite. Its install links repogym's own node_modules, so the real framework runs.
 */
async function minedProject(project: FrameworkProject): Promise<MinedFixture> {
  const repo = await FixtureRepo.create();
  repo.git("remote", "add", "origin", project.remote);
  await repo.commit("Initial calculator", {
    "package.json": JSON.stringify(project.packageJson, null, 2),
    "src/calc.js": project.calc("a + b - (a > 9 ? 1 : 0)"),
    "test/calc.test.js": project.calcTest(['test("add small", () => expect(add(1, 2)).toBe(3));']),
  });
  await repo.commit("Fix add for numbers above nine", {
    "src/calc.js": project.calc("a + b"),
    "test/calc.test.js": project.calcTest([
      'test("add small", () => expect(add(1, 2)).toBe(3));',
      'test("add large", () => expect(add(10, 5)).toBe(15));',
    ]),
  });
  const base = defaultConfig();
  return mineFixture(repo, {
    ...base,
    environment: {
      ...base.environment,
      install: `ln -s ${shellQuote(join(PROJECT_ROOT, "node_modules"))} node_modules`,
    },
    timeouts: { ...base.timeouts, test_ms: 30_000 },
    validation: { runs: 1 },
  });
}

/** The "add" fix as a jest project (CommonJS, jest's globals). */
export function minedJestFixture(): Promise<MinedFixture> {
  return minedProject({
    remote: "https://github.com/acme/calc-jest.git",
    packageJson: { name: "calc", scripts: { test: "jest" }, devDependencies: { jest: "*" } },
    calc: (body) => `exports.add = (a, b) => ${body};\n`,
    calcTest: (tests) =>
      ['const { add } = require("../src/calc.js");', ...tests.map((t) => `${t}\n`)].join("\n"),
  });
}

/** The "add" fix as a vitest project (ES modules, imports from vitest). */
export function minedVitestFixture(): Promise<MinedFixture> {
  return minedProject({
    remote: "https://github.com/acme/calc-vitest.git",
    packageJson: {
      name: "calc",
      type: "module",
      scripts: { test: "vitest run" },
      devDependencies: { vitest: "*" },
    },
    calc: (body) => `export const add = (a, b) => ${body};\n`,
    calcTest: (tests) =>
      [
        'import { expect, test } from "vitest";',
        'import { add } from "../src/calc.js";',
        ...tests.map((t) => `${t}\n`),
      ].join("\n"),
  });
}
