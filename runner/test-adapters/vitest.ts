import { type Dirent, readdirSync } from "node:fs";
import { join } from "node:path";
import { writeVitestGuard } from "./assertion-guard.js";
import { detectPackage, escapeGlob, positionalFile, requestedFiles } from "./common.js";
import { parseJestStyleReport } from "./jest-report.js";
import type { TestAdapter } from "./types.js";

/** Never holds the project's own test files, and is far too big to walk. */
const SKIPPED_DIRS = new Set(["node_modules", ".git"]);

/** Every file under root, as root-relative posix paths. */
function listFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string, prefix: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(join(dir, entry.name), path);
      } else {
        files.push(path);
      }
    }
  };
  walk(root, "");
  return files;
}

/**
 * Vitest treats each positional argument as a case-insensitive substring of the test file's
 * path (vitest 4 has no exact-path mode: `./a.test.js` and absolute paths are reduced to the
 * same substring), so `a.test.js` also runs `aa.test.js` and `src/a.test.js`. These are the
 * files that would be picked up that way, to exclude them explicitly.
 */
export function overMatchedFiles(root: string, files: readonly string[]): string[] {
  const wanted = requestedFiles(files);
  const filters = [...wanted].map((file) => file.toLowerCase());
  return listFiles(root).filter((path) => {
    if (wanted.has(path)) return false;
    const lower = path.toLowerCase();
    return filters.some((filter) => lower.includes(filter));
  });
}

export const vitestAdapter: TestAdapter = {
  name: "vitest",

  detect(project) {
    return detectPackage(project, "vitest");
  },

  buildCommand({ root, files, reportPath, binDir }) {
    // `--exclude=` keeps a path that starts with "-" the flag's value (its globs are picomatch's).
    const excludes = overMatchedFiles(root, files).map((path) => `--exclude=${escapeGlob(path)}`);
    return {
      command: join(binDir, "vitest"),
      args: [
        // `run` never watches.
        "run",
        // The project's config with a guard around its setup files: source code under test
        // cannot rewrite the assertion library (see assertion-guard.ts).
        `--config=${writeVitestGuard(reportPath)}`,
        // The default reporter keeps the output readable for whoever debugs a failed run.
        "--reporter=default",
        "--reporter=json",
        `--outputFile.json=${reportPath}`,
        "--no-color",
        "--coverage.enabled=false",
        // The results cache lives in node_modules/.vite, which states may share.
        "--no-cache",
        // A config's `bail` would stop at the first failure and leave the later tests unreported.
        "--bail=0",
        ...excludes,
        // vitest takes no `--` (it ignores what follows and runs every test file).
        ...files.map(positionalFile),
      ],
    };
  },

  parseReport(input) {
    return parseJestStyleReport("vitest", input);
  },
};
