import type { Dirent } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";

/** What sits at a path, seen without following symbolic links. */
export type EntryType = "file" | "symlink" | "other";

/** Folders a walk never enters: installed dependencies, and the repogym folder that is never copied. */
export const NODE_MODULES = "node_modules";
export const REPOGYM_FOLDER = ".repogym";

export interface WalkOptions {
  /** Folders (by relative path) not to enter. */
  skipDir?: (path: string, name: string) => boolean;
}

/**
 * Visits every entry under root, depth first, without following symbolic links. `visit`
 * returns true to enter a folder; entries of folders it declines are not seen.
 */
async function walk(
  root: string,
  visit: (path: string, entry: Dirent) => Promise<boolean> | boolean,
): Promise<void> {
  const enter = async (relDir: string): Promise<void> => {
    let children: Dirent[];
    try {
      children = await readdir(relDir === "" ? root : join(root, relDir), { withFileTypes: true });
    } catch {
      return;
    }
    for (const child of children) {
      const path = relDir === "" ? child.name : `${relDir}/${child.name}`;
      if ((await visit(path, child)) && child.isDirectory()) await enter(path);
    }
  };
  await enter("");
}

/**
 * Every non-folder entry under root, by `/`-separated relative path. Symbolic links are
 * listed as links and never followed, so a link cannot lead a walk out of root.
 */
export async function listEntries(root: string, options: WalkOptions = {}): Promise<Map<string, EntryType>> {
  const entries = new Map<string, EntryType>();
  await walk(root, (path, child) => {
    if (child.isDirectory()) return !options.skipDir?.(path, child.name);
    entries.set(path, child.isSymbolicLink() ? "symlink" : child.isFile() ? "file" : "other");
    return false;
  });
  return entries;
}

/**
 * Removes everything named `.repogym` under root (suites, configs, run output: none of it
 * belongs in a state an agent sees). Returns the removed relative paths.
 */
export async function removeRepogymFolders(root: string): Promise<string[]> {
  const removed: string[] = [];
  await walk(root, async (path, child) => {
    // A file or link by that name goes too: a link could lead to a suite elsewhere.
    if (child.name === REPOGYM_FOLDER) {
      await rm(join(root, path), { recursive: true, force: true });
      removed.push(path);
      return false;
    }
    return child.name !== ".git";
  });
  return removed;
}
