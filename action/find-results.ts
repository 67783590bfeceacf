import { lstat, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError } from "../core/errors.js";
import { parseResults, RESULTS_LIMITS, type Results } from "../core/results.js";

const MAX_FILES = 256;

/**
 * Finds every results.json under a folder (downloaded artifacts) without following links,
 * and reads each as untrusted data: size-capped, schema-checked, never executed.
 */
export async function readResultsUnder(root: string): Promise<Results[]> {
  const files: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 6) return;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isSymbolicLink()) continue;
      if (entry.isDirectory()) await walk(path, depth + 1);
      else if (entry.isFile() && entry.name === "results.json") files.push(path);
      if (files.length > MAX_FILES) throw new ConfigError(`more than ${MAX_FILES} results files`, root);
    }
  };
  try {
    await walk(root, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new ConfigError("no such folder", root);
    throw error;
  }
  if (files.length === 0)
    throw new ConfigError("no results.json found (download the results artifact here)", root);
  const out: Results[] = [];
  for (const file of files.sort()) {
    const info = await lstat(file);
    if (info.size > RESULTS_LIMITS.maxBytes) {
      throw new ConfigError(`${info.size} bytes, above the ${RESULTS_LIMITS.maxBytes}-byte limit`, file);
    }
    out.push(parseResults(await readFile(file), file));
  }
  return out;
}
