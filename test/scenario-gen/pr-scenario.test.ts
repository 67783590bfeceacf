import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfig } from "../../core/config.js";
import { ConfigError, GitError } from "../../core/errors.js";
import { ScenarioSchema } from "../../core/scenario.js";
import {
  type PullRequestScenarioOptions,
  pullRequestMessage,
  scenarioFromPullRequest,
  triagePullRequestPaths,
} from "../../scenario-gen/pr-scenario.js";
import { FixtureRepo, tempDir } from "../helpers/fixture-repo.js";

const pkg = JSON.stringify({ name: "calc", type: "module", scripts: { test: "node --test test/" } }, null, 2);

const calcTest = (tests: string[]) =>
  [
    'import { test, describe } from "node:test";',
    'import assert from "node:assert/strict";',
    'import { add } from "../src/calc.js";',
    'describe("add", () => {',
    ...tests.map((t) => `  ${t}`),
    "});",
    "",
  ].join("\n");
const SMALL = 'test("small", () => assert.equal(add(1, 2), 3));';
const LARGE = 'test("large", () => assert.equal(add(10, 5), 15));';

const mulTest = [
  'import { test } from "node:test";',
  'import assert from "node:assert/strict";',
  'import { mul } from "../src/mul.js";',
  'test("mul", () => assert.equal(mul(2, 3), 6));',
  "",
].join("\n");

/**
 * main:  init ── mul ──────────── docs          (base = docs)
 *          \        \
 *  pr-fix:  fix ── test ── merge main ── tidy   (head = tidy; merge base = mul)
 */
async function buildRepository(repo: FixtureRepo) {
  const shas: Record<string, string> = {};
  shas.init = await repo.commit("Initial calculator", {
    "package.json": pkg,
    "src/calc.js": "export function add(a, b) { return a + b - (a > 9 ? 1 : 0); }\n",
    "test/calc.test.js": calcTest([SMALL]),
  });
  // A change on main that changes source and tests: merged into the PR branch, never the PR's own.
  shas.mul = await repo.commit("Add mul", {
    "src/mul.js": "export const mul = (a, b) => a * b;\n",
    "test/mul.test.js": mulTest,
  });

  repo.git("checkout", "-q", "-b", "pr-fix", shas.init);
  shas.fix = await repo.commit("Fix add above nine", {
    "src/calc.js": "export function add(a, b) { return a + b; }\n",
  });
  shas.test = await repo.commit("Test add above nine", { "test/calc.test.js": calcTest([SMALL, LARGE]) });
  repo.git("merge", "-q", "--no-ff", "-m", "Merge branch 'main' into pr-fix", "main");
  shas.merge = repo.head();
  shas.tidy = await repo.commit("Tidy add", {
    "src/calc.js": "// Adds two numbers.\nexport function add(a, b) { return a + b; }\n",
  });

  repo.git("checkout", "-q", "main");
  shas.docs = await repo.commit("Document calc", { "README.md": "# calc\n" });

  repo.git("checkout", "-q", "-b", "pr-source-only", "main");
  shas.sourceOnly = await repo.commit("Fix add, no test", {
    "src/calc.js": "export function add(a, b) { return a + b; }\n",
  });
  repo.git("checkout", "-q", "-b", "pr-tests-only", "main");
  shas.testsOnly = await repo.commit("Test add above nine", {
    "test/calc.test.js": calcTest([SMALL, LARGE]),
  });
  repo.git("checkout", "-q", "-b", "pr-no-f2p", "main");
  shas.noF2p = await repo.commit("Rewrite mul and test it more", {
    "src/mul.js": "export function mul(a, b) { return a * b; }\n",
    "test/mul.test.js": mulTest.replace("mul(2, 3), 6", "mul(2, 3) + mul(1, 1), 7"),
  });
  repo.git("checkout", "-q", "-b", "pr-lockfile", "main");
  shas.lockfile = await repo.commit("Fix add and lock", {
    "src/calc.js": "export function add(a, b) { return a + b; }\n",
    "test/calc.test.js": calcTest([SMALL, LARGE]),
    "package-lock.json": "{}\n",
  });
  repo.git("checkout", "-q", "main");
  return shas;
}

describe("scenarioFromPullRequest", () => {
  let repo: FixtureRepo;
  let cache: Awaited<ReturnType<typeof tempDir>>;
  let shas: Record<string, string>;
  const config = { ...defaultConfig(), timeouts: { ...defaultConfig().timeouts, test_ms: 10_000 } };
  const now = new Date("2024-06-01T12:00:00.000Z");
  const options = (overrides: Partial<PullRequestScenarioOptions>): PullRequestScenarioOptions => ({
    repo: repo.path,
    baseSha: shas.docs!,
    headSha: shas.tidy!,
    number: 7,
    title: "Fix add for numbers above nine (#7)",
    body: "<!-- Describe your change -->\nIt was off by one, see https://github.com/acme/calc/commit/0123abcd4567.\r\n\r\nFixes #12",
    config,
    cacheDir: cache.path,
    toolVersion: "repogym test",
    runs: 2,
    now: () => now,
    ...overrides,
  });

  beforeAll(async () => {
    repo = await FixtureRepo.create();
    repo.git("remote", "add", "origin", "https://github.com/acme/calc.git");
    shas = await buildRepository(repo);
    cache = await tempDir();
  });
  afterAll(async () => {
    await repo?.[Symbol.asyncDispose]();
    await cache?.[Symbol.asyncDispose]();
  });

  it("proves the PR's own changes from the merge base, not the base branch's", async () => {
    const before = repo.git("status", "--porcelain", "--ignored");
    const result = await scenarioFromPullRequest(options({}));
    if (result.kind !== "scenario") throw new Error(`expected a scenario, got ${JSON.stringify(result)}`);
    const scenario = ScenarioSchema.parse(result.scenario);

    // The merge base is main's "Add mul" (merged into the PR branch), not the base tip or the branch point.
    expect(repo.git("merge-base", shas.docs!, shas.tidy!).trim()).toBe(shas.mul);
    expect(scenario.base_commit).toBe(shas.mul);
    expect(scenario.environment_setup_commit).toBe(shas.mul);
    expect(scenario.instance_id).toBe("acme__calc-pr7");
    expect(scenario.repo).toBe("acme/calc");
    expect(scenario.source).toEqual({
      kind: "pull_request",
      sha: shas.tidy,
      pull_number: 7,
      url: "https://github.com/acme/calc/pull/7",
    });

    expect(scenario.FAIL_TO_PASS).toEqual(["test/calc.test.js > add > large"]);
    expect(scenario.PASS_TO_PASS).toEqual(["test/calc.test.js > add > small"]);
    expect(scenario.environment).toMatchObject({ framework: "node-test", test_files: ["test/calc.test.js"] });
    expect(scenario.validation).toMatchObject({ runs: 2, tool_version: "repogym test" });
    expect(scenario.validation.validated_at).toBe(now.toISOString());

    // The split: every PR commit's source in the gold patch, its tests in the test patch, and
    // nothing from main (mul, README) in either.
    expect(scenario.patch).toContain("diff --git a/src/calc.js b/src/calc.js");
    expect(scenario.patch).toContain("+// Adds two numbers.");
    expect(scenario.patch).not.toContain("diff --git a/test/");
    expect(scenario.test_patch).toContain("diff --git a/test/calc.test.js b/test/calc.test.js");
    expect(scenario.test_patch).toContain('+  test("large"');
    expect(scenario.test_patch).not.toContain("diff --git a/src/");
    for (const text of [scenario.patch, scenario.test_patch]) {
      expect(text).not.toMatch(/mul|README/);
    }
    expect(scenario.patch).toBe(
      repo.git("diff", "--full-index", "--binary", shas.mul!, shas.tidy!, "--", "src"),
    );
    expect(scenario.test_patch).toBe(
      repo.git("diff", "--full-index", "--binary", shas.mul!, shas.tidy!, "--", "test"),
    );

    expect(scenario.problem_statement).toMatch(/^Fix add for numbers above nine\n\nIt was off by one, see/);
    expect(scenario.problem_statement).toContain("test/calc.test.js > add > large");
    expect(scenario.problem_statement).not.toMatch(/#7|#12|0123abcd4567|https:|Describe your change/);
    expect(scenario.created_at).toBe(repo.git("show", "-s", "--format=%cI", shas.tidy!).trim());

    // Nothing was written: no suite, no change to the clone.
    expect(repo.git("status", "--porcelain", "--ignored")).toBe(before);
    expect(repo.git("rev-parse", "--abbrev-ref", "HEAD").trim()).toBe("main");
  });

  it("names the scenario after repoName when given", async () => {
    const result = await scenarioFromPullRequest(options({ repoName: "other/name", number: 3, runs: 1 }));
    if (result.kind !== "scenario") throw new Error(`expected a scenario, got ${JSON.stringify(result)}`);
    expect(result.scenario.instance_id).toBe("other__name-pr3");
    expect(result.scenario.repo).toBe("other/name");
    expect(result.scenario.source.url).toBe("https://github.com/other/name/pull/3");
    expect(result.scenario.validation.runs).toBe(1);
  });

  it("skips a PR that changes only source", async () => {
    const result = await scenarioFromPullRequest(options({ headSha: shas.sourceOnly! }));
    expect(result).toEqual({ kind: "skip", reason: "no-test-change", detail: "no test file changed" });
  });

  it("skips a PR that changes only tests", async () => {
    const result = await scenarioFromPullRequest(options({ headSha: shas.testsOnly! }));
    expect(result).toEqual({ kind: "skip", reason: "no-source-change", detail: "no source file changed" });
  });

  it("skips a PR that changes a lockfile, or is larger than the limits, before any proof", async () => {
    expect(await scenarioFromPullRequest(options({ headSha: shas.lockfile! }))).toEqual({
      kind: "skip",
      reason: "dependency-change",
      detail: "package-lock.json",
    });
    const small = { ...config, limits: { ...config.limits, max_changed_lines: 1 } };
    expect(await scenarioFromPullRequest(options({ config: small }))).toEqual({
      kind: "skip",
      reason: "too-large",
      detail: "3 changed source lines (limit 1)",
    });
  });

  it("gives the proof's skip reason for a PR whose tests do not fail before it", async () => {
    const result = await scenarioFromPullRequest(options({ headSha: shas.noF2p! }));
    expect(result).toEqual({
      kind: "skip",
      reason: "no-fail-to-pass",
      detail: "every test had the same result before and after",
    });
  });

  it("judges a PR by the base commit's config when none is given", async () => {
    const { config: _, ...rest } = options({});
    await repo.commit("Configure repogym", { ".repogym/config.yml": "limits:\n  max_changed_lines: 1\n" });
    const base = repo.head();
    try {
      expect(await scenarioFromPullRequest({ ...rest, baseSha: base })).toMatchObject({
        kind: "skip",
        reason: "too-large",
      });
    } finally {
      repo.git("reset", "-q", "--hard", shas.docs!);
    }
  });

  it("throws a clear error for bad input", async () => {
    await expect(scenarioFromPullRequest(options({ headSha: "f".repeat(40) }))).rejects.toThrow(
      /head commit "f{40}" is not in .*fetch-depth: 0/,
    );
    await expect(scenarioFromPullRequest(options({ baseSha: "--output=x" }))).rejects.toBeInstanceOf(
      GitError,
    );
    await expect(scenarioFromPullRequest(options({ number: 0 }))).rejects.toBeInstanceOf(ConfigError);
    await expect(scenarioFromPullRequest(options({ repoName: "no-slash" }))).rejects.toBeInstanceOf(
      ConfigError,
    );
  });
});

describe("triagePullRequestPaths", () => {
  it("accepts a PR that changes source and a runnable test", () => {
    expect(triagePullRequestPaths(["src/a.js", "test/a.test.js", "README.md"])).toEqual({
      worth: true,
      sourceFiles: ["src/a.js"],
      testFiles: ["test/a.test.js"],
      runnableTests: ["test/a.test.js"],
    });
  });

  it("uses the miner's reasons", () => {
    expect(triagePullRequestPaths(["src/a.js", "docs/x.md"])).toEqual({
      worth: false,
      reason: "no-test-change",
      detail: "no test file changed",
    });
    expect(triagePullRequestPaths(["test/a.test.js"])).toMatchObject({
      worth: false,
      reason: "no-source-change",
    });
    expect(triagePullRequestPaths([])).toMatchObject({ worth: false, reason: "no-source-change" });
    expect(triagePullRequestPaths(["src/a.js", "test/a.test.js", "pnpm-lock.yaml"])).toEqual({
      worth: false,
      reason: "dependency-change",
      detail: "pnpm-lock.yaml",
    });
    expect(triagePullRequestPaths(["src/a.js", "test/fixtures/data.json"])).toMatchObject({
      worth: false,
      reason: "no-runnable-test",
    });
    expect(triagePullRequestPaths(["src/a.js", { path: "test/a.test.js", deleted: true }])).toMatchObject({
      worth: false,
      reason: "no-runnable-test",
    });
  });

  it("follows the config's paths and limits", () => {
    const config = defaultConfig();
    const paths = { ...config.paths, source: ["lib/**"] };
    expect(triagePullRequestPaths(["src/a.js", "test/a.test.js"], { ...config, paths })).toMatchObject({
      worth: false,
      reason: "no-source-change",
    });
    const limits = { ...config.limits, max_source_files: 1 };
    expect(
      triagePullRequestPaths(["src/a.js", "src/b.js", "test/a.test.js"], { ...config, limits }),
    ).toMatchObject({ worth: false, reason: "too-large" });
  });
});

describe("pullRequestMessage", () => {
  it("joins title and body, dropping template comments and carriage returns", () => {
    expect(pullRequestMessage("  Fix\n it ", "<!-- template -->\r\nBody\r\n")).toBe("Fix it\n\nBody");
    expect(pullRequestMessage("Fix it", null)).toBe("Fix it");
    expect(pullRequestMessage("Fix it", "<!-- only a template")).toBe("Fix it");
  });
});
