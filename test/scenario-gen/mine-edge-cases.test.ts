import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../core/config.js";
import { readSuite } from "../../core/suite-store.js";
import { mineRepository } from "../../scenario-gen/mine.js";
import { validateSuite } from "../../scenario-gen/validate-suite.js";
import { FixtureRepo, tempDir } from "../helpers/fixture-repo.js";

const testFile = (from: string) =>
  `import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { double } from "${from}";\ntest("double", () => assert.equal(double(2), 4));\n`;

async function mine(repo: FixtureRepo, suite: string, cache: string) {
  return mineRepository({
    repo: repo.path,
    suiteDir: suite,
    cacheDir: cache,
    toolVersion: "t",
    config: defaultConfig(),
    runs: 1,
  });
}

describe("mining edge cases", () => {
  it("turns a fix that renames a file into a scenario whose patches apply", async () => {
    await using repo = await FixtureRepo.create();
    await using suite = await tempDir();
    await using cache = await tempDir();
    await repo.commit("init", {
      "package.json": JSON.stringify({ type: "module", scripts: { test: "node --test" } }),
      "src/old.js": "export const double = (n) => n + n + 1;\n",
      "test/double.test.js": testFile("../src/old.js").replace("double(2), 4", "typeof double, 'function'"),
    });
    repo.git("mv", "src/old.js", "src/math.js");
    const fix = await repo.commit("Rename and fix double", {
      "src/math.js": "export const double = (n) => n * 2;\n",
      "test/double.test.js": testFile("../src/math.js"),
    });
    const summary = await mine(repo, suite.path, cache.path);
    expect(summary.scenarios.map((s) => s.sha)).toEqual([fix]);
    const [scenario] = await readSuite(suite.path);
    expect(scenario!.patch).toContain("deleted file mode");
    expect(scenario!.patch).toContain("new file mode");
    expect(scenario!.FAIL_TO_PASS).toEqual(["test/double.test.js > double"]);
    // The load error names the missing file relative to the repository, not by a scratch path.
    expect(scenario!.problem_statement).toContain("src/math.js");
    expect(scenario!.problem_statement).not.toContain(tmpdir());
    expect(scenario!.problem_statement).not.toMatch(/repogym-mine-/);
    const verdicts = await validateSuite({
      repo: repo.path,
      scenarios: [scenario!],
      cacheDir: cache.path,
      runs: 1,
    });
    expect(verdicts[0]?.ok).toBe(true);
  });

  it("skips candidates whose dependencies cannot be installed, keeps the installer's output, and goes on", async () => {
    await using repo = await FixtureRepo.create();
    await using suite = await tempDir();
    await using cache = await tempDir();
    const pkg = {
      type: "module",
      scripts: { test: "node --test" },
      dependencies: { missing: "file:/nonexistent/missing.tgz" },
    };
    await repo.commit("init", {
      "package.json": JSON.stringify(pkg),
      "src/a.js": "export const double = (n) => n;\n",
    });
    const first = await repo.commit("Fix one", {
      "src/a.js": "export const double = (n) => n * 2;\n",
      "test/a.test.js": testFile("../src/a.js"),
    });
    const second = await repo.commit("Fix two", {
      "src/a.js": "export const double = (n) => 2 * n;\n",
      "test/b.test.js": testFile("../src/a.js"),
    });
    const summary = await mine(repo, suite.path, cache.path);
    const skips = summary.skipped.filter((s) => s.reason === "install-failed");
    expect(skips.map((s) => s.sha).sort()).toEqual([first, second].sort());
    expect(skips[0]!.detail).toMatch(/npm install .* exited with code/);
    expect(await readFile(skips[0]!.log!, "utf8")).toMatch(/npm (ERR|error)/);
    expect(summary.scenarios).toEqual([]);
  });

  it("uses a configured test command and framework", async () => {
    await using repo = await FixtureRepo.create();
    await using suite = await tempDir();
    await using cache = await tempDir();
    await repo.commit("init", { "package.json": "{}", "src/a.js": "export const double = (n) => n;\n" });
    const fix = await repo.commit("Fix", {
      "package.json": JSON.stringify({ type: "module" }),
      "src/a.js": "export const double = (n) => n * 2;\n",
      "checks/a.js": testFile("../src/a.js"),
    });
    const config = defaultConfig();
    config.paths.tests = ["checks/**"];
    config.environment.framework = "node-test";
    const summary = await mineRepository({
      repo: repo.path,
      suiteDir: suite.path,
      cacheDir: cache.path,
      toolVersion: "t",
      config,
      runs: 1,
    });
    expect(summary.scenarios.map((s) => s.sha)).toEqual([fix]);
    const [scenario] = await readSuite(suite.path);
    expect(scenario!.environment.test_files).toEqual(["checks/a.js"]);
    expect(scenario!.FAIL_TO_PASS).toEqual(["checks/a.js > double"]);
  });

  it("runs the project's prepare script in each state, as npm install in a clone would", async () => {
    await using repo = await FixtureRepo.create();
    await using suite = await tempDir();
    await using cache = await tempDir();
    // Tests import the built file, which only `prepare` creates.
    const build =
      'import { mkdirSync, copyFileSync } from "node:fs";\nmkdirSync("lib", { recursive: true });\ncopyFileSync("src/a.js", "lib/a.js");\n';
    await repo.commit("init", {
      "package.json": JSON.stringify({
        type: "module",
        scripts: { prepare: "node build.js", test: "node --test" },
      }),
      "build.js": build,
      "src/a.js": "export const double = (n) => n;\n",
    });
    const fix = await repo.commit("Fix", {
      "src/a.js": "export const double = (n) => n * 2;\n",
      "test/a.test.js": testFile("../lib/a.js"),
    });
    const summary = await mine(repo, suite.path, cache.path);
    expect(summary.scenarios.map((s) => s.sha)).toEqual([fix]);
    const [scenario] = await readSuite(suite.path);
    expect(scenario!.environment.setup).toEqual(["npm run prepare"]);

    // `setup: []` turns it off: without the build, the test cannot pass in either state.
    await using suite2 = await tempDir();
    const config = defaultConfig();
    config.environment.setup = [];
    const off = await mineRepository({
      repo: repo.path,
      suiteDir: suite2.path,
      cacheDir: cache.path,
      toolVersion: "t",
      config,
      runs: 1,
    });
    expect(off.skipped.find((s) => s.sha === fix)?.reason).toBe("no-fail-to-pass");
  });
});
