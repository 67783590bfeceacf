import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { defaultConfig } from "../../core/config.js";
import { readSuite, writeScenario } from "../../core/suite-store.js";
import { type MineEvent, type MineSummary, mineRepository } from "../../scenario-gen/mine.js";
import { validateSuite } from "../../scenario-gen/validate-suite.js";
import { FixtureRepo, tempDir } from "../helpers/fixture-repo.js";

const pkg = JSON.stringify({ name: "calc", type: "module", scripts: { test: "node --test test/" } }, null, 2);

/** A small node:test project whose history holds each kind of commit the miner must handle. */
async function buildHistory(repo: FixtureRepo) {
  const shas: Record<string, string> = {};
  shas.init = await repo.commit("Initial calculator", {
    "package.json": pkg,
    "src/calc.js": "export function add(a, b) { return a + b - (a > 9 ? 1 : 0); }\n",
    "test/calc.test.js": [
      'import { test, describe } from "node:test";',
      'import assert from "node:assert/strict";',
      'import { add } from "../src/calc.js";',
      'describe("add", () => { test("small", () => assert.equal(add(1, 2), 3)); });',
      "",
    ].join("\n"),
  });
  shas.fix = await repo.commit("Fix add for numbers above nine\n\nIt was off by one.\n\nFixes #12", {
    "src/calc.js": "export function add(a, b) { return a + b; }\n",
    "test/calc.test.js": [
      'import { test, describe } from "node:test";',
      'import assert from "node:assert/strict";',
      'import { add } from "../src/calc.js";',
      'describe("add", () => {',
      '  test("small", () => assert.equal(add(1, 2), 3));',
      '  test("large", () => assert.equal(add(10, 5), 15));',
      "});",
      'test("already broken here", () => assert.equal(process.env.CALC_SECRET, "x"));',
      "",
    ].join("\n"),
  });
  shas.docs = await repo.commit("Document add", { "README.md": "# calc\n" });
  shas.feature = await repo.commit("Add mul", {
    "src/calc.js":
      "export function add(a, b) { return a + b; }\nexport function mul(a, b) { return a * b; }\n",
    "test/mul.test.js": [
      'import { test } from "node:test";',
      'import assert from "node:assert/strict";',
      'import { mul } from "../src/calc.js";',
      'test("mul", () => assert.equal(mul(2, 3), 6));',
      "",
    ].join("\n"),
  });
  shas.refactor = await repo.commit("Tidy add", {
    "src/calc.js": "export const add = (a, b) => a + b;\nexport function mul(a, b) { return a * b; }\n",
    "test/calc.test.js": [
      'import { test, describe } from "node:test";',
      'import assert from "node:assert/strict";',
      'import { add } from "../src/calc.js";',
      'describe("add", () => {',
      '  test("small", () => assert.equal(add(1, 2), 3));',
      '  test("large", () => assert.equal(add(10, 5), 15));',
      "});",
      "",
    ].join("\n"),
  });
  shas.flaky = await repo.commit("Add sub", {
    "src/calc.js": [
      "export const add = (a, b) => a + b;",
      "export function mul(a, b) { return a * b; }",
      "export function sub(a, b) { return a - b; }",
      "",
    ].join("\n"),
    "test/sub.test.js": [
      'import { test } from "node:test";',
      'import assert from "node:assert/strict";',
      'import { existsSync, readFileSync, writeFileSync } from "node:fs";',
      'import { sub } from "../src/calc.js";',
      'test("sub", () => assert.equal(sub(5, 3), 2));',
      "// Passes on odd runs, fails on even ones: flaky by construction.",
      'test("flaky", () => {',
      '  const n = existsSync(".runs") ? Number(readFileSync(".runs", "utf8")) + 1 : 1;',
      '  writeFileSync(".runs", String(n));',
      "  assert.equal(n % 2, 1);",
      "});",
      "",
    ].join("\n"),
  });
  shas.hang = await repo.commit("Add div", {
    "src/calc.js": [
      "export const add = (a, b) => a + b;",
      "export function mul(a, b) { return a * b; }",
      "export function sub(a, b) { return a - b; }",
      "export function div(a, b) { return a / b; }",
      "",
    ].join("\n"),
    "test/div.test.js":
      'import { test } from "node:test";\ntest("div hangs", () => new Promise(() => { setInterval(() => {}, 1000); }));\n',
  });
  return shas;
}

describe("mineRepository on a node:test project", () => {
  let repo: FixtureRepo;
  let suite: Awaited<ReturnType<typeof tempDir>>;
  let cache: Awaited<ReturnType<typeof tempDir>>;
  let shas: Record<string, string>;
  let summary: MineSummary;
  const events: MineEvent[] = [];
  const config = { ...defaultConfig(), timeouts: { ...defaultConfig().timeouts, test_ms: 4_000 } };

  beforeAll(async () => {
    repo = await FixtureRepo.create();
    repo.git("remote", "add", "origin", "https://github.com/acme/calc.git");
    shas = await buildHistory(repo);
    suite = await tempDir();
    cache = await tempDir();
    summary = await mineRepository({
      repo: repo.path,
      suiteDir: suite.path,
      cacheDir: cache.path,
      toolVersion: "repogym test",
      jobs: 2,
      config,
      onEvent: (e) => events.push(e),
    });
    return async () => {
      await repo[Symbol.asyncDispose]();
      await suite[Symbol.asyncDispose]();
      await cache[Symbol.asyncDispose]();
    };
  });

  it("gives every commit a scenario or a skip reason", () => {
    expect(summary.commits).toBe(7);
    const reasonOf = (sha: string) => summary.skipped.find((s) => s.sha === sha)?.reason;
    expect(reasonOf(shas.init!)).toBe("root-commit");
    expect(reasonOf(shas.docs!)).toBe("no-source-change");
    expect(reasonOf(shas.refactor!)).toBe("no-fail-to-pass");
    expect(reasonOf(shas.hang!)).toBe("test-infra-error");
    expect(summary.scenarios.map((s) => s.sha).sort()).toEqual([shas.fix, shas.feature, shas.flaky].sort());
    expect(summary.scenarios.length + summary.skipped.length).toBe(summary.commits);
  });

  it("keeps the output of a hanging runner and says it timed out", async () => {
    const hang = summary.skipped.find((s) => s.sha === shas.hang)!;
    expect(hang.detail).toMatch(/timed out/);
    expect(hang.log).toBeDefined();
    expect(await readFile(hang.log!, "utf8")).toMatch(/timed out/);
  });

  it("records F2P and P2P per test, not by exit code", async () => {
    const scenarios = await readSuite(suite.path);
    const fix = scenarios.find((s) => s.source.sha === shas.fix)!;
    expect(fix.instance_id).toBe(`acme__calc-${shas.fix!.slice(0, 10)}`);
    expect(fix.base_commit).toBe(shas.init);
    expect(fix.FAIL_TO_PASS).toEqual(["test/calc.test.js > add > large"]);
    expect(fix.PASS_TO_PASS).toEqual(["test/calc.test.js > add > small"]);
    expect(fix.validation.always_failing).toEqual(["test/calc.test.js > already broken here"]);
    expect(fix.validation.runs).toBe(3);
    expect(fix.environment).toMatchObject({ framework: "node-test", test_files: ["test/calc.test.js"] });
    expect(fix.source.url).toBe(`https://github.com/acme/calc/commit/${shas.fix}`);
    expect(fix.difficulty).toMatchObject({
      files: 1,
      hunks: 1,
      lines_added: 1,
      lines_removed: 1,
      fail_to_pass: 1,
    });
  });

  it("writes a problem statement without the fix's references", async () => {
    const fix = (await readSuite(suite.path)).find((s) => s.source.sha === shas.fix)!;
    expect(fix.problem_statement).toContain("Fix add for numbers above nine");
    expect(fix.problem_statement).toContain("test/calc.test.js > add > large");
    expect(fix.problem_statement).not.toContain("#12");
    expect(fix.problem_statement).not.toContain(shas.fix!.slice(0, 7));
  });

  it("counts a test whose file could not load before the fix as fail-to-pass", async () => {
    const feature = (await readSuite(suite.path)).find((s) => s.source.sha === shas.feature)!;
    expect(feature.FAIL_TO_PASS).toEqual(["test/mul.test.js > mul"]);
  });

  it("drops flaky tests and records them", async () => {
    const flaky = (await readSuite(suite.path)).find((s) => s.source.sha === shas.flaky)!;
    expect(flaky.FAIL_TO_PASS).toEqual(["test/sub.test.js > sub"]);
    expect(flaky.validation.flaky).toEqual(["test/sub.test.js > flaky"]);
  });

  it("reports progress for every candidate", () => {
    const done = events.filter((e) => e.type === "candidate-done");
    expect(done).toHaveLength(summary.candidates.length);
    expect(events[0]?.type).toBe("scanned");
  });

  it("does not mine the same commit twice", async () => {
    const again = await mineRepository({
      repo: repo.path,
      suiteDir: suite.path,
      cacheDir: cache.path,
      toolVersion: "repogym test",
      config,
      dryRun: true,
    });
    expect(again.skipsByReason["already-mined"]).toBe(3);
  });

  it("re-proves every scenario it wrote, and catches a broken one", async () => {
    const scenarios = await readSuite(suite.path);
    const verdicts = await validateSuite({
      repo: repo.path,
      scenarios,
      cacheDir: cache.path,
      config,
      runs: 2,
    });
    expect(verdicts.map((v) => v.ok)).toEqual(scenarios.map(() => true));

    const fix = scenarios.find((s) => s.source.sha === shas.fix)!;
    // A "gold" patch that changes nothing real: the F2P test can no longer pass.
    const broken = {
      ...fix,
      patch: fix.patch.replace("return a + b;", "return a + b + 0 * 1 - (a > 9 ? 1 : 0);"),
    };
    const [verdict] = await validateSuite({
      repo: repo.path,
      scenarios: [broken],
      cacheDir: cache.path,
      config,
      runs: 1,
    });
    expect(verdict).toMatchObject({ ok: false });
    expect(verdict!.ok ? [] : verdict!.problems.join("\n")).toContain("test/calc.test.js > add > large");
  });

  it("lists candidates without running anything in a dry run", async () => {
    await using empty = await tempDir();
    const dry = await mineRepository({
      repo: repo.path,
      suiteDir: empty.path,
      cacheDir: cache.path,
      toolVersion: "repogym test",
      config,
      dryRun: true,
    });
    expect(dry.candidates.map((c) => c.sha)).toEqual([
      shas.hang,
      shas.flaky,
      shas.refactor,
      shas.feature,
      shas.fix,
    ]);
    expect(dry.scenarios).toEqual([]);
    expect(await readSuite(empty.path)).toEqual([]);
  });

  it("writes the scenario as valid JSON even when rewritten", async () => {
    const [first] = await readSuite(suite.path);
    await writeScenario(suite.path, first!);
    expect((await readSuite(suite.path)).length).toBe(3);
    const report = JSON.parse(await readFile(join(suite.path, "mine-report.json"), "utf8"));
    expect(report.commits).toBe(7);
  });
});
