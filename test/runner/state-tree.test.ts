import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GitError } from "../../core/errors.js";
import { extractTree } from "../../runner/state-tree.js";
import { FixtureRepo, tempDir } from "../helpers/fixture-repo.js";

describe("extractTree", () => {
  it("writes a commit's files with patches applied, and writes nothing into the repository", async () => {
    await using repo = await FixtureRepo.create();
    const base = await repo.commit("base", { "src/a.js": "one\n", "test/a.test.js": "t\n" });
    const fix = await repo.commit("fix", {
      "src/a.js": "two\n",
      "src/new.js": "new\n",
      "test/a.test.js": null,
    });
    const patch = repo.git("diff", "--binary", "--full-index", base, fix);
    repo.git("reset", "-q", "--hard", base);
    const objectsBefore = repo.git("count-objects", "-v");
    await using out = await tempDir();
    await extractTree(repo.path, base, out.path, [{ patch, label: "the gold patch" }]);
    expect(await readFile(join(out.path, "src/a.js"), "utf8")).toBe("two\n");
    expect(await readFile(join(out.path, "src/new.js"), "utf8")).toBe("new\n");
    expect(existsSync(join(out.path, "test", "a.test.js"))).toBe(false);
    expect(await readdir(out.path)).not.toContain(".git");
    expect(repo.git("count-objects", "-v")).toBe(objectsBefore);
  });

  it("applies patches before line-ending conversion, as a clone would see the files", async () => {
    await using repo = await FixtureRepo.create();
    const base = await repo.commit("base", {
      ".gitattributes": "* text eol=crlf\n",
      "src/a.js": "one\ntwo\n",
    });
    const fix = await repo.commit("fix", { "src/a.js": "one\nthree\n" });
    const patch = repo.git("diff", "--binary", "--full-index", base, fix);
    await using out = await tempDir();
    await extractTree(repo.path, base, out.path, [{ patch, label: "the gold patch" }]);
    expect(await readFile(join(out.path, "src/a.js"), "utf8")).toBe("one\r\nthree\r\n");
  });

  it("names the patch that does not apply", async () => {
    await using repo = await FixtureRepo.create();
    const base = await repo.commit("base", { "src/a.js": "one\n" });
    const bad = "diff --git a/src/a.js b/src/a.js\n--- a/src/a.js\n+++ b/src/a.js\n@@ -1 +1 @@\n-zzz\n+two\n";
    await using out = await tempDir();
    const error = await extractTree(repo.path, base, out.path, [
      { patch: bad, label: "the test patch" },
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as Error).message).toMatch(/^the test patch does not apply: /);
  });
});
