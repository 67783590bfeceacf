import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildSampleRepo,
  type HistoryStep,
  readSampleHistory,
  type SampleRepo,
  sampleLibDir,
} from "../../examples/sample-repo.js";
import { PROJECT_ROOT } from "../helpers/fixture-repo.js";

/**
 * The HEAD the stored history replays to. It changes only when the patches or history.json
 * change; a different sha from unchanged files means the build is not deterministic.
 */
const KNOWN_HEAD = "0915797e85717989c16ae4c9bc8f9553f47ab9c6";

interface Run {
  code: number;
  output: string;
}

function run(command: string, args: string[], cwd: string): Promise<Run> {
  // No GIT_DIR & co. from a surrounding hook, no user git config, and none of this process's
  // loaders or test-runner context for the sample's own tests.
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith("GIT_") && !key.startsWith("NODE_")),
  );
  env.GIT_CONFIG_GLOBAL = "/dev/null";
  env.GIT_CONFIG_NOSYSTEM = "1";
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

async function git(cwd: string, ...args: string[]): Promise<string> {
  const result = await run("git", args, cwd);
  if (result.code !== 0) throw new Error(`git ${args.join(" ")} failed in ${cwd}:\n${result.output}`);
  return result.output;
}

const lines = (text: string) => text.split("\n").filter((line) => line !== "");

const history = await readSampleHistory();
const isMerge = (step: HistoryStep): step is Extract<HistoryStep, { merge: unknown }> => "merge" in step;

describe("bundled sample repository", () => {
  let root: string;
  let repo: SampleRepo;
  /** First-parent history, oldest first: one commit per history.json step. */
  let mainline: string[];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "repogym-sample-"));
    repo = await buildSampleRepo(join(root, "first"));
    mainline = lines(await git(repo.path, "rev-list", "--first-parent", "--reverse", "HEAD"));
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("builds to the same HEAD every time", async () => {
    const again = await buildSampleRepo(join(root, "second"));
    expect(again.head).toBe(repo.head);
    expect(repo.head).toBe(KNOWN_HEAD);
    expect((await git(repo.path, "status", "--porcelain")).trim()).toBe("");
    expect((await git(repo.path, "branch", "--show-current")).trim()).toBe("main");
  });

  it("refuses a target that is not empty", async () => {
    await expect(buildSampleRepo(repo.path)).rejects.toThrow(/not empty/);
  });

  it("replays every stored patch exactly once", async () => {
    const listed = history.steps.flatMap((step) => (isMerge(step) ? step.merge.patches : [step.patch]));
    const stored = (await readdir(join(sampleLibDir(), "patches"))).filter((name) => name.endsWith(".patch"));
    expect([...listed].sort()).toEqual(stored.sort());
    expect(new Set(listed).size).toBe(listed.length);
  });

  const compiled = resolve(PROJECT_ROOT, "dist", "examples", "sample-repo.js");
  it.skipIf(!existsSync(compiled))("finds the same patches from the compiled module in dist/", async () => {
    const module = (await import(
      pathToFileURL(compiled).href
    )) as typeof import("../../examples/sample-repo.js");
    expect(module.sampleLibDir()).toBe(sampleLibDir());
  });

  it("has a history of at least 32 commits", async () => {
    expect(lines(await git(repo.path, "rev-list", "--all")).length).toBeGreaterThanOrEqual(32);
    expect(mainline).toHaveLength(history.steps.length);
  });

  it("has merged pull requests on its first-parent history", async () => {
    const merges = history.steps.flatMap((step, index) => (isMerge(step) ? [{ step, index }] : []));
    expect(merges.length).toBeGreaterThanOrEqual(2);
    for (const { step, index } of merges) {
      const sha = mainline[index]!;
      const parents = lines(await git(repo.path, "rev-list", "--parents", "-n", "1", sha))[0]!.split(" ");
      expect(parents).toHaveLength(3);
      expect(await git(repo.path, "log", "-1", "--format=%B", sha)).toContain(
        step.merge.message.split("\n")[0]!,
      );
      const branchCommits = lines(await git(repo.path, "rev-list", `${parents[1]}..${parents[2]}`));
      expect(branchCommits).toHaveLength(step.merge.patches.length);
    }
    // At least one pull request lands its test and its fix in separate commits, so only the
    // merge (not any single commit) is a complete candidate.
    let split = 0;
    for (const { index } of merges) {
      const [, first, second] = lines(
        await git(repo.path, "rev-list", "--parents", "-n", "1", mainline[index]!),
      )[0]!.split(" ");
      const touched: string[][] = [];
      for (const sha of lines(await git(repo.path, "rev-list", "--reverse", `${first}..${second}`))) {
        touched.push(lines(await git(repo.path, "diff-tree", "--no-commit-id", "--name-only", "-r", sha)));
      }
      const testsOnly = touched.some((files) => files.every((file) => file.startsWith("test/")));
      const sourceOnly = touched.some((files) => files.every((file) => file.startsWith("src/")));
      if (testsOnly && sourceOnly) split += 1;
    }
    expect(split).toBeGreaterThanOrEqual(1);
  });

  it("passes its own test suite (node --test) at HEAD", async () => {
    const result = await run(process.execPath, ["--test", "test/"], repo.path);
    expect(result.output).toMatch(/# fail 0/);
    expect(result.code).toBe(0);
  });

  const fixes = history.steps.flatMap((step, index) => (step.fix ? [{ step, index }] : []));

  it("marks at least 9 bug fixes", () => {
    expect(fixes.length).toBeGreaterThanOrEqual(9);
  });

  describe("every bug fix is a real scenario", () => {
    for (const { step, index } of fixes) {
      const label = isMerge(step) ? `merge of ${step.merge.branch}` : step.patch;
      it(`step ${index + 1} (${label}): its tests fail on the parent's source and pass after`, async () => {
        const commit = mainline[index]!;
        const parent = (await git(repo.path, "rev-parse", `${commit}^1`)).trim();
        const changed = lines(await git(repo.path, "diff", "--name-only", parent, commit));
        const testFiles = changed.filter((file) => /^test\/.*\.test\.js$/.test(file));
        expect(testFiles.length, "the fix changes a test file").toBeGreaterThan(0);
        expect(
          changed.some((file) => file.startsWith("src/")),
          "the fix changes source",
        ).toBe(true);

        const worktree = join(root, `fix-${index + 1}`);
        await git(repo.path, "worktree", "add", "--quiet", "--detach", worktree, parent);
        try {
          // Parent's source with the fix's tests: the tests must fail.
          await git(worktree, "checkout", commit, "--", "test/");
          const before = await run(process.execPath, ["--test", ...testFiles], worktree);
          expect(before.code, before.output).not.toBe(0);
          expect(before.output).toMatch(/not ok/);

          // The fix's full tree: the same tests pass.
          await git(worktree, "checkout", commit, "--", ".");
          const after = await run(process.execPath, ["--test", ...testFiles], worktree);
          expect(after.code, after.output).toBe(0);
          expect(after.output).toMatch(/# fail 0/);
        } finally {
          await git(repo.path, "worktree", "remove", "--force", worktree);
        }
      });
    }
  });
});
