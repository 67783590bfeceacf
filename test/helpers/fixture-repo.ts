import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repogym checkout (where its own node_modules, with every test framework, lives). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export type FileTree = Record<string, string | null>;

/** A temporary directory removed by `await using`. */
export async function tempDir(prefix = "repogym-test-"): Promise<AsyncDisposable & { path: string }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return {
    path,
    async [Symbol.asyncDispose]() {
      await rm(path, { recursive: true, force: true });
    },
  };
}

/** Writes files (null deletes) under root, creating folders. */
export async function writeTree(root: string, files: FileTree): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    if (content === null) {
      await rm(full, { force: true });
    } else {
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, content);
    }
  }
}

/** Links the project's own node_modules into root, so fixtures run the real frameworks. */
export async function linkNodeModules(root: string): Promise<void> {
  await symlink(join(PROJECT_ROOT, "node_modules"), join(root, "node_modules"), "dir");
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: "Fixture Author",
  GIT_AUTHOR_EMAIL: "author@example.com",
  GIT_COMMITTER_NAME: "Fixture Author",
  GIT_COMMITTER_EMAIL: "author@example.com",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
};

/**
 * A git repository built commit by commit in a temporary directory. Dates advance one hour
 * per commit from a fixed start, so hashes are reproducible.
 */
export class FixtureRepo implements AsyncDisposable {
  private clock = Date.UTC(2024, 0, 1);
  private constructor(readonly path: string) {}

  static async create(options: { branch?: string } = {}): Promise<FixtureRepo> {
    const path = await mkdtemp(join(tmpdir(), "repogym-repo-"));
    const repo = new FixtureRepo(path);
    repo.git("init", "-q", "-b", options.branch ?? "main");
    return repo;
  }

  git(...args: string[]): string {
    return execFileSync("git", args, {
      cwd: this.path,
      env: { ...process.env, ...GIT_ENV },
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    });
  }

  /** Writes the files (null deletes) and commits them; returns the new commit's sha. */
  async commit(message: string, files: FileTree): Promise<string> {
    await writeTree(this.path, files);
    this.clock += 3_600_000;
    const date = new Date(this.clock).toISOString();
    execFileSync("git", ["add", "-A"], { cwd: this.path, env: { ...process.env, ...GIT_ENV } });
    execFileSync("git", ["commit", "-q", "--allow-empty", "-m", message], {
      cwd: this.path,
      env: { ...process.env, ...GIT_ENV, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
    });
    return this.head();
  }

  head(): string {
    return this.git("rev-parse", "HEAD").trim();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await rm(this.path, { recursive: true, force: true });
  }
}
