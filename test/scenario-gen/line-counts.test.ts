import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../core/config.js";
import { checkCandidateSize, classifyCommit } from "../../scenario-gen/candidates.js";
import { createClassifier } from "../../scenario-gen/classify.js";
import { countChangedLines } from "../../scenario-gen/line-counts.js";
import { type CommitRecord, scanHistory } from "../../scenario-gen/scan.js";
import { FixtureRepo } from "../helpers/fixture-repo.js";

async function commitsOf(repo: string): Promise<CommitRecord[]> {
  const out: CommitRecord[] = [];
  for await (const c of scanHistory(repo)) out.push(c);
  return out;
}

describe("countChangedLines", () => {
  it("counts lines per file for many commits in one pass, binaries without counts", async () => {
    await using repo = await FixtureRepo.create();
    await repo.commit("init", { "src/a.js": "1\n" });
    const fix = await repo.commit("fix", { "src/a.js": "2\n3\n", "test/a.test.js": "t\n" });
    await writeFile(join(repo.path, "src", "blob.js"), Buffer.from([0, 1, 2, 0, 255]));
    const bin = await repo.commit("binary", { "test/b.test.js": "t\n" });
    const counts = await countChangedLines(
      repo.path,
      (await commitsOf(repo.path)).filter((c) => c.parents.length > 0),
    );
    expect(Object.fromEntries(counts.get(fix)!)).toEqual({
      "src/a.js": { added: 2, removed: 1, binary: false },
      "test/a.test.js": { added: 1, removed: 0, binary: false },
    });
    expect(counts.get(bin)!.get("src/blob.js")).toEqual({ added: null, removed: null, binary: true });
  });

  it("counts a merge against its first parent", async () => {
    await using repo = await FixtureRepo.create();
    await repo.commit("init", { "src/a.js": "1\n" });
    repo.git("checkout", "-q", "-b", "topic");
    await repo.commit("t", { "test/a.test.js": "t\n" });
    await repo.commit("s", { "src/a.js": "2\n" });
    repo.git("checkout", "-q", "main");
    await repo.commit("other", { "README.md": "r\n" });
    repo.git("merge", "-q", "--no-ff", "topic", "-m", "Merge");
    const [merge] = await commitsOf(repo.path);
    const counts = await countChangedLines(repo.path, [merge!]);
    expect([...counts.get(merge!.sha)!.keys()].sort()).toEqual(["src/a.js", "test/a.test.js"]);
  });

  it("sizes candidates: binary-only and too many changed lines are skipped", async () => {
    await using repo = await FixtureRepo.create();
    await repo.commit("init", { "src/a.js": "1\n" });
    await repo.commit("big", { "src/a.js": "x\n".repeat(50), "test/a.test.js": "t\n" });
    await writeFile(join(repo.path, "src", "a.js"), Buffer.from([0, 1, 2, 0, 255]));
    await repo.commit("bin", { "test/a.test.js": "t2\n" });
    await repo.commit("small", { "src/b.js": "ok\n", "test/a.test.js": "t3\n" });
    const config = defaultConfig();
    const limits = { ...config.limits, max_changed_lines: 20 };
    const classifier = createClassifier(config.paths);
    const commits = (await commitsOf(repo.path)).filter((c) => c.parents.length > 0);
    const counts = await countChangedLines(repo.path, commits);
    const verdicts = commits.map((commit) => {
      const result = classifyCommit(commit, classifier, limits);
      if (result.kind !== "candidate") throw new Error(`expected a candidate: ${commit.message}`);
      return [commit.message, checkCandidateSize(result.candidate, counts.get(commit.sha), limits)?.reason];
    });
    expect(verdicts).toEqual([
      ["small", undefined],
      ["bin", "binary-only"],
      ["big", "too-large"],
    ]);
  });
});
