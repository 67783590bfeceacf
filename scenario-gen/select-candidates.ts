import type { Config } from "../core/config.js";
import { Git, type RepositoryInfo } from "../core/git.js";
import {
  type Candidate,
  checkCandidateSize,
  classifyCommit,
  dependenciesDiffer,
  type SkipReason,
} from "./candidates.js";
import type { PathClassifier } from "./classify.js";
import { instanceIdFor } from "./instance-id.js";
import { countChangedLines } from "./line-counts.js";
import { pullNumberOf } from "./problem-statement.js";
import { type CommitRecord, type ScanOptions, scanHistory } from "./scan.js";

export interface SelectedCandidate {
  candidate: Candidate;
  instanceId: string;
  pullNumber?: number;
}

export interface SkippedCommit {
  sha: string;
  subject: string;
  reason: SkipReason;
  detail?: string;
  /** Where the failing command's output was kept. */
  log?: string;
}

export interface Selection {
  commits: number;
  candidates: SelectedCandidate[];
  skipped: SkippedCommit[];
}

export interface SelectOptions {
  repo: RepositoryInfo;
  scan: ScanOptions;
  config: Config;
  classifier: PathClassifier;
  /** Instance ids already in the suite. */
  known: ReadonlySet<string>;
  /** Stop once this many candidates are selected (newest first). */
  max?: number;
}

export const subjectOf = (message: string): string => message.split("\n")[0] ?? "";

/**
 * Walks the history once, classifies every commit, and sizes the commits that could be
 * candidates in batches (one `git diff-tree` per batch). With `max`, a batch is exactly the
 * number still wanted, so the walk stops as soon as enough candidates have passed the size
 * checks.
 */
export async function selectCandidates(options: SelectOptions): Promise<Selection> {
  const { repo, config, classifier, known } = options;
  const git = new Git(repo.root);
  const candidates: SelectedCandidate[] = [];
  const skipped: SkippedCommit[] = [];
  let pending: SelectedCandidate[] = [];
  let commits = 0;
  /** Ids given out in this walk, so no two candidates share one. */
  const taken = new Set<string>();
  const skip = (commit: CommitRecord, reason: SkipReason, detail?: string) =>
    skipped.push({
      sha: commit.sha,
      subject: subjectOf(commit.message),
      reason,
      ...(detail ? { detail } : {}),
    });

  const sizePending = async () => {
    const counts = await countChangedLines(
      repo.root,
      pending.map((p) => p.candidate.commit),
    );
    for (const item of pending) {
      const problem =
        checkCandidateSize(item.candidate, counts.get(item.candidate.commit.sha), config.limits) ??
        (await checkDependencies(git, item.candidate));
      if (problem) skip(item.candidate.commit, problem.reason, problem.detail);
      else candidates.push(item);
    }
    pending = [];
  };
  const wanted = () =>
    options.max === undefined ? Number.POSITIVE_INFINITY : options.max - candidates.length;

  for await (const commit of scanHistory(repo.root, options.scan)) {
    commits++;
    const classification = classifyCommit(commit, classifier, config.limits);
    if (classification.kind === "skip") {
      skip(commit, classification.reason, classification.detail);
      continue;
    }
    let pullNumber = options.scan.allCommits ? undefined : pullNumberOf(commit.message);
    let instanceId = instanceIdFor(repo.slug, commit.sha, pullNumber);
    if (pullNumber !== undefined && taken.has(instanceId)) {
      // Two changes claim the same PR number (a revert, a reused title): the older one is
      // named by its commit instead, so neither overwrites the other.
      pullNumber = undefined;
      instanceId = instanceIdFor(repo.slug, commit.sha);
    }
    if (known.has(instanceId)) {
      skip(commit, "already-mined", instanceId);
      continue;
    }
    taken.add(instanceId);
    pending.push({ candidate: classification.candidate, instanceId, ...(pullNumber ? { pullNumber } : {}) });
    if (pending.length >= wanted()) {
      await sizePending();
      if (wanted() <= 0) break;
    }
  }
  if (pending.length > 0) await sizePending();
  return { commits, candidates, skipped };
}

/** A package.json change that touches dependencies needs a different install per state. */
export async function checkDependencies(
  git: Git,
  candidate: Candidate,
): Promise<{ reason: SkipReason; detail: string } | undefined> {
  if (!candidate.touchesPackageJson) return undefined;
  const commit = candidate.commit;
  const [before, after] = await Promise.all([
    git.showFile(commit.parents[0]!, "package.json"),
    git.showFile(commit.sha, "package.json"),
  ]);
  return dependenciesDiffer(before, after)
    ? { reason: "dependency-change", detail: "package.json dependencies changed" }
    : undefined;
}
