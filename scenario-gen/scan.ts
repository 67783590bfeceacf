import { GitError } from "../core/errors.js";
import { streamGit } from "../core/git-stream.js";

export type ChangeStatus = "A" | "M" | "D" | "T";

export interface ChangedFile {
  path: string;
  status: ChangeStatus;
  /** The path was not valid UTF-8 (shown with replacement characters). */
  nonUtf8: boolean;
  /** File mode after the change (before it, for deletions): 160000 is a submodule, 120000 a symlink. */
  mode: string;
}

export interface CommitRecord {
  sha: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  authorDate: string;
  committerDate: string;
  message: string;
  /** Changes against the first parent. */
  files: ChangedFile[];
}

export interface ScanOptions {
  /** Revision to walk from; default HEAD. */
  rev?: string;
  since?: string;
  until?: string;
  /** Every non-merge commit instead of the first-parent history. */
  allCommits?: boolean;
}

const RECORD = "\x1e";
const FIELD = "\x1f";

/**
 * `--raw` names every changed path without diffing any blob, so the walk costs what a bare
 * `git log --name-status` costs. Line counts, which need blob diffs, are taken later and only
 * for candidates (see line-counts.ts).
 */
export function scanArgs(options: ScanOptions): string[] {
  const args = [
    "-c",
    "core.quotepath=off",
    "log",
    "-z",
    "--no-renames",
    "--no-color",
    "--no-ext-diff",
    `--format=${RECORD}%H${FIELD}%P${FIELD}%an${FIELD}%ae${FIELD}%aI${FIELD}%cI${FIELD}%B${FIELD}`,
    "--raw",
  ];
  // First-parent walks show a merge's diff against its first parent: the whole PR as one change.
  args.push(...(options.allCommits ? ["--no-merges"] : ["--first-parent", "--diff-merges=first-parent"]));
  if (options.since) args.push(`--since=${options.since}`);
  if (options.until) args.push(`--until=${options.until}`);
  // A revision is never read as an option, whatever it starts with.
  args.push("--end-of-options", options.rev ?? "HEAD");
  return args;
}

/** Parses one commit record (the text between two record separators). */
export function parseRecord(record: string): CommitRecord {
  const fields = record.split(FIELD);
  if (fields.length < 8)
    throw new GitError(`unexpected git log record: ${JSON.stringify(record.slice(0, 120))}`);
  const [sha, parents, authorName, authorEmail, authorDate, committerDate, message] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const files = parseRawFiles(fields.slice(7).join(FIELD));
  return {
    sha: sha.trim(),
    parents: parents.trim() === "" ? [] : parents.trim().split(" "),
    authorName,
    authorEmail,
    authorDate,
    committerDate,
    message: message.trim(),
    files,
  };
}

/** The changed files of `--raw -z` output (`git log`, `git diff-tree`), as the scan records them. */
export function parseRawFiles(raw: string): ChangedFile[] {
  const tokens = raw.split("\0");
  const files: ChangedFile[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!.replace(/^\n+/, "");
    if (!token.startsWith(":")) continue;
    // :<old mode> <new mode> <old sha> <new sha> <status>, then the path as its own token.
    const parts = token.slice(1).split(" ");
    const path = tokens[++i] ?? "";
    const status = (parts[4] ?? "M").charAt(0) as ChangeStatus;
    const mode = status === "D" ? (parts[0] ?? "") : (parts[1] ?? "");
    files.push({ path, status, nonUtf8: path.includes("\uFFFD"), mode });
  }
  return files;
}

/**
 * Streams the history as parsed commits from ONE `git log` process, newest first. Stopping
 * the iteration early (break) kills git, so scanning for the newest N candidates is cheap
 * on a long history.
 */
export async function* scanHistory(repo: string, options: ScanOptions = {}): AsyncGenerator<CommitRecord> {
  for await (const record of streamGit(repo, scanArgs(options), { separator: RECORD })) {
    yield parseRecord(record);
  }
}
