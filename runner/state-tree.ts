import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { GitError } from "../core/errors.js";
import { Git } from "../core/git.js";

/**
 * Writes the tree of `rev` into `dir` as plain files, with no `.git`: a throwaway index is
 * filled from the commit and checked out with a path prefix. One state is two git processes
 * and shares nothing with the repository's own work tree or index.
 */
export async function extractTree(repo: string, rev: string, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const indexDir = await mkdtemp(join(tmpdir(), "repogym-index-"));
  const git = new Git(repo);
  const env = { GIT_INDEX_FILE: join(indexDir, "index") };
  try {
    await git.run(["read-tree", rev], { env });
    const prefix = dir.endsWith("/") ? dir : `${dir}/`;
    await git.run(["checkout-index", "--all", "--force", `--prefix=${prefix}`], { env });
  } finally {
    await rm(indexDir, { recursive: true, force: true });
  }
}

/**
 * Applies a patch to the plain files in `dir`. Fails with GitError (naming the patch) when it
 * does not apply cleanly. Git must not mistake a repository above `dir` for the target.
 */
export async function applyPatch(dir: string, patch: string, label: string): Promise<void> {
  if (patch.trim() === "") return;
  const git = new Git(dir);
  try {
    await git.run(["apply", "--whitespace=nowarn", "--binary", "-"], {
      input: patch,
      env: { GIT_CEILING_DIRECTORIES: dirname(dir), GIT_DIR: join(dir, ".no-git") },
    });
  } catch (error) {
    const detail = error instanceof GitError ? (error.stderr ?? error.message) : String(error);
    throw new GitError(`${label} does not apply: ${detail.split("\n")[0]}`);
  }
}
