import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { GitError } from "../core/errors.js";
import { Git } from "../core/git.js";

export interface TreePatch {
  patch: string;
  /** Names the patch in errors, e.g. "the test patch". */
  label: string;
}

/**
 * Writes the tree of `rev`, with `patches` applied, into `dir` as plain files with no `.git`.
 * The patches are applied to a throwaway index (`git apply --cached`) before anything is
 * checked out, so they meet the blobs exactly as committed; checkout then applies the
 * repository's attributes (line endings, filters) to the result, as a clone would. New blobs go
 * to a throwaway object folder that borrows the repository's objects, so nothing is written
 * into the repository itself. A patch that does not apply fails with a GitError naming it.
 */
export async function extractTree(
  repo: string,
  rev: string,
  dir: string,
  patches: TreePatch[] = [],
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const scratch = await mkdtemp(join(tmpdir(), "repogym-index-"));
  const git = new Git(repo);
  try {
    const objects = (await git.run(["rev-parse", "--path-format=absolute", "--git-path", "objects"])).trim();
    await mkdir(join(scratch, "objects", "pack"), { recursive: true });
    const env = {
      GIT_INDEX_FILE: join(scratch, "index"),
      GIT_OBJECT_DIRECTORY: join(scratch, "objects"),
      GIT_ALTERNATE_OBJECT_DIRECTORIES: objects,
    };
    await git.run(["read-tree", rev], { env });
    for (const { patch, label } of patches) {
      if (patch.trim() === "") continue;
      try {
        await git.run(["apply", "--cached", "--binary", "--whitespace=nowarn", "-"], { input: patch, env });
      } catch (error) {
        const detail = error instanceof GitError ? (error.stderr ?? error.message) : String(error);
        throw new GitError(`${label} does not apply: ${detail.split("\n")[0]}`);
      }
    }
    const prefix = dir.endsWith("/") ? dir : `${dir}/`;
    await git.run(["checkout-index", "--all", "--force", `--prefix=${prefix}`], { env });
  } finally {
    await rm(scratch, { recursive: true, force: true });
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
