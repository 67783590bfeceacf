import { execFile } from "node:child_process";
import { stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { GitError } from "./errors.js";

export interface GitRunOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  /** Return stdout as a Buffer (for binary content). */
  binary?: boolean;
}

/** The one adapter between repogym and a repository: git itself, run as a process. */
export class Git {
  constructor(readonly cwd: string) {}

  run(args: string[], options: GitRunOptions = {}): Promise<string> {
    return this.exec(args, options).then((out) => out.toString());
  }

  exec(args: string[], options: GitRunOptions = {}): Promise<Buffer> {
    return new Promise((resolvePromise, reject) => {
      const child = execFile(
        "git",
        args,
        {
          cwd: this.cwd,
          env: { ...process.env, GIT_TERMINAL_PROMPT: "0", ...options.env },
          encoding: "buffer",
          maxBuffer: 1024 * 1024 * 1024,
        },
        (error, stdout, stderr) => {
          if (error) {
            const text = stderr.toString().trim();
            const first = text.split("\n").find((l) => l.trim() !== "") ?? error.message;
            reject(new GitError(`git ${args[0]} failed: ${first}`, `git ${args.join(" ")}`, text));
            return;
          }
          resolvePromise(stdout);
        },
      );
      if (options.input !== undefined) {
        child.stdin?.on("error", () => {});
        child.stdin?.end(options.input);
      }
    });
  }

  async revParse(rev: string): Promise<string> {
    return (await this.run(["rev-parse", "--verify", "--quiet", `${rev}^{commit}`])).trim();
  }

  /** `git diff` between two commits, limited to paths (empty list means nothing). */
  async diff(from: string, to: string, paths: string[]): Promise<string> {
    if (paths.length === 0) return "";
    return this.run([
      "diff",
      "--binary",
      "--full-index",
      "--no-renames",
      "--no-color",
      "--no-ext-diff",
      from,
      to,
      "--",
      ...paths.map(literal),
    ]);
  }

  async showFile(rev: string, path: string): Promise<string | undefined> {
    try {
      return await this.run(["show", `${rev}:${path}`]);
    } catch {
      return undefined;
    }
  }
}

/** A pathspec that matches this exact path, whatever characters it holds. */
export function literal(path: string): string {
  return `:(literal)${path}`;
}

export interface RepositoryInfo {
  root: string;
  /** `owner/name` from the origin remote, or `local/<folder>` without one. */
  slug: string;
  head: string;
  /** Base URL for links to commits, when the remote is on a known host. */
  webUrl?: string;
}

/**
 * Checks that `path` is a usable repository for mining, with one clear error when it is not:
 * not a repository, no commits, or a shallow clone whose history is cut.
 */
export async function openRepository(path: string): Promise<RepositoryInfo> {
  const abs = resolve(path);
  try {
    await stat(abs);
  } catch {
    throw new GitError(`${abs} does not exist`);
  }
  const git = new Git(abs);
  let root: string;
  try {
    root = (await git.run(["rev-parse", "--show-toplevel"])).trim();
  } catch {
    throw new GitError(`${abs} is not a git repository (run repogym inside a clone, or pass its path)`);
  }
  const rootGit = new Git(root);
  let head: string;
  try {
    head = await rootGit.revParse("HEAD");
  } catch {
    throw new GitError(`${root} has no commits yet`);
  }
  const shallow = (await rootGit.run(["rev-parse", "--is-shallow-repository"])).trim();
  if (shallow === "true") {
    throw new GitError(
      `${root} is a shallow clone, so its history is cut. Fetch the full history first: ` +
        "`git fetch --unshallow`, or in GitHub Actions `actions/checkout` with `fetch-depth: 0`.",
    );
  }
  let remote = "";
  try {
    remote = (await rootGit.run(["config", "--get", "remote.origin.url"])).trim();
  } catch {
    // No origin: a local repository.
  }
  const parsed = parseRemote(remote);
  return {
    root,
    head,
    slug: parsed?.slug ?? `local/${sanitize(basename(root))}`,
    ...(parsed?.webUrl ? { webUrl: parsed.webUrl } : {}),
  };
}

function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "-") || "repo";
}

/** `git@github.com:o/r.git`, `https://github.com/o/r`, `ssh://...` -> owner/name and a web URL. */
export function parseRemote(url: string): { slug: string; webUrl?: string } | undefined {
  const match = /^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?([^/:]+)[:/](.+?)(?:\.git)?\/?$/.exec(url.trim());
  if (!match) return undefined;
  const parts = match[2]!.split("/").filter(Boolean);
  if (parts.length < 2) return undefined;
  const owner = sanitize(parts[parts.length - 2]!);
  const name = sanitize(parts[parts.length - 1]!);
  const host = match[1]!;
  return { slug: `${owner}/${name}`, webUrl: `https://${host}/${owner}/${name}` };
}
