/**
 * The bundled sample repository that `repogym demo` mines: spanlet, a small duration
 * parser/formatter tested with node:test. Its history is stored as `git format-patch`
 * patches plus a manifest (examples/sample-lib/history.json) and replayed here into a real
 * repository whose HEAD sha is the same on every build: authors and author dates come from
 * the patches, the committer identity is fixed, committer dates equal author dates, and
 * merges use the manifest's author and date. Nothing from the user's git config leaks in.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, GitError } from "../core/errors.js";

/** Who commits every replayed commit (authors come from the patches). */
export const SAMPLE_COMMITTER = { name: "repogym sample", email: "sample@repogym.invalid" } as const;

export interface PatchStep {
  /** A file in examples/sample-lib/patches, applied on the default branch. */
  patch: string;
  /** The commit is a bug fix whose tests fail on its parent's source. */
  fix?: boolean;
}

export interface MergeStep {
  merge: {
    /** Branch cut from the default branch; the patches land on it, then it is merged with --no-ff. */
    branch: string;
    patches: string[];
    message: string;
    /** Author and committer date of the merge commit (ISO 8601 with offset). */
    date: string;
    /** "Name <email>" of whoever merged; defaults to the committer. */
    author?: string;
  };
  fix?: boolean;
}

export type HistoryStep = PatchStep | MergeStep;

export interface SampleHistory {
  name: string;
  defaultBranch: string;
  steps: HistoryStep[];
}

export interface SampleRepo {
  path: string;
  head: string;
}

/**
 * The examples/sample-lib folder. Found by walking up from this module, so it works from the
 * source (examples/sample-repo.ts) and compiled (dist/examples/sample-repo.js) alike.
 */
export function sampleLibDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "examples", "sample-lib");
    if (existsSync(join(candidate, "history.json"))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new ConfigError(
        `cannot find examples/sample-lib/history.json in any folder above ${fileURLToPath(import.meta.url)}`,
      );
    }
    dir = parent;
  }
}

/** Reads and checks examples/sample-lib/history.json. */
export async function readSampleHistory(libDir = sampleLibDir()): Promise<SampleHistory> {
  const file = join(libDir, "history.json");
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new ConfigError(`cannot read the history manifest: ${(error as Error).message}`, file);
  }
  if (!isRecord(data) || !Array.isArray(data.steps)) {
    throw new ConfigError("expected an object with a steps array", file);
  }
  if (typeof data.name !== "string" || typeof data.defaultBranch !== "string") {
    throw new ConfigError("expected string fields name and defaultBranch", file);
  }
  const patches = new Set(await readdir(join(libDir, "patches")));
  const checkPatch = (name: unknown, where: string): void => {
    if (typeof name !== "string" || !patches.has(name)) {
      throw new ConfigError(`patch ${JSON.stringify(name)} is not in ${join(libDir, "patches")}`, where);
    }
  };
  data.steps.forEach((step: unknown, index: number) => {
    const where = `${file}: steps[${index}]`;
    if (!isRecord(step)) throw new ConfigError("expected an object", where);
    if (step.fix !== undefined && typeof step.fix !== "boolean") {
      throw new ConfigError("fix must be a boolean", where);
    }
    if ("patch" in step) {
      checkPatch(step.patch, where);
    } else if (isRecord(step.merge)) {
      const merge = step.merge;
      if (typeof merge.branch !== "string" || !/^[\w.-]+$/.test(merge.branch)) {
        throw new ConfigError("merge.branch must be a simple branch name", where);
      }
      if (!Array.isArray(merge.patches) || merge.patches.length === 0) {
        throw new ConfigError("merge.patches must be a non-empty array", where);
      }
      for (const patch of merge.patches) checkPatch(patch, `${where}.merge.patches`);
      if (typeof merge.message !== "string" || merge.message.trim() === "") {
        throw new ConfigError("merge.message must be a non-empty string", where);
      }
      if (typeof merge.date !== "string" || Number.isNaN(Date.parse(merge.date))) {
        throw new ConfigError("merge.date must be an ISO 8601 date", where);
      }
      if (merge.author !== undefined && parseIdent(merge.author) === undefined) {
        throw new ConfigError('merge.author must look like "Name <email>"', where);
      }
    } else {
      throw new ConfigError('expected a "patch" or a "merge" step', where);
    }
  });
  return data as unknown as SampleHistory;
}

/**
 * Creates the sample repository at targetDir (which must not exist or be empty) by replaying
 * the stored history. Returns the absolute path and the HEAD sha, identical on every build.
 */
export async function buildSampleRepo(targetDir: string): Promise<SampleRepo> {
  const libDir = sampleLibDir();
  const history = await readSampleHistory(libDir);
  const path = resolve(targetDir);
  await checkGit();
  await prepareTarget(path);

  const env = gitEnv();
  const git = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    runGit(args, path, { ...env, ...extraEnv });
  const patchPath = (name: string) => join(libDir, "patches", name);
  const am = (names: string[]) =>
    git(["am", "--quiet", "--committer-date-is-author-date", "--no-3way", ...names.map(patchPath)]);

  await git(["init", "--quiet", `--initial-branch=${history.defaultBranch}`]);

  let pending: string[] = [];
  const flush = async () => {
    if (pending.length > 0) await am(pending);
    pending = [];
  };
  for (const step of history.steps) {
    if ("patch" in step) {
      pending.push(step.patch);
      continue;
    }
    await flush();
    const { branch, patches, message, date, author } = step.merge;
    const ident = parseIdent(author) ?? SAMPLE_COMMITTER;
    await git(["checkout", "--quiet", "-b", branch]);
    await am(patches);
    await git(["checkout", "--quiet", history.defaultBranch]);
    await git(["merge", "--quiet", "--no-ff", "--no-edit", "-m", message, branch], {
      GIT_AUTHOR_NAME: ident.name,
      GIT_AUTHOR_EMAIL: ident.email,
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
    });
    // Like a merged pull request on GitHub: the branch is gone, its commits stay reachable.
    await git(["branch", "--quiet", "-D", branch]);
  }
  await flush();

  const head = (await git(["rev-parse", "HEAD"])).trim();
  return { path, head };
}

/** The environment every git call gets: no user or system config, fixed committer. */
function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // GIT_DIR, GIT_AUTHOR_DATE, GIT_TEMPLATE_DIR, ... from a surrounding hook or shell must not leak in.
    if (!key.startsWith("GIT_")) env[key] = value;
  }
  return {
    ...env,
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_COMMITTER_NAME: SAMPLE_COMMITTER.name,
    GIT_COMMITTER_EMAIL: SAMPLE_COMMITTER.email,
    GIT_TERMINAL_PROMPT: "0",
    LC_ALL: "C",
  };
}

function runGit(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile("git", args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const command = `git ${args.join(" ")}`;
        const detail = String(stderr).trim() || error.message;
        reject(
          new GitError(
            `building the sample repository: ${command} failed in ${cwd}: ${detail}`,
            command,
            String(stderr),
          ),
        );
        return;
      }
      resolvePromise(String(stdout));
    });
  });
}

async function checkGit(): Promise<void> {
  await new Promise<void>((resolvePromise, reject) => {
    execFile("git", ["--version"], (error) => {
      if (!error) return resolvePromise();
      const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
      reject(
        new GitError(
          missing
            ? "git is not installed or not on PATH; it is needed to build the sample repository"
            : `git --version failed: ${error.message}`,
          "git --version",
        ),
      );
    });
  });
}

async function prepareTarget(path: string): Promise<void> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (info === undefined) {
    await mkdir(path, { recursive: true });
    return;
  }
  if (!info.isDirectory()) {
    throw new ConfigError("cannot build the sample repository here: it exists and is not a directory", path);
  }
  if ((await readdir(path)).length > 0) {
    throw new ConfigError("cannot build the sample repository here: the directory is not empty", path);
  }
}

function parseIdent(value: unknown): { name: string; email: string } | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^([^<>]+?)\s*<([^<>\s]+)>$/.exec(value.trim());
  return match ? { name: match[1]!, email: match[2]! } : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
