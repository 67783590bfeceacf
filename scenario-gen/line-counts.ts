import { streamGit } from "../core/git-stream.js";

export interface LineCount {
  /** Lines added and removed; null for binary files. */
  added: number | null;
  removed: number | null;
  binary: boolean;
}

/** path -> line count, for one commit against its first parent. */
export type CommitLineCounts = Map<string, LineCount>;

/**
 * Line counts for many commits from ONE `git diff-tree --stdin` process. Counting lines means
 * diffing blobs, which costs several times a whole history walk, so it runs only for the
 * commits that are already candidates.
 */
export async function countChangedLines(
  repo: string,
  commits: ReadonlyArray<{ sha: string; parents: string[] }>,
): Promise<Map<string, CommitLineCounts>> {
  const result = new Map<string, CommitLineCounts>();
  if (commits.length === 0) return result;
  const args = [
    "-c",
    "core.quotepath=off",
    "diff-tree",
    "--stdin",
    "-z",
    "-r",
    "--numstat",
    "--no-renames",
    "--no-ext-diff",
  ];
  // "<commit> <first parent>" diffs a merge against its first parent, like the scan does.
  const input = commits.map((c) => `${c.sha}${c.parents[0] ? ` ${c.parents[0]}` : ""}\n`).join("");
  let current: CommitLineCounts | undefined;
  for await (const raw of streamGit(repo, args, { separator: "\0", input })) {
    const token = raw.replace(/^\n+/, "");
    if (token === "") continue;
    const numstat = /^(\d+|-)\t(\d+|-)\t(.*)$/s.exec(token);
    if (!numstat) {
      // A commit header: the sha diff-tree is about to describe.
      current = new Map();
      result.set(token.trim(), current);
      continue;
    }
    const binary = numstat[1] === "-";
    current?.set(numstat[3]!, {
      added: binary ? null : Number(numstat[1]),
      removed: binary ? null : Number(numstat[2]),
      binary,
    });
  }
  return result;
}
