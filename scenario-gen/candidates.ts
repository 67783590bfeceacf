import type { Config } from "../core/config.js";
import type { PathClassifier } from "./classify.js";
import type { CommitLineCounts } from "./line-counts.js";
import type { ChangedFile, CommitRecord } from "./scan.js";

export const SKIP_REASONS = {
  "root-commit": "the first commit has no parent to break",
  "non-utf8-path": "a changed path is not valid UTF-8",
  "no-source-change": "no source file changed",
  "no-test-change": "no test file changed",
  "no-runnable-test": "only test helpers or data changed, no test file to run",
  "dependency-change": "dependencies changed (lockfile or package.json dependencies)",
  "too-large": "the change is larger than the configured limits",
  "binary-only": "every source change is binary",
  submodule: "a submodule changed",
  "already-mined": "already in the suite",
  "no-fail-to-pass": "no test fails before the fix and passes after it",
  "install-failed": "dependencies could not be installed",
  "setup-failed": "a setup command failed",
  "test-infra-error": "the test runner crashed, hung or reported nothing",
  "patch-failed": "the commit's diff could not be turned into patches that apply",
  "no-framework": "no supported test framework was found",
  "internal-error": "repogym failed on this commit (see the kept log)",
} as const;
export type SkipReason = keyof typeof SKIP_REASONS;

export interface Candidate {
  commit: CommitRecord;
  sourceFiles: ChangedFile[];
  testFiles: ChangedFile[];
  otherFiles: ChangedFile[];
  /** Changed test files that a runner should execute, and that exist after the commit. */
  runnableTests: string[];
  /** Whether package.json changed (its dependency fields are compared later, from the blobs). */
  touchesPackageJson: boolean;
}

export type Classification =
  | { kind: "candidate"; candidate: Candidate }
  | { kind: "skip"; commit: CommitRecord; reason: SkipReason; detail?: string };

/** Decides from the scan alone whether a commit is worth validating (sizes come later). Pure. */
export function classifyCommit(
  commit: CommitRecord,
  classifier: PathClassifier,
  limits: Config["limits"],
): Classification {
  const skip = (reason: SkipReason, detail?: string): Classification =>
    detail === undefined ? { kind: "skip", commit, reason } : { kind: "skip", commit, reason, detail };
  if (commit.parents.length === 0) return skip("root-commit");
  const bad = commit.files.find((f) => f.nonUtf8);
  if (bad) return skip("non-utf8-path", bad.path);
  const submodule = commit.files.find((f) => f.mode === "160000");
  if (submodule) return skip("submodule", submodule.path);

  const sourceFiles: ChangedFile[] = [];
  const testFiles: ChangedFile[] = [];
  const otherFiles: ChangedFile[] = [];
  for (const file of commit.files) {
    const kind = classifier.kind(file.path);
    (kind === "source" ? sourceFiles : kind === "test" ? testFiles : otherFiles).push(file);
  }
  if (sourceFiles.length === 0) return skip("no-source-change");
  if (testFiles.length === 0) return skip("no-test-change");
  const dependency = commit.files.find((f) => classifier.isDependencyFile(f.path));
  if (dependency) return skip("dependency-change", dependency.path);

  const runnableTests = testFiles
    .filter((f) => f.status !== "D" && classifier.isRunnableTest(f.path))
    .map((f) => f.path);
  if (runnableTests.length === 0) return skip("no-runnable-test");

  if (sourceFiles.length > limits.max_source_files) {
    return skip("too-large", `${sourceFiles.length} source files (limit ${limits.max_source_files})`);
  }
  if (runnableTests.length > limits.max_test_files) {
    return skip("too-large", `${runnableTests.length} test files (limit ${limits.max_test_files})`);
  }
  return {
    kind: "candidate",
    candidate: {
      commit,
      sourceFiles,
      testFiles,
      otherFiles,
      runnableTests,
      touchesPackageJson: commit.files.some((f) => f.path === "package.json"),
    },
  };
}

/**
 * The checks that need line counts (taken only for candidates, see line-counts.ts): a change
 * whose source side is all binary, or larger than the limit, is skipped. Pure.
 */
export function checkCandidateSize(
  candidate: Candidate,
  counts: CommitLineCounts | undefined,
  limits: Config["limits"],
): { reason: SkipReason; detail?: string } | undefined {
  if (!counts) return undefined;
  const source = candidate.sourceFiles.map((f) => counts.get(f.path));
  if (source.length > 0 && source.every((c) => c?.binary)) return { reason: "binary-only" };
  const changed = source.reduce((n, c) => n + (c?.added ?? 0) + (c?.removed ?? 0), 0);
  if (changed > limits.max_changed_lines) {
    return {
      reason: "too-large",
      detail: `${changed} changed source lines (limit ${limits.max_changed_lines})`,
    };
  }
  return undefined;
}

/** True when two package.json texts declare different dependencies (scripts and version may differ). */
export function dependenciesDiffer(before: string | undefined, after: string | undefined): boolean {
  const pick = (text: string | undefined): string => {
    if (text === undefined) return "";
    try {
      const json = JSON.parse(text) as Record<string, unknown>;
      const keys = [
        "dependencies",
        "devDependencies",
        "peerDependencies",
        "optionalDependencies",
        "overrides",
        "resolutions",
        "workspaces",
        "packageManager",
      ];
      return JSON.stringify(keys.map((k) => json[k] ?? null));
    } catch {
      return text;
    }
  };
  return pick(before) !== pick(after);
}
