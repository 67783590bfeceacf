import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { StringDecoder } from "node:string_decoder";
import { GitError } from "../core/errors.js";

export type ChangeStatus = "A" | "M" | "D" | "T";

export interface ChangedFile {
  path: string;
  status: ChangeStatus;
  /** Lines added and removed; null for binary files. */
  added: number | null;
  removed: number | null;
  binary: boolean;
  /** The path was not valid UTF-8 (shown with replacement characters). */
  nonUtf8: boolean;
  /** Gitlinks (submodules) and symlinks are not ordinary files. */
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
  /**
   * Which commits get line counts (`added`, `removed`, `binary`); the others keep `null` and
   * `binary: false`. Counting means diffing every changed blob, which costs several times the
   * rest of the walk, so a caller that needs counts only for some commits (the candidates)
   * passes a predicate: it sees the record without counts, and the chosen commits are diffed
   * by one `git diff-tree --stdin` running beside the walk. Default: every commit.
   */
  lineCounts?: boolean | ((commit: CommitRecord) => boolean);
}

const RECORD = "\x1e";
const FIELD = "\x1f";

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
  if (options.lineCounts === undefined || options.lineCounts === true) args.push("--numstat");
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
  const tail = fields.slice(7).join(FIELD);
  const tokens = tail.split("\0");
  const byPath = new Map<string, ChangedFile>();
  const files: ChangedFile[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!.replace(/^\n+/, "");
    if (token === "") continue;
    if (token.startsWith(":")) {
      // :<old mode> <new mode> <old sha> <new sha> <status>, then the path as its own token.
      const parts = token.slice(1).split(" ");
      const path = tokens[++i] ?? "";
      const status = (parts[4] ?? "M").charAt(0) as ChangeStatus;
      const mode = status === "D" ? (parts[0] ?? "") : (parts[1] ?? "");
      const file: ChangedFile = {
        path,
        status,
        added: null,
        removed: null,
        binary: false,
        nonUtf8: path.includes("\uFFFD"),
        mode,
      };
      files.push(file);
      byPath.set(path, file);
      continue;
    }
    applyNumstat(byPath, token);
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

/** Fills a file's line counts from one `-z --numstat` token (`added\tremoved\tpath`). */
function applyNumstat(byPath: Map<string, ChangedFile>, token: string): void {
  const numstat = /^(\d+|-)\t(\d+|-)\t(.*)$/s.exec(token);
  if (!numstat) return;
  const file = byPath.get(numstat[3]!);
  if (!file) return;
  file.binary = numstat[1] === "-";
  file.added = file.binary ? null : Number(numstat[1]);
  file.removed = file.binary ? null : Number(numstat[2]);
}

/** Commits held back at most while their line counts are on the way. */
const MAX_PENDING = 2000;

interface PendingCommit {
  record: CommitRecord;
  /** Set while the commit waits for its line counts. */
  counted?: Promise<void>;
  done: boolean;
}

/**
 * Line counts for chosen commits from one `git diff-tree --stdin -z --numstat` process:
 * commits go in as `<sha> <first parent>` lines and come back, in the same order, as a
 * header (`--always` prints it even for an empty diff) followed by numstat tokens.
 */
class LineCounter {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly queue: Array<{ pending: PendingCommit; resolve: () => void; reject: (e: Error) => void }> =
    [];
  private current:
    | { pending: PendingCommit; resolve: () => void; byPath: Map<string, ChangedFile> }
    | undefined;
  private readonly decoder = new StringDecoder("utf8");
  private buffer = "";
  private stderr = "";
  readonly exited: Promise<void>;
  readonly args = [
    "-c",
    "core.quotepath=off",
    "diff-tree",
    "--stdin",
    "-z",
    "--no-renames",
    "--no-ext-diff",
    "--numstat",
    "--always",
  ];

  constructor(repo: string) {
    this.child = spawn("git", this.args, { cwd: repo, stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdin.on("error", () => {});
    this.child.stderr.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.child.stdout.on("data", (chunk: Buffer) => this.read(this.decoder.write(chunk)));
    this.exited = new Promise((resolve, reject) => {
      this.child.on("error", reject);
      this.child.on("close", (code) => {
        this.read(`${this.decoder.end()}\0`);
        this.finishCurrent();
        const error = new GitError(
          `git diff-tree failed: ${this.stderr.trim() || `exit code ${code}`}`,
          `git ${this.args.join(" ")}`,
          this.stderr,
        );
        for (const waiting of this.queue.splice(0)) waiting.reject(error);
        if (code === 0) resolve();
        else reject(error);
      });
    });
    // Rejections are delivered to the waiting commits and to whoever awaits `exited`.
    this.exited.catch(() => {});
  }

  count(record: CommitRecord): PendingCommit {
    const pending: PendingCommit = { record, done: false };
    pending.counted = new Promise<void>((resolve, reject) => {
      this.queue.push({ pending, resolve, reject });
    });
    pending.counted.catch(() => {});
    this.child.stdin.write(`${record.sha} ${record.parents[0]}\n`);
    return pending;
  }

  end(): void {
    this.child.stdin.end();
  }

  kill(): void {
    this.child.kill("SIGTERM");
  }

  private read(text: string): void {
    this.buffer += text;
    let end = this.buffer.indexOf("\0");
    let start = 0;
    while (end !== -1) {
      const token = this.buffer.slice(start, end).replace(/^\n+/, "");
      start = end + 1;
      end = this.buffer.indexOf("\0", start);
      if (token === "") continue;
      if (!token.includes("\t")) {
        this.finishCurrent();
        const next = this.queue.shift();
        if (!next || next.pending.record.sha !== token.trim()) {
          next?.reject(new GitError(`git diff-tree answered ${token.trim()} out of order`));
          continue;
        }
        const byPath = new Map(next.pending.record.files.map((f) => [f.path, f]));
        this.current = { pending: next.pending, resolve: next.resolve, byPath };
      } else if (this.current) {
        applyNumstat(this.current.byPath, token);
      }
    }
    this.buffer = this.buffer.slice(start);
  }

  private finishCurrent(): void {
    if (!this.current) return;
    this.current.pending.done = true;
    this.current.resolve();
    this.current = undefined;
  }
}

/**
 * Streams the history as parsed commits from ONE `git log` process, newest first (plus one
 * `git diff-tree` beside it when `lineCounts` is a predicate). Stopping the iteration early
 * (break) kills git, so scanning for the newest N candidates is cheap on a long history.
 */
export async function* scanHistory(repo: string, options: ScanOptions = {}): AsyncGenerator<CommitRecord> {
  const args = scanArgs(options);
  const wanted = typeof options.lineCounts === "function" ? options.lineCounts : undefined;
  const child = spawn("git", args, { cwd: repo, stdio: ["ignore", "pipe", "pipe"] });
  const counter = wanted ? new LineCounter(repo) : undefined;
  const decoder = new StringDecoder("utf8");
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve(code));
  });
  // Commits leave in history order; one waiting for its counts holds back those behind it.
  const pending: PendingCommit[] = [];
  const enqueue = (record: CommitRecord) => {
    const needsCounts = counter !== undefined && record.parents.length > 0 && wanted!(record);
    pending.push(needsCounts ? counter.count(record) : { record, done: true });
  };
  let buffer = "";
  let finished = false;
  try {
    for await (const chunk of child.stdout) {
      buffer += decoder.write(chunk as Buffer);
      let start = 0;
      let end = buffer.indexOf(RECORD, 1);
      while (end !== -1) {
        enqueue(parseRecord(buffer.slice(start + 1, end)));
        start = end;
        end = buffer.indexOf(RECORD, start + 1);
      }
      buffer = buffer.slice(start);
      while (pending.length > 0 && pending[0]!.done) yield pending.shift()!.record;
      // git log outruns the line counter; past a bound, wait for it instead of holding the history.
      while (pending.length > MAX_PENDING) {
        const next = pending.shift()!;
        await next.counted;
        yield next.record;
      }
    }
    buffer += decoder.end();
    if (buffer.startsWith(RECORD)) enqueue(parseRecord(buffer.slice(1)));
    counter?.end();
    while (pending.length > 0) {
      const next = pending.shift()!;
      await next.counted;
      yield next.record;
    }
    finished = true;
  } finally {
    if (!finished) {
      child.kill("SIGTERM");
      counter?.kill();
    }
  }
  const code = await exited;
  if (code !== 0) {
    throw new GitError(
      `git log failed: ${stderr.trim() || `exit code ${code}`}`,
      `git ${args.join(" ")}`,
      stderr,
    );
  }
  await counter?.exited;
}
