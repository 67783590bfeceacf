import {
  appendFile,
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  rm,
  stat,
  utimes,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { ConfigError, GitError } from "../core/errors.js";
import { Git } from "../core/git.js";
import type { PackageManager, Scenario } from "../core/scenario.js";
import type { DependencyCache, DependencyResult } from "./dependency-cache.js";
import { runProcess } from "./process.js";
import { type SpawnSpec, testEnvironment } from "./run-tests.js";
import { extractTree } from "./state-tree.js";
import { NODE_MODULES, REPOGYM_FOLDER, removeRepogymFolders } from "./workspace-files.js";

export { type RestoreResult, restoreTests } from "./workspace-restore.js";

/** The message of a workspace's only commit. */
export const START_MESSAGE = "repogym: starting state";
export const START_BRANCH = "main";
/** Who made the starting commit, and when: the epoch, so the date says nothing about the fix. */
const START_IDENTITY = { name: "repogym", email: "repogym@localhost" };
const START_DATE = "@0 +0000";

/**
 * Ignore patterns (root-relative, gitignore syntax) for what is never part of the agent's
 * change: installed dependencies (the root one is a link into the shared cache) and any
 * repogym folder. Written to `info/exclude`, never to a `.gitignore` in the tree.
 */
export const WORKSPACE_EXCLUDES = [NODE_MODULES, `/${REPOGYM_FOLDER}`];

/**
 * One rollout's workspace: `dir` is a fresh repository whose only commit is the scenario's
 * starting state. `controlDir` is a private git directory outside the workspace holding the
 * same commit; the agent's change is read through it, because the agent may rewrite (or
 * booby-trap) the workspace's own `.git`.
 */
export interface Workspace extends AsyncDisposable {
  dir: string;
  /** The repository the scenario was mined from (the pristine test side is read from it). */
  repo: string;
  instanceId: string;
  startCommit: string;
  startTree: string;
  controlDir: string;
  /** The dependency install linked into `dir`; an `ok: false` result is an infrastructure error. */
  dependencies: DependencyResult;
}

export interface BuildWorkspaceOptions {
  repo: string;
  scenario: Scenario;
  /** Where the workspace is created; must not exist yet or be empty. */
  dir: string;
  cache: DependencyCache;
  /** Replaces the scenario's install command. */
  installCommand?: string;
  /** Replaces the scenario's package manager. */
  packageManager?: PackageManager;
  /**
   * Files laid over the starting state before its commit (the team's agent instructions from
   * a PR head, such as AGENTS.md): part of the starting state, so never part of the agent's patch.
   */
  overlay?: readonly OverlayFile[];
}

export interface OverlayFile {
  /** Relative posix path inside the repository. */
  path: string;
  content: Buffer;
}

/**
 * Writes overlay files into a freshly extracted state. A path that is absolute, climbs out,
 * reaches into .git, .repogym or node_modules, or passes through a symbolic link of the state
 * is refused: the overlay must land inside the workspace and nowhere else.
 */
export async function applyOverlay(dir: string, files: readonly OverlayFile[]): Promise<void> {
  for (const file of files) {
    const parts = file.path.split("/");
    if (
      file.path === "" ||
      file.path.startsWith("/") ||
      parts.some((p) => p === "" || p === "." || p === "..") ||
      [".git", REPOGYM_FOLDER, NODE_MODULES].includes(parts[0]!)
    ) {
      throw new ConfigError(`overlay path must be a plain relative path inside the repository`, file.path);
    }
    let current = dir;
    for (const part of parts.slice(0, -1)) {
      current = join(current, part);
      const info = await lstat(current).catch(() => undefined);
      if (info === undefined) await mkdir(current);
      else if (!info.isDirectory()) {
        throw new ConfigError(
          `overlay path passes through ${info.isSymbolicLink() ? "a symbolic link" : "a file"}`,
          file.path,
        );
      }
    }
    const target = join(dir, ...parts);
    const info = await lstat(target).catch(() => undefined);
    if (info?.isDirectory())
      throw new ConfigError("overlay path is a folder in the starting state", file.path);
    // A link in the state is replaced, never written through.
    if (info) await rm(target);
    await writeFile(target, file.content, { flag: "wx" });
  }
}

/**
 * Builds a workspace for one rollout: the scenario's base commit as plain files, the test
 * patch when the tests are visible, no `.repogym/`, committed as the only commit of a new
 * repository, then dependencies linked from the shared cache. Nothing of the source
 * repository's history (commits, tags, reflog, remotes, packs, notes, stash) is copied, so
 * nothing of it can be reached: the workspace's objects are one new pack of exactly the objects
 * its starting commit reaches. Setup commands are left to the caller (see runSetup), which
 * decides their timeout and environment.
 */
export async function buildWorkspace(options: BuildWorkspaceOptions): Promise<Workspace> {
  const dir = resolve(options.dir);
  const { scenario } = options;
  await ensureEmpty(dir);
  const controlDir = await mkdtemp(join(tmpdir(), "repogym-control-"));
  try {
    const visible = scenario.task.tests_visible
      ? [{ patch: scenario.test_patch, label: "the test patch" }]
      : [];
    await extractTree(options.repo, scenario.base_commit, dir, visible);
    await removeRepogymFolders(dir);
    if (options.overlay && options.overlay.length > 0) await applyOverlay(dir, options.overlay);

    const { startCommit, startTree, pack } = await commitStartingState(options.repo, controlDir, dir);
    await createWorkspaceRepository(dir, controlDir, startCommit, pack);
    const dependencies = await options.cache.prepare(dir, {
      installCommand: options.installCommand ?? (scenario.environment.install || undefined),
      packageManager: options.packageManager ?? scenario.environment.package_manager,
    });
    return {
      dir,
      repo: options.repo,
      instanceId: scenario.instance_id,
      startCommit,
      startTree,
      controlDir,
      dependencies,
      [Symbol.asyncDispose]: () => removeWorkspace({ dir, controlDir }),
    };
  } catch (error) {
    await removeWorkspace({ dir, controlDir });
    throw error;
  }
}

/** Removes the workspace folder and its private git directory. */
export async function removeWorkspace(workspace: Pick<Workspace, "dir" | "controlDir">): Promise<void> {
  await Promise.all([
    rm(workspace.dir, { recursive: true, force: true }),
    rm(workspace.controlDir, { recursive: true, force: true }),
  ]);
}

/**
 * The agent's change: a binary diff from the starting commit to the workspace's files as they
 * are now, new untracked files included, installed dependencies and ignored files left out.
 * It is computed in the private git directory with a throwaway index, so the agent's own
 * index, history and git config (hooks, fsmonitor, filters, diff drivers) play no part, and
 * symbolic links are recorded as links, never followed. Capture before restoreTests, which
 * rewrites the test side.
 */
export async function capturePatch(workspace: Workspace): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), "repogym-capture-"));
  try {
    const index = join(scratch, "index");
    await copyIndex(join(workspace.controlDir, "index"), index);
    const git = controlGit(workspace.controlDir, workspace.dir, { GIT_INDEX_FILE: index });
    await git.run(["add", "--all"]);
    return await git.run([
      "diff",
      "--cached",
      "--binary",
      "--full-index",
      "--no-renames",
      "--no-color",
      "--no-ext-diff",
      "--no-textconv",
      "--src-prefix=a/",
      "--dst-prefix=b/",
      workspace.startCommit,
    ]);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export interface RunSetupOptions {
  commands: string[];
  timeoutMs: number;
  /** Base environment for the commands; defaults to the test environment. */
  env?: NodeJS.ProcessEnv;
  maxOutputBytes?: number;
  /** Runs each command through a sandbox (as the scoring test run is), e.g. after an agent's change. */
  wrap?: (spawn: SpawnSpec) => { command: string; args: string[]; env?: NodeJS.ProcessEnv };
}

export type SetupResult =
  | { ok: true; durationMs: number; output: string }
  | { ok: false; command: string; reason: string; output: string; durationMs: number };

/**
 * Runs setup commands (builds) in the workspace, as mining did in each state. What they
 * create is build output, not the agent's work: new untracked paths are added to the
 * exclude lists so they stay out of `git status` and of the captured patch. Tracked files a
 * build rewrites are not hidden; they would show up as changes.
 */
export async function runSetup(workspace: Workspace, options: RunSetupOptions): Promise<SetupResult> {
  const started = performance.now();
  const base = options.env ?? testEnvironment();
  const env = { ...base, PATH: `${join(workspace.dir, NODE_MODULES, ".bin")}:${base.PATH ?? ""}` };
  const outputs: string[] = [];
  for (const command of options.commands) {
    const spawn = options.wrap
      ? options.wrap({ command: "/bin/sh", args: ["-c", command], cwd: workspace.dir, env, writable: [] })
      : { command: "/bin/sh", args: ["-c", command] };
    const result = await runProcess(spawn.command, spawn.args, {
      cwd: workspace.dir,
      env: spawn.env ?? env,
      timeoutMs: options.timeoutMs,
      maxOutputBytes: options.maxOutputBytes ?? 256 * 1024,
    });
    outputs.push(result.output);
    if (result.timedOut || result.exitCode !== 0) {
      const why = result.timedOut
        ? `timed out after ${options.timeoutMs} ms`
        : `exited with code ${result.exitCode}`;
      return {
        ok: false,
        command,
        reason: `\`${command}\` ${why}`,
        output: outputs.join(""),
        durationMs: performance.now() - started,
      };
    }
  }
  await excludeUntracked(workspace);
  return { ok: true, durationMs: performance.now() - started, output: outputs.join("") };
}

async function excludeUntracked(workspace: Workspace): Promise<void> {
  const git = controlGit(workspace.controlDir, workspace.dir);
  const listed = await git.run(["ls-files", "-z", "--others", "--directory", "--exclude-standard"]);
  const patterns = listed
    .split("\0")
    .filter((path) => path !== "" && !path.includes("\n"))
    .map(ignorePattern);
  if (patterns.length === 0) return;
  const text = `${patterns.join("\n")}\n`;
  await appendFile(join(workspace.controlDir, "info", "exclude"), text);
  await mkdir(join(workspace.dir, ".git", "info"), { recursive: true });
  await appendFile(join(workspace.dir, ".git", "info", "exclude"), text);
}

/** A gitignore pattern matching exactly this root-relative path (a trailing `/` marks a folder). */
export function ignorePattern(path: string): string {
  const folder = path.endsWith("/");
  const body = folder ? path.slice(0, -1) : path;
  return `/${body.replace(/[\\*?[\]!# ]/g, "\\$&")}${folder ? "/" : ""}`;
}

async function ensureEmpty(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  if (names.length > 0) throw new ConfigError("the workspace folder must be new or empty", dir);
}

/**
 * The environment for every git command repogym runs on a workspace: nothing inherited that
 * could redirect git (GIT_DIR, GIT_INDEX_FILE, alternates from a hook's environment), no
 * system or user configuration, attributes or ignore files, and no replace refs.
 */
function cleanGitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // Git (core/git.ts) starts from this process's environment; undefined removes a variable.
  for (const key of Object.keys(process.env)) if (key.startsWith("GIT_")) env[key] = undefined;
  return {
    ...env,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_ATTR_NOSYSTEM: "1",
    GIT_NO_REPLACE_OBJECTS: "1",
    GIT_TERMINAL_PROMPT: "0",
    ...extra,
  };
}

function startEnv(): NodeJS.ProcessEnv {
  return {
    GIT_AUTHOR_NAME: START_IDENTITY.name,
    GIT_AUTHOR_EMAIL: START_IDENTITY.email,
    GIT_AUTHOR_DATE: START_DATE,
    GIT_COMMITTER_NAME: START_IDENTITY.name,
    GIT_COMMITTER_EMAIL: START_IDENTITY.email,
    GIT_COMMITTER_DATE: START_DATE,
  };
}

/** Git on the private directory, with the workspace as its work tree. */
function controlGit(controlDir: string, dir: string, extra: NodeJS.ProcessEnv = {}) {
  const git = new Git(dir);
  const env = cleanGitEnv({ GIT_DIR: controlDir, GIT_WORK_TREE: dir, ...extra });
  return {
    run: (args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}) =>
      git.run(args, {
        env: { ...env, ...options.env },
        ...(options.input === undefined ? {} : { input: options.input }),
      }),
  };
}

/**
 * Lays out the private git directory by hand (what `git init --template=` would write, less
 * the probing: the config below fixes every setting the probes would choose).
 */
async function initControlDir(controlDir: string): Promise<void> {
  await mkdir(join(controlDir, "objects", "pack"), { recursive: true });
  await mkdir(join(controlDir, "refs"));
  await mkdir(join(controlDir, "info"));
  await writeFile(join(controlDir, "HEAD"), `ref: refs/heads/${START_BRANCH}\n`);
  // Per-user attributes and ignore files are read even without a global config.
  await writeFile(
    join(controlDir, "config"),
    [
      "[core]",
      "\trepositoryformatversion = 0",
      "\tfilemode = true",
      "\tbare = false",
      "\tsymlinks = true",
      "\tautocrlf = false",
      "\tattributesFile = /dev/null",
      "\texcludesFile = /dev/null",
      "\tlogAllRefUpdates = false",
      // The directory lives as long as one rollout; a crash loses it whatever was synced.
      "\tfsync = none",
      "[pack]",
      "\tuseBitmaps = false",
      "\twriteReverseIndex = false",
      "",
    ].join("\n"),
  );
  await writeFile(join(controlDir, "info", "exclude"), `${WORKSPACE_EXCLUDES.join("\n")}\n`);
}

/**
 * Commits the files in `dir`, exactly as they are on disk, in the private git directory, and
 * packs the commit with every object it reaches. The source repository's objects are borrowed
 * for these commands only: `git add` hashes every file but writes no object the source already
 * holds (only the test patch's and the overlay's new blobs), and the pack, built by walking the
 * new commit and nothing else, then holds every object the private directory needs from now on.
 * The pack is all the workspace gets: a handful of files instead of one per object. Returns
 * the pack's files, by absolute path.
 */
async function commitStartingState(
  repo: string,
  controlDir: string,
  dir: string,
): Promise<{ startCommit: string; startTree: string; pack: string[] }> {
  const sourceObjects = (
    await new Git(repo).run(["rev-parse", "--path-format=absolute", "--git-path", "objects"])
  ).trim();
  const control = controlGit(controlDir, dir, { GIT_ALTERNATE_OBJECT_DIRECTORIES: sourceObjects });
  await initControlDir(controlDir);
  // --force: every extracted file is part of the state, even one the project ignores.
  await control.run(["add", "--all", "--force"]);
  const startTree = (await control.run(["write-tree"])).trim();
  const startCommit = (
    await control.run(["commit-tree", startTree, "-m", START_MESSAGE], { env: startEnv() })
  ).trim();
  await control.run(["update-ref", `refs/heads/${START_BRANCH}`, startCommit]);
  const packDir = join(controlDir, "objects", "pack");
  // --window=0: no delta search (deltas the source already has are reused); the pack lives one rollout.
  const packArgs = ["pack-objects", "--revs", "--quiet", "--window=0", join(packDir, "pack")];
  const name = (await control.run(packArgs, { input: `${startCommit}\n` })).trim();
  const pack = (await readdir(packDir))
    .filter((file) => file.startsWith(`pack-${name}.`))
    .map((file) => join(packDir, file));
  if (!pack.some((file) => file.endsWith(".pack"))) {
    throw new GitError(`git pack-objects wrote no pack for the starting commit ${startCommit}`);
  }
  return { startCommit, startTree, pack };
}

/**
 * `git init` in the workspace, then the pack of the starting commit and the index of the
 * private directory copied in and one branch pointed at the starting commit. No template (no
 * sample hooks), no reflog.
 */
async function createWorkspaceRepository(
  dir: string,
  controlDir: string,
  startCommit: string,
  pack: readonly string[],
): Promise<void> {
  const git = new Git(dir);
  const env = cleanGitEnv({ GIT_CEILING_DIRECTORIES: resolve(dir, "..") });
  await git.run(["init", "--quiet", "--template=", `--initial-branch=${START_BRANCH}`, dir], { env });
  const gitDir = join(dir, ".git");
  const packDir = join(gitDir, "objects", "pack");
  await mkdir(packDir, { recursive: true });
  await Promise.all(pack.map((file) => copyFile(file, join(packDir, basename(file)))));
  await copyIndex(join(controlDir, "index"), join(gitDir, "index"));
  // No reflog: it would be one more record of the commit, and nothing the agent needs.
  const noReflog = ["-c", "core.logAllRefUpdates=false"];
  await git.run([...noReflog, "update-ref", `refs/heads/${START_BRANCH}`, startCommit], { env });
  await rm(join(gitDir, "logs"), { recursive: true, force: true });
  // So an agent that commits its work can, whatever its environment holds.
  await appendFile(
    join(gitDir, "config"),
    `[user]\n\tname = ${START_IDENTITY.name}\n\temail = ${START_IDENTITY.email}\n`,
  );
  await mkdir(join(gitDir, "info"), { recursive: true });
  await writeFile(join(gitDir, "info", "exclude"), `${WORKSPACE_EXCLUDES.join("\n")}\n`);
  const head = (await git.run(["rev-parse", "HEAD"], { env })).trim();
  if (head !== startCommit) throw new GitError(`the workspace's HEAD is ${head}, expected ${startCommit}`);
}

/**
 * Copies an index keeping its modification time: git decides which entries it must re-read
 * ("racily clean" ones) by comparing file times with the index's own.
 */
async function copyIndex(from: string, to: string): Promise<void> {
  await copyFile(from, to);
  const { atime, mtime } = await stat(from);
  await utimes(to, atime, mtime);
}
