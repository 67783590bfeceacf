import { existsSync } from "node:fs";
import { readdir, readFile, realpath } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DependencyCache } from "../../runner/dependency-cache.js";
import { tempDir, writeTree } from "../helpers/fixture-repo.js";

/** A project whose one dependency is a local folder: a real npm install, no network. */
async function project(root: string, depDir: string, extra: Record<string, unknown> = {}) {
  await writeTree(root, {
    "package.json": JSON.stringify({
      name: "p",
      version: "1.0.0",
      dependencies: { dep: `file:${depDir}` },
      ...extra,
    }),
    "index.js": "export {}\n",
  });
}

describe("DependencyCache", () => {
  it("installs once per manifest and links node_modules into every state", async () => {
    await using dep = await tempDir();
    await writeTree(dep.path, {
      "package.json": JSON.stringify({ name: "dep", version: "1.0.0" }),
      "index.js": "module.exports = 42;\n",
    });
    await using a = await tempDir();
    await using b = await tempDir();
    await using cacheDir = await tempDir();
    // Different scripts, same dependencies: one install serves both.
    await project(a.path, dep.path, { scripts: { test: "a" } });
    await project(b.path, dep.path, { scripts: { test: "b", prepare: "exit 1" } });
    const cache = new DependencyCache({ cacheDir: cacheDir.path, timeoutMs: 120_000 });
    const first = await cache.prepare(a.path);
    const second = await cache.prepare(b.path);
    expect(first).toMatchObject({ ok: true, installed: true, packageManager: "npm" });
    expect(second).toMatchObject({ ok: true, installed: false });
    expect(first.key).toBe(second.key);
    for (const state of [a.path, b.path]) {
      expect(await realpath(join(state, "node_modules"))).toBe(
        join(await realpath(cacheDir.path), first.key, "node_modules"),
      );
      expect(existsSync(join(state, "node_modules", "dep", "index.js"))).toBe(true);
      // The installer's lockfile stays in the cache, never in the state.
      expect(existsSync(join(state, "package-lock.json"))).toBe(false);
    }
    expect((await readdir(cacheDir.path)).filter((n) => n.includes(".tmp-"))).toEqual([]);

    // A new process (a new cache object) reuses the finished install.
    const again = await new DependencyCache({ cacheDir: cacheDir.path, timeoutMs: 120_000 }).prepare(a.path);
    expect(again).toMatchObject({ ok: true, installed: false, key: first.key });
  });

  it("returns a failed install as a value with its output, and leaves no partial cache", async () => {
    await using state = await tempDir();
    await using cacheDir = await tempDir();
    await project(state.path, "/nonexistent/repogym-dep.tgz");
    const result = await new DependencyCache({ cacheDir: cacheDir.path, timeoutMs: 120_000 }).prepare(
      state.path,
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toMatch(/npm install .* exited with code/);
      expect(result.output.length).toBeGreaterThan(0);
    }
    expect(await readdir(cacheDir.path)).toEqual([]);
    expect(existsSync(join(state.path, "node_modules"))).toBe(false);
  });

  it("skips the install for a project without dependencies", async () => {
    await using state = await tempDir();
    await using cacheDir = await tempDir();
    await writeTree(state.path, {
      "package.json": JSON.stringify({ name: "p", scripts: { test: "node --test" } }),
    });
    const result = await new DependencyCache({ cacheDir: cacheDir.path, timeoutMs: 1000 }).prepare(
      state.path,
    );
    expect(result).toMatchObject({ ok: true, key: "none", installed: false });
    expect(JSON.parse(await readFile(join(state.path, "package.json"), "utf8")).name).toBe("p");
  });
});
