import picomatch from "picomatch";
import type { Config } from "../core/config.js";
import { INSTALL_INPUTS } from "../runner/package-manager.js";

/** What a changed path is, for deciding whether a commit is a candidate and how to split its diff. */
export type PathKind = "test" | "source" | "other";

const CODE_EXTENSIONS = /\.(?:[cm]?[jt]sx?|vue|svelte|astro)$/;
const TEST_DIRS = new Set([
  "test",
  "tests",
  "__tests__",
  "spec",
  "specs",
  "__snapshots__",
  "__fixtures__",
  "__mocks__",
  "tap-snapshots",
]);
/** Folders whose files are inputs or recorded outputs of tests, never tests, whatever their names. */
const DATA_DIRS = new Set(["fixtures", "__fixtures__", "__mocks__", "__snapshots__", "tap-snapshots"]);
const TEST_NAME = /\.(?:test|spec)\.[^/]+$/;
/** `test.js` / `test-foo.js` at any level: ava's and many small packages' convention. */
const TEST_BASENAME = /^(?:tests?|test-[^/]+)\.[cm]?[jt]sx?$/;
/** Type tests (tsd, `*.test-d.ts`) are part of the test side but are not run by a test runner. */
const TYPE_TEST = /\.test-d\.[cm]?tsx?$/;
const SNAPSHOT = /\.snap$/;
/**
 * Test-runner configuration: part of the test side, restored before scoring. vite.config is
 * one too: vitest reads it when there is no vitest.config (an alias there can swap vitest out).
 */
const TEST_CONFIG =
  /^(?:vitest\.config|vitest\.workspace|vite\.config|jest\.config|ava\.config|karma\.conf)\.[^/]+$|^\.mocharc(?:\.[^/]+)?$|^\.taprc$/;
/** Folders under a test folder that usually hold support code: their files run only when named as tests. */
const SUPPORT_DIRS = new Set([
  "fixtures",
  "__fixtures__",
  "helpers",
  "__mocks__",
  "__snapshots__",
  "mocks",
  "data",
  "utils",
  "support",
]);
const NON_SOURCE_DIRS = new Set([
  ".github",
  ".vscode",
  ".husky",
  ".changeset",
  "docs",
  "doc",
  "examples",
  "example",
  "benchmark",
  "benchmarks",
  "bench",
]);

/** Files whose change means the two states would need different dependencies. */
const DEPENDENCY_FILES = new Set(INSTALL_INPUTS);

export interface PathClassifier {
  kind(path: string): PathKind;
  /** True for test files a runner should execute (not fixtures, helpers or snapshots). */
  isRunnableTest(path: string): boolean;
  /** Lockfiles and package-manager settings (package.json is judged by its dependency fields). */
  isDependencyFile(path: string): boolean;
}

export function createClassifier(paths: Config["paths"]): PathClassifier {
  const extraTests = paths.tests.length > 0 ? picomatch(paths.tests, { dot: true }) : undefined;
  const sourceOnly = paths.source.length > 0 ? picomatch(paths.source, { dot: true }) : undefined;
  const ignored = paths.ignore.length > 0 ? picomatch(paths.ignore, { dot: true }) : undefined;

  const isTest = (path: string): boolean => {
    if (extraTests?.(path)) return true;
    const segments = path.split("/");
    const base = segments[segments.length - 1]!;
    if (TEST_NAME.test(base) || TEST_BASENAME.test(base) || TYPE_TEST.test(base)) return true;
    if (SNAPSHOT.test(base) || TEST_CONFIG.test(base)) return true;
    return segments.slice(0, -1).some((s) => TEST_DIRS.has(s));
  };

  const kind = (path: string): PathKind => {
    if (ignored?.(path)) return "other";
    if (isTest(path)) return "test";
    if (sourceOnly) return sourceOnly(path) ? "source" : "other";
    const segments = path.split("/");
    if (segments.slice(0, -1).some((s) => NON_SOURCE_DIRS.has(s))) return "other";
    const base = segments[segments.length - 1]!;
    if (base.endsWith(".d.ts") || /\.config\.[^/]+$/.test(base) || base.startsWith(".")) return "other";
    return CODE_EXTENSIONS.test(base) ? "source" : "other";
  };

  const isRunnableTest = (path: string): boolean => {
    if (kind(path) !== "test") return false;
    const segments = path.split("/");
    const base = segments[segments.length - 1]!;
    if (!CODE_EXTENSIONS.test(base) || base.endsWith(".d.ts")) return false;
    if (TEST_CONFIG.test(base) || TYPE_TEST.test(base)) return false;
    const dirs = segments.slice(0, -1);
    if (dirs.some((s) => DATA_DIRS.has(s))) return false;
    if (TEST_NAME.test(base) || TEST_BASENAME.test(base)) return true;
    if (dirs.some((s) => SUPPORT_DIRS.has(s))) return false;
    if (base.startsWith("_") || /^(?:helpers?|setup|utils?|common|globals?|index)\./.test(base)) return false;
    return dirs.some((s) => TEST_DIRS.has(s)) || (extraTests?.(path) ?? false);
  };

  const isDependencyFile = (path: string): boolean => {
    const base = path.split("/").pop()!;
    return DEPENDENCY_FILES.has(base) && !path.includes("node_modules/");
  };

  return { kind, isRunnableTest, isDependencyFile };
}
