import {
  chmod,
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../core/errors.js";
import type { Scenario } from "../core/scenario.js";
import type { PathClassifier } from "../scenario-gen/classify.js";
import { extractTree } from "./state-tree.js";
import type { Workspace } from "./workspace.js";
import { type EntryType, listEntries, NODE_MODULES, removeRepogymFolders } from "./workspace-files.js";

export interface RestoreResult {
  /** Test-side paths written back (edited, deleted or replaced by the agent, or hidden until now). */
  restored: string[];
  /** Test-side paths the scenario does not have (added tests, test configuration), removed. */
  removed: string[];
}

/**
 * Puts the test side of the workspace back to exactly the scenario's version (base commit
 * plus test patch, whether or not the tests were visible): every path classified as test
 * that the scenario has is rewritten when it differs, every one it does not have is removed,
 * and source changes stay. The pristine side comes from the source repository and the
 * scenario, never from the workspace's git, which the agent controls. Writes never pass
 * through a symbolic link, so a link the agent planted cannot redirect them out of the
 * workspace.
 */
export async function restoreTests(
  workspace: Workspace,
  scenario: Scenario,
  classifier: PathClassifier,
): Promise<RestoreResult> {
  if (scenario.instance_id !== workspace.instanceId) {
    throw new ConfigError(
      `scenario ${scenario.instance_id} does not belong to the workspace of ${workspace.instanceId}`,
      workspace.dir,
    );
  }
  const pristineDir = await mkdtemp(join(tmpdir(), "repogym-pristine-"));
  try {
    await extractTree(workspace.repo, scenario.base_commit, pristineDir, [
      { patch: scenario.test_patch, label: "the test patch" },
    ]);
    await removeRepogymFolders(pristineDir);
    const isTest = (path: string) => classifier.kind(path) === "test";
    const skipDir = (path: string, name: string) => name === NODE_MODULES || path === ".git";
    const pristine = filter(await listEntries(pristineDir, { skipDir }), isTest);
    const current = filter(await listEntries(workspace.dir, { skipDir }), isTest);

    const removed: string[] = [];
    for (const path of current.keys()) {
      if (pristine.has(path)) continue;
      await rm(join(workspace.dir, path), { recursive: true, force: true });
      removed.push(path);
    }
    const restored: string[] = [];
    const realDirs = new Set<string>();
    for (const [path, type] of pristine) {
      if (type === "other") continue;
      const from = join(pristineDir, path);
      const to = join(workspace.dir, path);
      if (current.has(path) && (await sameEntry(from, to, type))) continue;
      removed.push(...(await makeRealParents(workspace.dir, path, realDirs)));
      await rm(to, { recursive: true, force: true });
      if (type === "symlink") {
        await symlink(await readlink(from), to);
      } else {
        await copyFile(from, to);
        await chmod(to, (await lstat(from)).mode & 0o777);
      }
      restored.push(path);
    }
    if (
      await restorePackageTestConfig(workspace.dir, await testConfigSource(workspace, scenario, pristineDir))
    )
      restored.push(`${PACKAGE_JSON} (${TEST_CONFIG_KEYS.join(", ")} keys)`);
    return { restored: restored.sort(), removed: removed.sort() };
  } finally {
    await rm(pristineDir, { recursive: true, force: true });
  }
}

const PACKAGE_JSON = "package.json";

/**
 * The keys of package.json that configure test runners: they are test configuration like
 * jest.config.js, so they come back from the scenario too (a `jest.testRunner` of the agent's
 * own could report whatever it likes).
 */
export const TEST_CONFIG_KEYS = ["jest", "mocha", "ava", "tap", "c8", "nyc"] as const;

/**
 * Where package.json's test keys come from: the scenario's test side, or, when the gold patch
 * itself edits package.json, the fixed state (so the keys are the ones the scenario was proven with).
 */
async function testConfigSource(
  workspace: Workspace,
  scenario: Scenario,
  pristineDir: string,
): Promise<string> {
  if (!/^diff --git a\/package\.json b\/package\.json$/m.test(scenario.patch)) return pristineDir;
  const fixed = join(pristineDir, ".repogym-fixed");
  await extractTree(workspace.repo, scenario.base_commit, fixed, [
    { patch: scenario.test_patch, label: "the test patch" },
    { patch: scenario.patch, label: "the gold patch" },
  ]);
  return fixed;
}

/** Puts package.json's test-runner keys back to the scenario's; true when anything changed. */
async function restorePackageTestConfig(dir: string, pristineDir: string): Promise<boolean> {
  const pristine = parseObject(
    await readFile(join(pristineDir, PACKAGE_JSON), "utf8").catch(() => undefined),
  );
  const target = join(dir, PACKAGE_JSON);
  const info = await lstat(target).catch(() => undefined);
  if (!pristine || !info) return false;
  // A link the agent planted is replaced, never written through.
  const current = info.isFile() ? parseObject(await readFile(target, "utf8")) : undefined;
  if (!current) {
    await rm(target, { force: true });
    await copyFile(join(pristineDir, PACKAGE_JSON), target);
    return true;
  }
  let changed = false;
  for (const key of TEST_CONFIG_KEYS) {
    const want = JSON.stringify(pristine[key]);
    if (JSON.stringify(current[key]) === want) continue;
    if (pristine[key] === undefined) delete current[key];
    else current[key] = pristine[key];
    changed = true;
  }
  if (changed) await writeFile(target, `${JSON.stringify(current, null, 2)}\n`);
  return changed;
}

function parseObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function filter(entries: Map<string, EntryType>, keep: (path: string) => boolean): Map<string, EntryType> {
  return new Map([...entries].filter(([path]) => keep(path)));
}

/** Same type, same link target or same bytes and executable bit; lstat only, never through a link. */
async function sameEntry(pristine: string, current: string, type: EntryType): Promise<boolean> {
  const stats = await lstat(current).catch(() => undefined);
  if (!stats) return false;
  if (type === "symlink")
    return stats.isSymbolicLink() && (await readlink(pristine)) === (await readlink(current));
  if (!stats.isFile()) return false;
  const expected = await lstat(pristine);
  if ((expected.mode & 0o111) !== (stats.mode & 0o111) || expected.size !== stats.size) return false;
  return (await readFile(pristine)).equals(await readFile(current));
}

/**
 * Makes every folder above `path` a real folder inside root: a link or file the agent put
 * in the way is removed (and returned) and replaced by an empty folder.
 */
async function makeRealParents(root: string, path: string, realDirs: Set<string>): Promise<string[]> {
  const replaced: string[] = [];
  const segments = path.split("/").slice(0, -1);
  let current = "";
  for (const segment of segments) {
    current = current === "" ? segment : `${current}/${segment}`;
    if (realDirs.has(current)) continue;
    const full = join(root, current);
    const stats = await lstat(full).catch(() => undefined);
    if (!stats?.isDirectory()) {
      if (stats) {
        await rm(full, { recursive: true, force: true });
        replaced.push(current);
      }
      await mkdir(full);
    }
    realDirs.add(current);
  }
  return replaced;
}
