import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../core/config.js";
import { GitError } from "../../core/errors.js";
import { classifyCommit } from "../../scenario-gen/candidates.js";
import { createClassifier } from "../../scenario-gen/classify.js";
import { type CommitRecord, scanHistory } from "../../scenario-gen/scan.js";
import { FixtureRepo, tempDir } from "../helpers/fixture-repo.js";

async function collect(
  repo: string,
  options: Parameters<typeof scanHistory>[1] = {},
): Promise<CommitRecord[]> {
  const out: CommitRecord[] = [];
  for await (const commit of scanHistory(repo, options)) out.push(commit);
  return out;
}

describe("scanHistory", () => {
  it("streams commits newest first with their changed files", async () => {
    await using repo = await FixtureRepo.create();
    const first = await repo.commit("init", { "src/a.js": "export const a = 1;\n" });
    const second = await repo.commit("Fix a\n\nLonger body.", {
      "src/a.js": "export const a = 2;\nexport const b = 3;\n",
      "test/a.test.js": "// test\n",
    });
    const commits = await collect(repo.path);
    expect(commits.map((c) => c.sha)).toEqual([second, first]);
    const [head] = commits;
    expect(head!.parents).toEqual([first]);
    expect(head!.message).toBe("Fix a\n\nLonger body.");
    expect(head!.files).toEqual([
      { path: "src/a.js", status: "M", nonUtf8: false, mode: "100644" },
      { path: "test/a.test.js", status: "A", nonUtf8: false, mode: "100644" },
    ]);
  });

  it("treats a merged branch as one change against the first parent", async () => {
    await using repo = await FixtureRepo.create();
    await repo.commit("init", { "src/a.js": "1\n" });
    repo.git("checkout", "-q", "-b", "feature");
    await repo.commit("test first", { "test/a.test.js": "t\n" });
    await repo.commit("then fix", { "src/a.js": "2\n" });
    repo.git("checkout", "-q", "main");
    await repo.commit("unrelated", { "README.md": "hi\n" });
    repo.git("merge", "-q", "--no-ff", "feature", "-m", "Merge pull request #5 from x/feature\n\nFix a");
    const firstParent = await collect(repo.path);
    expect(firstParent.map((c) => c.message.split("\n")[0])).toEqual([
      "Merge pull request #5 from x/feature",
      "unrelated",
      "init",
    ]);
    expect(firstParent[0]!.files.map((f) => f.path).sort()).toEqual(["src/a.js", "test/a.test.js"]);
    const all = await collect(repo.path, { allCommits: true });
    expect(all.map((c) => c.message.split("\n")[0]).sort()).toEqual([
      "init",
      "test first",
      "then fix",
      "unrelated",
    ]);
  });

  it("reports renames as delete plus add, and odd paths intact", async () => {
    await using repo = await FixtureRepo.create();
    await repo.commit("init", { "src/old name.js": "x\n".repeat(20) });
    repo.git("mv", "src/old name.js", "src/new\tname.js");
    await writeFile(join(repo.path, "logo.png"), Buffer.from([0, 1, 2, 3, 0, 255]));
    await repo.commit("rename", { "src/ünïcode.js": "y\n" });
    const [head] = await collect(repo.path);
    const byPath = Object.fromEntries(head!.files.map((f) => [f.path, f]));
    expect(byPath["src/old name.js"]?.status).toBe("D");
    expect(byPath["src/new\tname.js"]?.status).toBe("A");
    expect(byPath["src/ünïcode.js"]?.status).toBe("A");
    expect(byPath["logo.png"]?.status).toBe("A");
  });

  it("flags paths that are not UTF-8", async () => {
    await using repo = await FixtureRepo.create();
    await repo.commit("init", { "a.js": "1\n" });
    await writeFile(join(repo.path, Buffer.from([0x62, 0xff, 0x2e, 0x6a, 0x73]).toString("latin1")), "x\n");
    // Write a file whose name is the raw bytes 'b\xff.js'.
    execFileSync("sh", ["-c", "printf x > \"$(printf 'c\\377.js')\""], { cwd: repo.path });
    await repo.commit("odd", {});
    const [head] = await collect(repo.path);
    expect(head!.files.some((f) => f.nonUtf8)).toBe(true);
    const result = classifyCommit(head!, createClassifier(defaultConfig().paths), defaultConfig().limits);
    expect(result).toMatchObject({ kind: "skip", reason: "non-utf8-path" });
  });

  it("runs one git process however long the history", async () => {
    await using repo = await FixtureRepo.create();
    for (let i = 0; i < 30; i++)
      await repo.commit(`c${i}`, { "src/a.js": `${i}\n`, "test/a.test.js": `${i}\n` });
    // A wrapper on PATH counts git invocations.
    await using bin = await tempDir();
    const counter = join(bin.path, "count");
    const realGit = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();
    await writeFile(join(bin.path, "git"), `#!/bin/sh\necho x >> ${counter}\nexec ${realGit} "$@"\n`, {
      mode: 0o755,
    });
    const saved = process.env.PATH;
    process.env.PATH = `${bin.path}:${saved}`;
    try {
      expect(await collect(repo.path)).toHaveLength(30);
    } finally {
      process.env.PATH = saved;
    }
    expect((await readFile(counter, "utf8")).trim().split("\n")).toHaveLength(1);
  });

  it("stops git when the consumer stops early", async () => {
    await using repo = await FixtureRepo.create();
    for (let i = 0; i < 5; i++) await repo.commit(`c${i}`, { "a.js": `${i}\n` });
    const seen: string[] = [];
    for await (const commit of scanHistory(repo.path)) {
      seen.push(commit.sha);
      if (seen.length === 2) break;
    }
    expect(seen).toHaveLength(2);
  });

  it("never reads a revision as an option", async () => {
    await using repo = await FixtureRepo.create();
    await repo.commit("init", { "a.js": "1\n" });
    await using out = await tempDir();
    const target = join(out.path, "injected");
    await expect(collect(repo.path, { rev: `--output=${target}` })).rejects.toBeInstanceOf(GitError);
    expect(existsSync(target)).toBe(false);
  });

  it("fails with a GitError on a bad revision", async () => {
    await using repo = await FixtureRepo.create();
    await repo.commit("init", { "a.js": "1\n" });
    await expect(collect(repo.path, { rev: "no-such-branch" })).rejects.toBeInstanceOf(GitError);
  });
});

describe("classifyCommit", () => {
  const classifier = createClassifier(defaultConfig().paths);
  const limits = defaultConfig().limits;
  const commit = (paths: Array<[string, number?]>, parents = ["p"]): CommitRecord => ({
    sha: "s",
    parents,
    authorName: "a",
    authorEmail: "a@b",
    authorDate: "",
    committerDate: "",
    message: "m",
    files: paths.map(([path]) => ({ path, status: "M" as const, nonUtf8: false, mode: "100644" })),
  });

  it("makes a candidate of source plus runnable test", () => {
    const result = classifyCommit(
      commit([["src/a.js"], ["test/a.test.js"], ["test/fixtures/x.json"]]),
      classifier,
      limits,
    );
    expect(result.kind).toBe("candidate");
    if (result.kind === "candidate") expect(result.candidate.runnableTests).toEqual(["test/a.test.js"]);
  });

  it.each([
    [[["README.md"]], "no-source-change"],
    [[["src/a.js"]], "no-test-change"],
    [[["src/a.js"], ["test/fixtures/x.json"]], "no-runnable-test"],
    [[["src/a.js"], ["test/a.test.js"], ["package-lock.json"]], "dependency-change"],
    [[["src/a.js"], ...Array.from({ length: 11 }, (_, i) => [`test/${i}.test.js`])], "too-large"],
  ] as Array<[Array<[string, number?]>, string]>)("skips %j as %s", (paths, reason) => {
    expect(classifyCommit(commit(paths), classifier, limits)).toMatchObject({ kind: "skip", reason });
  });

  it("skips the root commit", () => {
    expect(classifyCommit(commit([["src/a.js"], ["test/a.test.js"]], []), classifier, limits)).toMatchObject({
      reason: "root-commit",
    });
  });
});
