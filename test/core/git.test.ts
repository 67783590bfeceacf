import { describe, expect, it } from "vitest";
import { GitError } from "../../core/errors.js";
import { openRepository, parseRemote } from "../../core/git.js";
import { FixtureRepo, tempDir } from "../helpers/fixture-repo.js";

describe("openRepository", () => {
  it("describes a repository with an origin", async () => {
    await using repo = await FixtureRepo.create();
    const head = await repo.commit("init", { "a.js": "1\n" });
    repo.git("remote", "add", "origin", "git@github.com:acme/widget.git");
    const info = await openRepository(repo.path);
    expect(info).toMatchObject({ slug: "acme/widget", head, webUrl: "https://github.com/acme/widget" });
  });

  it("rejects a folder that is not a repository", async () => {
    await using dir = await tempDir();
    await expect(openRepository(dir.path)).rejects.toThrow(/is not a git repository/);
  });

  it("rejects a missing path", async () => {
    await expect(openRepository("/no/such/path")).rejects.toThrow(/does not exist/);
  });

  it("rejects a repository without commits", async () => {
    await using repo = await FixtureRepo.create();
    await expect(openRepository(repo.path)).rejects.toThrow(/has no commits/);
  });

  it("rejects a shallow clone and says how to fetch the history", async () => {
    await using repo = await FixtureRepo.create();
    for (let i = 0; i < 3; i++) await repo.commit(`c${i}`, { "a.js": `${i}\n` });
    await using clone = await tempDir();
    repo.git("clone", "-q", "--depth", "1", `file://${repo.path}`, clone.path);
    const error = await openRepository(clone.path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as Error).message).toMatch(/shallow clone/);
    expect((error as Error).message).toContain("fetch-depth: 0");
  });
});

describe("parseRemote", () => {
  it.each([
    ["https://github.com/unjs/ufo.git", "unjs/ufo"],
    ["git@github.com:tj/commander.js.git", "tj/commander.js"],
    ["ssh://git@gitlab.example.com/group/sub/proj", "sub/proj"],
  ])("%s -> %s", (url, slug) => {
    expect(parseRemote(url)?.slug).toBe(slug);
  });
  it("returns undefined for a local path", () => {
    expect(parseRemote("/srv/repo")).toBeUndefined();
  });
});
