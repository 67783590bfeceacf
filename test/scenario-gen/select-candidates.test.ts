import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../core/config.js";
import { openRepository } from "../../core/git.js";
import { createClassifier } from "../../scenario-gen/classify.js";
import { selectCandidates } from "../../scenario-gen/select-candidates.js";
import { FixtureRepo } from "../helpers/fixture-repo.js";

async function select(
  repo: FixtureRepo,
  options: { max?: number; known?: string[]; maxLines?: number } = {},
) {
  const config = defaultConfig();
  if (options.maxLines) config.limits.max_changed_lines = options.maxLines;
  return selectCandidates({
    repo: await openRepository(repo.path),
    scan: {},
    config,
    classifier: createClassifier(config.paths),
    known: new Set(options.known ?? []),
    ...(options.max === undefined ? {} : { max: options.max }),
  });
}

describe("selectCandidates", () => {
  it("never gives two candidates the same id", async () => {
    await using repo = await FixtureRepo.create();
    await repo.commit("init", { "src/a.js": "0\n" });
    const older = await repo.commit("Fix a (#7)", { "src/a.js": "1\n", "test/a.test.js": "1\n" });
    const newer = await repo.commit("Fix a again (#7)", { "src/a.js": "2\n", "test/a.test.js": "2\n" });
    const { candidates } = await select(repo);
    const ids = candidates.map((c) => c.instanceId);
    expect(new Set(ids).size).toBe(2);
    expect(candidates.find((c) => c.candidate.commit.sha === newer)?.instanceId).toBe(
      `local__${repo.path.split("/").pop()}-pr7`,
    );
    expect(candidates.find((c) => c.candidate.commit.sha === older)?.instanceId).toMatch(
      new RegExp(`-${older.slice(0, 10)}$`),
    );
  });

  it("keeps walking past oversized commits until --max candidates pass the size checks", async () => {
    await using repo = await FixtureRepo.create();
    await repo.commit("init", { "src/a.js": "0\n" });
    const small = await repo.commit("small", { "src/a.js": "1\n", "test/a.test.js": "1\n" });
    await repo.commit("big", { "src/a.js": "x\n".repeat(100), "test/a.test.js": "2\n" });
    const { candidates, skipped } = await select(repo, { max: 1, maxLines: 20 });
    expect(candidates.map((c) => c.candidate.commit.sha)).toEqual([small]);
    expect(skipped.map((s) => s.reason)).toContain("too-large");
  });

  it("skips commits already in the suite", async () => {
    await using repo = await FixtureRepo.create();
    await repo.commit("init", { "src/a.js": "0\n" });
    const fix = await repo.commit("fix", { "src/a.js": "1\n", "test/a.test.js": "1\n" });
    const first = await select(repo);
    const again = await select(repo, { known: first.candidates.map((c) => c.instanceId) });
    expect(again.candidates).toEqual([]);
    expect(again.skipped.find((s) => s.sha === fix)?.reason).toBe("already-mined");
  });

  it("skips a package.json change to dependencies already while selecting, so dry runs are exact", async () => {
    await using repo = await FixtureRepo.create();
    await repo.commit("init", { "package.json": JSON.stringify({ version: "1.0.0" }), "src/a.js": "0\n" });
    const bump = await repo.commit("release", {
      "package.json": JSON.stringify({ version: "1.1.0" }),
      "src/a.js": "1\n",
      "test/a.test.js": "1\n",
    });
    const deps = await repo.commit("add dep", {
      "package.json": JSON.stringify({ version: "1.1.0", dependencies: { x: "1" } }),
      "src/a.js": "2\n",
      "test/a.test.js": "2\n",
    });
    const { candidates, skipped } = await select(repo);
    expect(candidates.map((c) => c.candidate.commit.sha)).toEqual([bump]);
    expect(skipped.find((s) => s.sha === deps)?.reason).toBe("dependency-change");
  });
});
