import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repogym } from "../helpers/cli.js";
import { FixtureRepo, tempDir } from "../helpers/fixture-repo.js";

describe("repogym CLI (built)", () => {
  it("prints one clear line for a folder that is not a repository", async () => {
    await using dir = await tempDir();
    const result = await repogym(["mine", dir.path], dir.path);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toEqual([
      `repogym: ${dir.path} is not a git repository (run repogym inside a clone, or pass its path)`,
    ]);
  });

  it("rejects a bad number with the flag's name", async () => {
    await using dir = await tempDir();
    const result = await repogym(["mine", ".", "--max", "zero"], dir.path);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("--max");
    expect(result.stderr).toContain("positive whole number");
  });

  it("names the config file and field when the config is malformed", async () => {
    await using repo = await FixtureRepo.create();
    await repo.commit("init", { "a.js": "1\n" });
    await mkdir(join(repo.path, ".repogym"), { recursive: true });
    await writeFile(join(repo.path, ".repogym", "config.yml"), "validation:\n  runs: many\n");
    const result = await repogym(["mine", "--dry-run"], repo.path);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(join(repo.path, ".repogym", "config.yml"));
    expect(result.stderr).toContain("validation.runs");
  });

  it("lists candidates and skip reasons as JSON in a dry run", async () => {
    await using repo = await FixtureRepo.create();
    await repo.commit("init", { "src/a.js": "1\n", "test/a.test.js": "t\n" });
    const fix = await repo.commit("fix", { "src/a.js": "2\n", "test/a.test.js": "t2\n" });
    await repo.commit("docs", { "README.md": "x\n" });
    const result = await repogym(["mine", "--dry-run", "--json"], repo.path);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.candidates.map((c: { sha: string }) => c.sha)).toEqual([fix]);
    expect(summary.skipsByReason).toEqual({ "no-source-change": 1, "root-commit": 1 });
  });

  it("prints a summary table in a dry run", async () => {
    await using repo = await FixtureRepo.create();
    await repo.commit("init", { "src/a.js": "1\n" });
    await repo.commit("fix", { "src/a.js": "2\n", "test/a.test.js": "t2\n" });
    const result = await repogym(["mine", "--dry-run"], repo.path);
    expect(result.stdout).toMatch(/commits scanned\s+2/);
    expect(result.stdout).toMatch(/candidates\s+1/);
    expect(result.stdout).toContain("root-commit");
  });

  it("refuses an output folder it cannot write before doing any work", async () => {
    await using repo = await FixtureRepo.create();
    await repo.commit("init", { "a.js": "1\n" });
    await writeFile(join(repo.path, "not-a-dir"), "x");
    const result = await repogym(["mine", "--out", "not-a-dir"], repo.path);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain(`${join(repo.path, "not-a-dir")}: cannot write scenarios here`);
  });

  it("says when a suite has no scenarios", async () => {
    await using dir = await tempDir();
    const result = await repogym(["validate", dir.path], dir.path);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no scenarios found");
  });
});
