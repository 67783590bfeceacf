import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, lstat, mkdir, readdir, readFile, readlink, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { defaultConfig } from "../../core/config.js";
import type { Scenario } from "../../core/scenario.js";
import { readSuite } from "../../core/suite-store.js";
import { DependencyCache } from "../../runner/dependency-cache.js";
import {
  buildWorkspace,
  capturePatch,
  ignorePattern,
  restoreTests,
  runSetup,
  START_MESSAGE,
  type Workspace,
} from "../../runner/workspace.js";
import { listEntries } from "../../runner/workspace-files.js";
import { createClassifier } from "../../scenario-gen/classify.js";
import { mineRepository } from "../../scenario-gen/mine.js";
import { FixtureRepo, tempDir, writeTree } from "../helpers/fixture-repo.js";

/** An install with no network: the dependency cache runs it in its own folder. */
const INSTALL =
  "mkdir -p node_modules/fake-dep && echo 'module.exports = 1;' > node_modules/fake-dep/index.js";
const BINARY = Buffer.from([0, 1, 2, 255, 254, 0, 10, 13, 0, 137, 80, 78, 71]);

const pkg = JSON.stringify(
  {
    name: "calc",
    type: "module",
    scripts: { test: "node --test test/" },
    dependencies: { "fake-dep": "1.0.0" },
  },
  null,
  2,
);
const header = [
  'import { test } from "node:test";',
  'import assert from "node:assert/strict";',
  'import { add } from "../src/calc.js";',
];

/**
 * A project whose history holds everything a workspace must not reveal: the fix, a later
 * commit, tags, a remote with a remote-tracking ref, a branch, notes, a stash and a
 * `.repogym/` suite folder.
 */
async function buildHistory(repo: FixtureRepo) {
  await mkdir(join(repo.path, "src"), { recursive: true });
  await writeFile(join(repo.path, "src", "logo.bin"), BINARY);
  const base = await repo.commit("Initial calculator", {
    "package.json": pkg,
    "src/calc.js": "export function add(a, b) { return a + b - (a > 9 ? 1 : 0); }\n",
    "docs/guide.md": "# Guide\n",
    "test/calc.test.js": [...header, 'test("small", () => assert.equal(add(1, 2), 3));', ""].join("\n"),
    "test/other.test.js": [...header, 'test("zero", () => assert.equal(add(0, 0), 0));', ""].join("\n"),
    "test/helpers/util.js": "export const one = 1;\n",
    ".repogym/config.yml": "# SUITE_MARKER\n",
    ".repogym/scenarios/old.json": '{"patch": "SUITE_MARKER"}\n',
  });
  await mkdir(join(repo.path, "test", "fixtures"), { recursive: true });
  await writeFile(
    join(repo.path, "test", "fixtures", "data.bin"),
    Buffer.concat([BINARY, Buffer.from("HIDDEN_DATA")]),
  );
  const fix = await repo.commit("Fix add for numbers above nine", {
    "src/calc.js": "export function add(a, b) { return a + b; } // FIX_MARKER\n",
    "test/calc.test.js": [
      ...header,
      'test("small", () => assert.equal(add(1, 2), 3));',
      'test("large", () => assert.equal(add(10, 5), 15));',
      "",
    ].join("\n"),
    "test/hidden.test.js": [
      ...header,
      '// HIDDEN_MARKER\ntest("big", () => assert.equal(add(20, 1), 21));',
      "",
    ].join("\n"),
  });
  const later = await repo.commit("Document add", {
    "README.md": "# calc FUTURE_MARKER\n",
    "src/calc.js": "export function add(a, b) { return a + b; } // FIX_MARKER FUTURE_MARKER\n",
    ".repogym/scenarios/fix.json": '{"patch": "SUITE_MARKER FIX_MARKER"}\n',
  });
  repo.git("tag", "-a", "v1.0.0", "-m", "TAG_MARKER", fix);
  repo.git("tag", "later", later);
  repo.git("branch", "feature", later);
  repo.git("remote", "add", "origin", "https://github.com/acme/REMOTE_MARKER.git");
  repo.git("update-ref", "refs/remotes/origin/main", later);
  repo.git("notes", "add", "-m", "NOTE_MARKER", base);
  await writeTree(repo.path, { "src/calc.js": "// STASH_MARKER\n" });
  repo.git("stash");
  return { base, fix, later };
}

/** Every marker of something a workspace must not hold. */
const LEAKS = [
  "FIX_MARKER",
  "FUTURE_MARKER",
  "TAG_MARKER",
  "NOTE_MARKER",
  "STASH_MARKER",
  "SUITE_MARKER",
  "REMOTE_MARKER",
];

function git(dir: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd: dir,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_AUTHOR_NAME: "Agent",
      GIT_AUTHOR_EMAIL: "agent@example.com",
      GIT_COMMITTER_NAME: "Agent",
      GIT_COMMITTER_EMAIL: "agent@example.com",
    },
  });
}

/**
 * Every object a pack file holds, read from the pack's own bytes (unpacked into a scratch
 * repository, deltas resolved, its index file not consulted): object id -> inflated object.
 */
async function unpack(pack: string): Promise<Map<string, Buffer>> {
  await using scratch = await tempDir();
  git(scratch.path, "init", "-q", "--bare");
  execFileSync("git", ["unpack-objects", "-q"], {
    cwd: scratch.path,
    input: await readFile(pack),
    env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" },
  });
  const objects = new Map<string, Buffer>();
  const root = join(scratch.path, "objects");
  for (const [path, type] of await listEntries(root)) {
    const id = /^([0-9a-f]{2})\/([0-9a-f]{38})$/.exec(path);
    if (type === "file" && id) objects.set(id[1]! + id[2]!, inflateSync(await readFile(join(root, path))));
  }
  return objects;
}

/** The packs under a workspace's .git, by path. */
async function packsOf(dir: string): Promise<string[]> {
  const packDir = join(dir, ".git", "objects", "pack");
  return (await readdir(packDir)).filter((name) => name.endsWith(".pack")).map((name) => join(packDir, name));
}

/**
 * Every byte under dir (links not followed), git objects inflated so their text is searchable:
 * loose ones directly, packed ones unpacked from the pack file.
 */
async function allText(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const [path, type] of await listEntries(dir)) {
    if (type !== "file") continue;
    const bytes = await readFile(join(dir, path));
    parts.push((/^\.git\/objects\/[0-9a-f]{2}\//.test(path) ? inflateSync(bytes) : bytes).toString("latin1"));
    if (/^\.git\/objects\/pack\/[^/]+\.pack$/.test(path)) {
      for (const object of (await unpack(join(dir, path))).values()) parts.push(object.toString("latin1"));
    }
  }
  return parts.join("\n");
}

/** Files, links and executable bits under dir, without .git and node_modules: what a patch can change. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const entries = await listEntries(dir, {
    skipDir: (path, name) => path === ".git" || name === "node_modules",
  });
  const out: Record<string, string> = {};
  for (const [path, type] of entries) {
    if (path === "node_modules") continue;
    const full = join(dir, path);
    out[path] =
      type === "symlink"
        ? `link -> ${await readlink(full)}`
        : `${((await lstat(full)).mode & 0o111) !== 0 ? "x" : "-"} ${(await readFile(full)).toString("base64")}`;
  }
  return out;
}

describe("workspaces", () => {
  let repo: FixtureRepo;
  let shas: Awaited<ReturnType<typeof buildHistory>>;
  let scenario: Scenario;
  let hidden: Scenario;
  let cache: DependencyCache;
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  const classifier = createClassifier(defaultConfig().paths);
  let count = 0;
  const build = (s: Scenario = scenario) =>
    buildWorkspace({ repo: repo.path, scenario: s, dir: join(scratch.path, `ws-${count++}`), cache });

  beforeAll(async () => {
    repo = await FixtureRepo.create();
    shas = await buildHistory(repo);
    scratch = await tempDir();
    const suite = join(scratch.path, "suite");
    const cacheDir = join(scratch.path, "cache");
    const config = defaultConfig();
    await mineRepository({
      repo: repo.path,
      suiteDir: suite,
      cacheDir,
      toolVersion: "repogym test",
      runs: 1,
      config: { ...config, environment: { ...config.environment, install: INSTALL } },
    });
    const mined = await readSuite(suite);
    expect(mined.map((s) => s.source.sha)).toEqual([shas.fix]);
    scenario = mined[0]!;
    hidden = { ...scenario, task: { tests_visible: false } };
    cache = new DependencyCache({ cacheDir, timeoutMs: 60_000 });
    return async () => {
      await repo[Symbol.asyncDispose]();
      await scratch[Symbol.asyncDispose]();
    };
  });

  describe("no future leaks (Invariant 1)", () => {
    it("has exactly one commit, the starting state, and no other ref", async () => {
      await using ws = await build();
      expect(ws.dependencies.ok).toBe(true);
      expect(git(ws.dir, "log", "--all", "--format=%H").trim().split("\n")).toEqual([ws.startCommit]);
      expect(git(ws.dir, "for-each-ref", "--format=%(refname)").trim()).toBe("refs/heads/main");
      expect(git(ws.dir, "tag", "--list")).toBe("");
      expect(git(ws.dir, "remote")).toBe("");
      expect(git(ws.dir, "stash", "list")).toBe("");
      expect(git(ws.dir, "notes", "list")).toBe("");
      expect(git(ws.dir, "reflog", "--all")).toBe("");
      expect(git(ws.dir, "cat-file", "-p", ws.startCommit)).toBe(
        [
          `tree ${ws.startTree}`,
          "author repogym <repogym@localhost> 0 +0000",
          "committer repogym <repogym@localhost> 0 +0000",
          "",
          `${START_MESSAGE}\n`,
        ].join("\n"),
      );
      // Nothing else that could name or hold history: no logs, FETCH_HEAD, hooks, and no
      // object but the one pack made for this workspace (what it holds is checked below).
      expect((await readdir(join(ws.dir, ".git"))).sort()).toEqual([
        "HEAD",
        "config",
        "index",
        "info",
        "objects",
        "refs",
      ]);
      expect((await readdir(join(ws.dir, ".git", "objects"))).sort()).toEqual(["info", "pack"]);
      expect(await readdir(join(ws.dir, ".git", "objects", "info"))).toEqual([]);
      const [pack, ...others] = await packsOf(ws.dir);
      expect(others).toEqual([]);
      const name = pack!.slice(0, -".pack".length).split("/").pop();
      expect((await readdir(join(ws.dir, ".git", "objects", "pack"))).sort()).toEqual([
        `${name}.idx`,
        `${name}.pack`,
      ]);
      expect(git(ws.dir, "status", "--porcelain")).toBe("");
    });

    it("holds only objects reachable from the starting commit, none of the fix", async () => {
      await using ws = await build();
      const all = git(ws.dir, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)")
        .trim()
        .split("\n");
      const reachable = git(ws.dir, "rev-list", "--objects", "--all")
        .trim()
        .split("\n")
        .map((line) => line.split(" ")[0]);
      expect(all.sort()).toEqual([...new Set(reachable)].sort());
      // The same read from the pack's own bytes, so nothing hides in it unindexed.
      const packed = await Promise.all((await packsOf(ws.dir)).map(unpack));
      expect(packed.flatMap((objects) => [...objects.keys()]).sort()).toEqual(all);
      const blob = (rev: string, path: string) => repo.git("rev-parse", `${rev}:${path}`).trim();
      expect(all).not.toContain(blob(shas.fix, "src/calc.js"));
      expect(all).not.toContain(blob(shas.later, "src/calc.js"));
      expect(all).not.toContain(blob(shas.later, ".repogym/scenarios/fix.json"));
      expect(all).not.toContain(shas.base);
      // The visible test side is there: the check above would see a fix blob if there were one.
      expect(all).toContain(blob(shas.fix, "test/calc.test.js"));
      expect(all).toContain(blob(shas.base, "src/calc.js"));
    });

    it("starts from the base source plus the test side, without .repogym/", async () => {
      await using ws = await build();
      const files = git(ws.dir, "ls-files").trim().split("\n");
      expect(files).toContain("test/hidden.test.js");
      expect(files.filter((f) => f.includes(".repogym"))).toEqual([]);
      expect(existsSync(join(ws.dir, ".repogym"))).toBe(false);
      expect(await readFile(join(ws.dir, "src/calc.js"), "utf8")).toBe(
        repo.git("show", `${shas.base}:src/calc.js`),
      );
      expect(await readFile(join(ws.dir, "test/calc.test.js"), "utf8")).toBe(
        repo.git("show", `${shas.fix}:test/calc.test.js`),
      );
      expect(await readFile(join(ws.dir, "node_modules/fake-dep/index.js"), "utf8")).toContain(
        "module.exports",
      );
    });

    it("holds no text of the gold patch, later commits, tags, notes, stash, remote or suite anywhere", async () => {
      await using ws = await build();
      const text = await allText(ws.dir);
      for (const marker of LEAKS) expect(text, marker).not.toContain(marker);
      const added = scenario.patch
        .split("\n")
        .filter((line) => line.startsWith("+") && !line.startsWith("+++"))
        .map((line) => line.slice(1));
      expect(added.length).toBeGreaterThan(0);
      for (const line of added) expect(text).not.toContain(line);
      expect(text).toContain("HIDDEN_MARKER");
    });

    it("hides the test side entirely when the tests are not visible", async () => {
      await using ws = await build(hidden);
      expect(existsSync(join(ws.dir, "test/hidden.test.js"))).toBe(false);
      expect(existsSync(join(ws.dir, "test/fixtures"))).toBe(false);
      expect(await readFile(join(ws.dir, "test/calc.test.js"), "utf8")).toBe(
        repo.git("show", `${shas.base}:test/calc.test.js`),
      );
      const all = git(ws.dir, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)");
      for (const path of ["test/calc.test.js", "test/hidden.test.js", "test/fixtures/data.bin"]) {
        expect(all).not.toContain(repo.git("rev-parse", `${shas.fix}:${path}`).trim());
      }
      const text = await allText(ws.dir);
      for (const marker of [...LEAKS, "HIDDEN_MARKER", "HIDDEN_DATA"])
        expect(text, marker).not.toContain(marker);
      expect(ws.startTree).toBe(await baseTreeWithout(".repogym"));
    });

    it("drops a .repogym/ folder the test patch would add, at any depth", async () => {
      const extra = [
        "diff --git a/.repogym/scenarios/leak.json b/.repogym/scenarios/leak.json",
        "new file mode 100644",
        "--- /dev/null",
        "+++ b/.repogym/scenarios/leak.json",
        "@@ -0,0 +1 @@",
        "+SUITE_MARKER",
        "diff --git a/test/.repogym/leak.txt b/test/.repogym/leak.txt",
        "new file mode 100644",
        "--- /dev/null",
        "+++ b/test/.repogym/leak.txt",
        "@@ -0,0 +1 @@",
        "+SUITE_MARKER",
        "",
      ].join("\n");
      await using ws = await build({ ...scenario, test_patch: scenario.test_patch + extra });
      expect(
        git(ws.dir, "ls-files")
          .split("\n")
          .filter((f) => f.includes(".repogym")),
      ).toEqual([]);
      expect(await allText(ws.dir)).not.toContain("SUITE_MARKER");
    });

    it("refuses a folder that is not empty", async () => {
      await using dir = await tempDir();
      await writeFile(join(dir.path, "keep.txt"), "mine\n");
      await expect(buildWorkspace({ repo: repo.path, scenario, dir: dir.path, cache })).rejects.toThrow(
        /must be new or empty/,
      );
      expect(await readFile(join(dir.path, "keep.txt"), "utf8")).toBe("mine\n");
    });

    /** The base commit's tree without one top-level folder: the starting tree in issue mode. */
    async function baseTreeWithout(folder: string): Promise<string> {
      const entries = repo
        .git("ls-tree", shas.base)
        .split("\n")
        .filter((line) => line !== "" && !line.endsWith(`\t${folder}`));
      return execFileSync("git", ["mktree"], {
        cwd: repo.path,
        input: `${entries.join("\n")}\n`,
        encoding: "utf8",
      }).trim();
    }
  });

  describe("capturePatch", () => {
    it("is empty when nothing changed", async () => {
      await using ws = await build();
      expect(await capturePatch(ws)).toBe("");
    });

    it("captures edits, new files, deletions, binaries, modes and links; git apply reproduces them", async () => {
      await using ws = await build();
      await using outside = await tempDir();
      await writeFile(join(outside.path, "secret.txt"), "OUTSIDE_SECRET\n");
      await writeTree(ws.dir, {
        "src/calc.js": "export function add(a, b) { return a + b; }\n",
        "src/new/util.js": "export const two = 2;\n",
        "docs/guide.md": null,
        "packages/x/node_modules/dep/index.js": "ignored\n",
      });
      await writeFile(join(ws.dir, "src/logo.bin"), Buffer.concat([BINARY, BINARY]));
      await writeFile(join(ws.dir, "assets.bin"), Buffer.from([255, 0, 255, 0]));
      await chmod(join(ws.dir, "src/new/util.js"), 0o755);
      await symlink(join(outside.path, "secret.txt"), join(ws.dir, "secret-abs"));
      await symlink("../../outside/secret.txt", join(ws.dir, "src/secret-rel"));
      await symlink(outside.path, join(ws.dir, "outside-dir"));
      // The agent's own staging must survive the capture untouched.
      git(ws.dir, "add", "src/calc.js");
      const agentIndex = await readFile(join(ws.dir, ".git/index"));

      const patch = await capturePatch(ws);
      expect(patch).toContain("diff --git a/src/new/util.js b/src/new/util.js");
      expect(patch).toContain("new file mode 100755");
      expect(patch).toContain("deleted file mode 100644");
      expect(patch).toContain("GIT binary patch");
      expect(patch).toContain("new file mode 120000");
      expect(patch).not.toContain("OUTSIDE_SECRET");
      expect(patch).not.toContain("node_modules");
      expect(await readFile(join(ws.dir, ".git/index"))).toEqual(agentIndex);

      await using fresh = await build();
      execFileSync("git", ["apply", "--binary", "-"], { cwd: fresh.dir, input: patch });
      const expected = await snapshot(ws.dir);
      delete expected["packages/x/node_modules/dep/index.js"];
      expect(await snapshot(fresh.dir)).toEqual(expected);
    });

    it("diffs against the starting state whatever the agent did to .git", async () => {
      await using ws = await build();
      await writeTree(ws.dir, { "src/calc.js": "export const add = (a, b) => a + b;\n" });
      git(ws.dir, "commit", "-qam", "agent work");
      const expected = await capturePatch(ws);
      expect(expected).toContain("+export const add = (a, b) => a + b;");

      // History rewritten, then the whole repository replaced by one of the agent's own.
      git(ws.dir, "commit", "-q", "--amend", "-m", "rewritten");
      await rm(join(ws.dir, ".git"), { recursive: true });
      git(ws.dir, "init", "-q");
      git(ws.dir, "add", "-A");
      git(ws.dir, "commit", "-qm", "fake start");
      const patch = await capturePatch(ws);
      expect(patch).toBe(expected);
    });

    it("leaves a submodule out of the starting state, so files put at its path are the agent's change", async () => {
      const entries = repo.git("ls-tree", shas.base).trim();
      const tree = execFileSync("git", ["mktree"], {
        cwd: repo.path,
        input: `${entries}\n160000 commit ${shas.later}\tvendor\n`,
        encoding: "utf8",
      }).trim();
      const base = git(repo.path, "commit-tree", tree, "-m", "with a submodule").trim();
      await using ws = await build({ ...hidden, base_commit: base });
      expect(git(ws.dir, "ls-tree", "-r", ws.startTree)).not.toContain("160000");
      expect(git(ws.dir, "status", "--porcelain")).toBe("");
      await writeTree(ws.dir, { "vendor/lib.js": "export const lib = 1;\n" });
      expect(await capturePatch(ws)).toContain("diff --git a/vendor/lib.js b/vendor/lib.js");
    });

    it("never runs what the workspace's git config asks for", async () => {
      await using ws = await build();
      const trap = join(scratch.path, `trap-${count}`);
      const hook = join(ws.dir, "hook.sh");
      await writeFile(hook, `#!/bin/sh\ntouch '${trap}'\n`);
      await chmod(hook, 0o755);
      await writeFile(join(ws.dir, ".gitattributes"), "* filter=evil diff=evil\n");
      git(ws.dir, "config", "core.fsmonitor", hook);
      git(ws.dir, "config", "filter.evil.clean", hook);
      git(ws.dir, "config", "diff.evil.textconv", hook);
      git(ws.dir, "config", "diff.external", hook);
      const patch = await capturePatch(ws);
      expect(existsSync(trap)).toBe(false);
      expect(patch).toContain("b/hook.sh");
      expect(patch).toContain("+* filter=evil diff=evil");
    });
  });

  describe("runSetup", () => {
    it("runs the commands and keeps what they build out of the agent's change", async () => {
      await using ws = await build();
      const result = await runSetup(ws, {
        commands: ["mkdir -p build && echo built > build/out.js", "echo gen > 'gen [1].txt'"],
        timeoutMs: 30_000,
      });
      expect(result).toMatchObject({ ok: true });
      expect(existsSync(join(ws.dir, "build/out.js"))).toBe(true);
      expect(await capturePatch(ws)).toBe("");
      expect(git(ws.dir, "status", "--porcelain")).toBe("");
    });

    it("returns a failing command as a value", async () => {
      await using ws = await build();
      const result = await runSetup(ws, { commands: ["echo boom; exit 3"], timeoutMs: 30_000 });
      expect(result).toMatchObject({ ok: false, command: "echo boom; exit 3" });
      expect(result.ok ? "" : result.reason).toMatch(/exited with code 3/);
      expect(result.ok ? "" : result.output).toContain("boom");
    });

    it("writes ignore patterns that match only the exact path", () => {
      expect(ignorePattern("build/")).toBe("/build/");
      expect(ignorePattern("gen [1]*?.txt")).toBe("/gen\\ \\[1\\]\\*\\?.txt");
      expect(ignorePattern("#x/!y")).toBe("/\\#x/\\!y");
    });
  });

  describe("restoreTests (Invariant 2)", () => {
    /** The scenario's test side: every test-classified path after the fix, as the source repository has it. */
    function pristineTests(): string[] {
      return repo
        .git("ls-tree", "-r", "--name-only", shas.fix)
        .split("\n")
        .filter((path) => path !== "" && !path.startsWith(".repogym/") && classifier.kind(path) === "test")
        .sort();
    }

    async function workspaceTests(ws: Workspace): Promise<string[]> {
      const entries = await listEntries(ws.dir, {
        skipDir: (path, name) => path === ".git" || name === "node_modules",
      });
      return [...entries.keys()].filter((path) => classifier.kind(path) === "test").sort();
    }

    async function expectPristine(ws: Workspace): Promise<void> {
      expect(await workspaceTests(ws)).toEqual(pristineTests());
      for (const path of pristineTests()) {
        const expected = execFileSync("git", ["show", `${shas.fix}:${path}`], { cwd: repo.path });
        expect((await lstat(join(ws.dir, path))).isFile(), path).toBe(true);
        expect(await readFile(join(ws.dir, path)), path).toEqual(expected);
        expect((await lstat(join(ws.dir, path))).mode & 0o111, path).toBe(0);
      }
    }

    it("puts package.json's test-runner keys back and keeps the agent's other package.json changes", async () => {
      await using ws = await build();
      const original = JSON.parse(await readFile(join(ws.dir, "package.json"), "utf8"));
      const changed = {
        ...original,
        description: "agent's",
        jest: { testRunner: "./fake.js" },
        mocha: { require: "x" },
      };
      await writeFile(join(ws.dir, "package.json"), JSON.stringify(changed));
      const result = await restoreTests(ws, scenario, classifier);
      expect(result.restored.some((p) => p.startsWith("package.json"))).toBe(true);
      const after = JSON.parse(await readFile(join(ws.dir, "package.json"), "utf8"));
      expect(after).toEqual({ ...original, description: "agent's" });
      // A package.json the agent turned into a link is replaced by the scenario's, never written through.
      await using outside = await tempDir();
      await writeFile(join(outside.path, "pkg.json"), JSON.stringify({ jest: { testRunner: "./fake.js" } }));
      await rm(join(ws.dir, "package.json"));
      await symlink(join(outside.path, "pkg.json"), join(ws.dir, "package.json"));
      await restoreTests(ws, scenario, classifier);
      expect((await lstat(join(ws.dir, "package.json"))).isSymbolicLink()).toBe(false);
      expect(JSON.parse(await readFile(join(ws.dir, "package.json"), "utf8"))).toEqual(original);
      expect(JSON.parse(await readFile(join(outside.path, "pkg.json"), "utf8"))).toEqual({
        jest: { testRunner: "./fake.js" },
      });
    });

    it("reverts edited, deleted and replaced test files, removes added tests and test config, keeps source", async () => {
      await using ws = await build();
      await using outside = await tempDir();
      await writeFile(join(outside.path, "data.bin"), "agent data\n");
      await writeTree(ws.dir, {
        "src/calc.js": "export function add(a, b) { return a + b; } // agent\n",
        "test/calc.test.js": 'import { test } from "node:test";\ntest("large", () => {});\n',
        "test/other.test.js": null,
        "test/new.test.js": "// added\n",
        "test/helpers/extra.js": "// added helper\n",
        "vitest.config.js": "export default { test: { include: [] } };\n",
        "jest.config.cjs": "module.exports = {};\n",
        ".mocharc.json": "{}\n",
      });
      await chmod(join(ws.dir, "test/helpers/util.js"), 0o755);
      await rm(join(ws.dir, "test/fixtures"), { recursive: true });
      await symlink(outside.path, join(ws.dir, "test/fixtures"));

      const result = await restoreTests(ws, scenario, classifier);
      expect(result).toEqual({
        restored: [
          "test/calc.test.js",
          "test/fixtures/data.bin",
          "test/helpers/util.js",
          "test/other.test.js",
        ],
        removed: [
          ".mocharc.json",
          "jest.config.cjs",
          "test/fixtures",
          "test/helpers/extra.js",
          "test/new.test.js",
          "vitest.config.js",
        ],
      });
      await expectPristine(ws);
      expect(await readFile(join(ws.dir, "src/calc.js"), "utf8")).toContain("// agent");
      // The planted link was replaced, not written through.
      expect(await readFile(join(outside.path, "data.bin"), "utf8")).toBe("agent data\n");
      expect(await readdir(outside.path)).toEqual(["data.bin"]);
      expect(await restoreTests(ws, scenario, classifier)).toEqual({ restored: [], removed: [] });
    });

    it("never writes through a test folder the agent replaced with a link", async () => {
      await using ws = await build();
      await using outside = await tempDir();
      await writeFile(join(outside.path, "calc.test.js"), "// agent's tests\n");
      await rm(join(ws.dir, "test"), { recursive: true });
      await symlink(outside.path, join(ws.dir, "test"));

      const result = await restoreTests(ws, scenario, classifier);
      expect(result.removed).toEqual(["test"]);
      expect(result.restored).toEqual(pristineTests());
      await expectPristine(ws);
      expect((await lstat(join(ws.dir, "test"))).isDirectory()).toBe(true);
      expect(await readdir(outside.path)).toEqual(["calc.test.js"]);
      expect(await readFile(join(outside.path, "calc.test.js"), "utf8")).toBe("// agent's tests\n");
    });

    it("restores from the scenario even when the agent rewrote .git", async () => {
      await using ws = await build();
      await writeTree(ws.dir, {
        "test/calc.test.js": 'import { test } from "node:test";\ntest("large", () => {});\n',
        "test/hidden.test.js": null,
      });
      git(ws.dir, "commit", "-qam", "tests pass now");
      await rm(join(ws.dir, ".git"), { recursive: true });
      git(ws.dir, "init", "-q");
      git(ws.dir, "add", "-A");
      git(ws.dir, "commit", "-qm", "repogym: starting state");

      const result = await restoreTests(ws, scenario, classifier);
      expect(result.restored).toEqual(["test/calc.test.js", "test/hidden.test.js"]);
      await expectPristine(ws);
    });

    it("brings in hidden tests before scoring in issue mode", async () => {
      await using ws = await build(hidden);
      const result = await restoreTests(ws, hidden, classifier);
      expect(result).toEqual({
        restored: ["test/calc.test.js", "test/fixtures/data.bin", "test/hidden.test.js"],
        removed: [],
      });
      await expectPristine(ws);
    });

    it("refuses a scenario that is not the workspace's", async () => {
      await using ws = await build();
      await expect(
        restoreTests(ws, { ...scenario, instance_id: "acme__other-123" }, classifier),
      ).rejects.toThrow(/does not belong/);
    });
  });

  describe("overlay (agent instructions from a PR head)", () => {
    it("lays the files into the starting commit, so they are never part of the agent's patch", async () => {
      await using ws = await buildWorkspace({
        repo: repo.path,
        scenario,
        dir: join(scratch.path, `ws-${count++}`),
        cache,
        overlay: [
          { path: "AGENTS.md", content: Buffer.from("Run the tests first.\n") },
          { path: ".cursor/rules/style.mdc", content: Buffer.from("Prefer small functions.\n") },
        ],
      });
      expect(await readFile(join(ws.dir, "AGENTS.md"), "utf8")).toBe("Run the tests first.\n");
      expect(git(ws.dir, "show", "HEAD:.cursor/rules/style.mdc")).toBe("Prefer small functions.\n");
      expect(git(ws.dir, "log", "--all", "--format=%H").trim().split("\n")).toEqual([ws.startCommit]);
      expect(await capturePatch(ws)).toBe("");
    });

    it("refuses paths that leave the workspace or reach into .git, node_modules or .repogym", async () => {
      for (const path of [
        "../escape.md",
        "/etc/evil",
        ".git/hooks/pre-commit",
        "node_modules/x.js",
        ".repogym/x",
        "a//b",
      ]) {
        await expect(
          buildWorkspace({
            repo: repo.path,
            scenario,
            dir: join(scratch.path, `ws-${count++}`),
            cache,
            overlay: [{ path, content: Buffer.from("x") }],
          }),
          path,
        ).rejects.toThrow(/overlay path/);
      }
    });

    it("never writes through a link of the starting state", async () => {
      const outside = await tempDir();
      await using link = await build();
      // A state whose docs/ is a link to a folder outside: the overlay must not follow it.
      const { applyOverlay } = await import("../../runner/workspace.js");
      await rm(join(link.dir, "docs"), { recursive: true });
      await symlink(outside.path, join(link.dir, "docs"));
      await expect(
        applyOverlay(link.dir, [{ path: "docs/AGENTS.md", content: Buffer.from("x") }]),
      ).rejects.toThrow(/symbolic link/);
      await symlink(join(outside.path, "target.md"), join(link.dir, "CLAUDE.md"));
      await applyOverlay(link.dir, [{ path: "CLAUDE.md", content: Buffer.from("mine\n") }]);
      expect((await lstat(join(link.dir, "CLAUDE.md"))).isSymbolicLink()).toBe(false);
      expect(await readdir(outside.path)).toEqual([]);
      await outside[Symbol.asyncDispose]();
    });
  });
});
