import { spawn } from "node:child_process";
import { StringDecoder } from "node:string_decoder";
import { GitError } from "../core/errors.js";

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
  /** Extra `git log` arguments (a revision range, paths). */
  extraArgs?: string[];
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
  args.push(options.allCommits ? "--no-merges" : "--first-parent");
  if (options.since) args.push(`--since=${options.since}`);
  if (options.until) args.push(`--until=${options.until}`);
  args.push(options.rev ?? "HEAD");
  if (options.extraArgs) args.push(...options.extraArgs);
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
  const tokens = fields.slice(7).join(FIELD).split("\0");
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

/**
 * Streams the history as parsed commits from ONE `git log` process, newest first. Stopping
 * the iteration early (break) kills git, so scanning for the newest N candidates is cheap
 * on a long history.
 */
export async function* scanHistory(repo: string, options: ScanOptions = {}): AsyncGenerator<CommitRecord> {
  const args = scanArgs(options);
  const child = spawn("git", args, { cwd: repo, stdio: ["ignore", "pipe", "pipe"] });
  const decoder = new StringDecoder("utf8");
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve(code));
  });
  let buffer = "";
  let finished = false;
  try {
    for await (const chunk of child.stdout) {
      buffer += decoder.write(chunk as Buffer);
      let start = 0;
      let end = buffer.indexOf(RECORD, 1);
      while (end !== -1) {
        yield parseRecord(buffer.slice(start + 1, end));
        start = end;
        end = buffer.indexOf(RECORD, start + 1);
      }
      buffer = buffer.slice(start);
    }
    buffer += decoder.end();
    if (buffer.startsWith(RECORD)) yield parseRecord(buffer.slice(1));
    finished = true;
  } finally {
    if (!finished) child.kill("SIGTERM");
  }
  const code = await exited;
  if (code !== 0) {
    throw new GitError(
      `git log failed: ${stderr.trim() || `exit code ${code}`}`,
      `git ${args.join(" ")}`,
      stderr,
    );
  }
}
