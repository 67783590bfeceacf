import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONFIG_PATH, type Config, defaultConfig, parseConfig } from "../core/config.js";
import { ConfigError, describeError, GitError } from "../core/errors.js";
import { Git, openRepository } from "../core/git.js";
import type { Scenario } from "../core/scenario.js";
import { DependencyCache } from "../runner/dependency-cache.js";
import { checkCandidateSize, classifyCommit, SKIP_REASONS, type SkipReason } from "./candidates.js";
import { createClassifier } from "./classify.js";
import { instanceIdFor } from "./instance-id.js";
import { countChangedLines } from "./line-counts.js";
import { proveCandidate } from "./mine.js";
import type { ProofTimings } from "./prove.js";
import { type ChangedFile, type CommitRecord, parseRawFiles } from "./scan.js";
import { checkDependencies } from "./select-candidates.js";

/**
 * "Could the agent have written this PR?": a pull request's own changes (the diff from the
 * merge base of its base and head to its head, like GitHub's "Files changed") classified,
 * split and proven exactly like a mined commit, and returned as a scenario for the Action to
 * run an agent on. Nothing is written to a suite.
 */

export interface PullRequestScenarioOptions {
  /** A local clone holding both commits and the history between them (not shallow). */
  repo: string;
  /** The PR's base commit (the base branch tip the PR is compared against). */
  baseSha: string;
  /** The PR's head commit. */
  headSha: string;
  /** The PR number: the instance id ends in `-pr<number>`. */
  number: number;
  /** PR title and body: the problem statement (links, hashes and `fixes #N` are stripped). */
  title: string;
  body: string | null;
  /** `owner/name`; the clone's origin remote (or `local/<folder>`) when absent. */
  repoName?: string;
  /** Base of links, e.g. `https://github.com/owner/name`; derived from the remote when absent. */
  webUrl?: string;
  /**
   * Config to use. When absent, `.repogym/config.yml` as of the base commit (defaults when it
   * has none), so a PR cannot change the limits or commands it is judged by.
   */
  config?: Config;
  /** Shared dependency cache folder. */
  cacheDir: string;
  toolVersion: string;
  /** Overrides the runs per state from config. */
  runs?: number;
  now?: () => Date;
  /** Aborting (with the interrupt killing the test processes) makes the call throw the signal's reason. */
  signal?: AbortSignal;
  /** Called once the proof has run, with where its time went. */
  onProof?: (timings: ProofTimings) => void;
}

export type PullRequestScenarioResult =
  | { kind: "scenario"; scenario: Scenario }
  /** The same reason names mining records; `output` is the failing command's output, when one failed. */
  | { kind: "skip"; reason: SkipReason; detail: string; output?: string };

/**
 * Turns a pull request into a scenario: base commit = merge-base(base, head), the change =
 * merge base → head (merges of the base branch into the PR branch do not count as the PR's),
 * classified with the same classifier and limits as mining, split into test patch and gold
 * patch and proven like a mined commit (the test patch alone fails the F2P tests, with the
 * gold patch they pass, across repeated runs). Returns the scenario, or why there is none.
 *
 * Bad input (not a repository, a shallow clone, a commit that is not there, unrelated
 * histories, a bad number or name) throws; a failure while proving is an `internal-error` skip.
 */
export async function scenarioFromPullRequest(
  options: PullRequestScenarioOptions,
): Promise<PullRequestScenarioResult> {
  if (!Number.isInteger(options.number) || options.number < 1) {
    throw new ConfigError(`expected a positive whole number, got ${options.number}`, "pull request number");
  }
  if (options.repoName !== undefined && !/^[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/.test(options.repoName)) {
    throw new ConfigError(`expected owner/name, got "${options.repoName}"`, "repository name");
  }
  const repo = await openRepository(options.repo);
  const git = new Git(repo.root);
  const [base, head] = await Promise.all([
    resolveCommit(git, options.baseSha, "base", repo.root),
    resolveCommit(git, options.headSha, "head", repo.root),
  ]);
  const mergeBase = await mergeBaseOf(git, base, head);
  const config = options.config ?? (await configAt(git, base));
  const slug = options.repoName ?? repo.slug;
  const webUrl = options.webUrl ?? webUrlFor(repo.webUrl, options.repoName);
  const skip = (
    reason: SkipReason,
    detail: string | undefined,
    output?: string,
  ): PullRequestScenarioResult =>
    output === undefined
      ? { kind: "skip", reason, detail: detail ?? SKIP_REASONS[reason] }
      : { kind: "skip", reason, detail: detail ?? SKIP_REASONS[reason], output };

  options.signal?.throwIfAborted();
  let workRoot: string | undefined;
  try {
    const commit = await pullRequestChange(git, {
      mergeBase,
      head,
      title: options.title,
      body: options.body,
    });
    const classification = classifyCommit(commit, createClassifier(config.paths), config.limits);
    if (classification.kind === "skip") return skip(classification.reason, classification.detail);
    const candidate = classification.candidate;
    const counts = await countChangedLines(repo.root, [commit]);
    const problem =
      checkCandidateSize(candidate, counts.get(head), config.limits) ??
      (await checkDependencies(git, candidate));
    if (problem) return skip(problem.reason, problem.detail);

    workRoot = await mkdtemp(join(tmpdir(), "repogym-pr-"));
    const proven = await proveCandidate({
      candidate,
      instanceId: instanceIdFor(slug, head, options.number),
      pullNumber: options.number,
      git,
      repo: { root: repo.root, slug, ...(webUrl ? { webUrl } : {}) },
      config,
      cache: new DependencyCache({ cacheDir: options.cacheDir, timeoutMs: config.timeouts.install_ms }),
      runs: options.runs ?? config.validation.runs,
      workDir: join(workRoot, "proof"),
      toolVersion: options.toolVersion,
      now: options.now ?? (() => new Date()),
      ...(options.onProof ? { onProof: options.onProof } : {}),
    });
    // Processes killed by an interrupt prove nothing either way.
    options.signal?.throwIfAborted();
    return proven;
  } catch (error) {
    options.signal?.throwIfAborted();
    return skip(
      "internal-error",
      describeError(error),
      error instanceof Error ? (error.stack ?? error.message) : String(error),
    );
  } finally {
    if (workRoot) await rm(workRoot, { recursive: true, force: true });
  }
}

/** A changed path as a front knows it (GitHub's PR files list): removed files are not runnable. */
export interface ChangedPath {
  path: string;
  deleted?: boolean;
}

export type PullRequestTriage =
  | { worth: true; sourceFiles: string[]; testFiles: string[]; runnableTests: string[] }
  | { worth: false; reason: SkipReason; detail: string };

/**
 * Decides from the changed paths alone whether a PR is worth proving: the miner's own
 * classification (source and tests changed, a runnable test, no lockfile, within the file
 * limits), without git or a test run. A PR it accepts can still be skipped later (line
 * limits, package.json dependencies, the proof). Pure.
 */
export function triagePullRequestPaths(
  changed: ReadonlyArray<string | ChangedPath>,
  config: Pick<Config, "paths" | "limits"> = defaultConfig(),
): PullRequestTriage {
  const files: ChangedFile[] = changed.map((item) => {
    const { path, deleted } = typeof item === "string" ? { path: item, deleted: false } : item;
    return { path, status: deleted ? "D" : "M", nonUtf8: false, mode: "100644" };
  });
  const commit: CommitRecord = {
    sha: "",
    parents: ["base"],
    authorName: "",
    authorEmail: "",
    authorDate: "",
    committerDate: "",
    message: "",
    files,
  };
  const classification = classifyCommit(commit, createClassifier(config.paths), config.limits);
  if (classification.kind === "skip") {
    return {
      worth: false,
      reason: classification.reason,
      detail: classification.detail ?? SKIP_REASONS[classification.reason],
    };
  }
  const { candidate } = classification;
  return {
    worth: true,
    sourceFiles: candidate.sourceFiles.map((f) => f.path),
    testFiles: candidate.testFiles.map((f) => f.path),
    runnableTests: candidate.runnableTests,
  };
}

/** The PR as one change: head's tree against the merge base's, with the PR's title and body as message. */
async function pullRequestChange(
  git: Git,
  pr: { mergeBase: string; head: string; title: string; body: string | null },
): Promise<CommitRecord> {
  const [raw, meta] = await Promise.all([
    git.run(["-c", "core.quotepath=off", "diff-tree", "-r", "-z", "--no-renames", pr.mergeBase, pr.head]),
    git.run(["show", "-s", "--no-show-signature", "--format=%an%x00%ae%x00%aI%x00%cI", pr.head]),
  ]);
  const [authorName = "", authorEmail = "", authorDate = "", committerDate = ""] = meta.trim().split("\0");
  return {
    sha: pr.head,
    // The merge base is the state the PR changes: the scenario's base commit.
    parents: [pr.mergeBase],
    authorName,
    authorEmail,
    authorDate,
    committerDate,
    message: pullRequestMessage(pr.title, pr.body),
    files: parseRawFiles(raw),
  };
}

/** Title and body as a commit message; PR-template comments are dropped (leaks are stripped later). */
export function pullRequestMessage(title: string, body: string | null): string {
  const cleanTitle = title.replace(/\s+/g, " ").trim();
  const cleanBody = (body ?? "")
    .replace(/\r\n?/g, "\n")
    .replace(/<!--[\s\S]*?(?:-->|$)/g, "")
    .trim();
  return cleanBody === "" ? cleanTitle : `${cleanTitle}\n\n${cleanBody}`;
}

async function resolveCommit(git: Git, sha: string, which: string, root: string): Promise<string> {
  let resolved = "";
  if (/^[0-9a-f]{4,64}$/i.test(sha)) {
    try {
      resolved = await git.revParse(sha);
    } catch {
      // Reported below.
    }
  }
  if (!resolved) {
    throw new GitError(
      `the PR's ${which} commit "${sha}" is not in ${root}; fetch it first ` +
        "(in GitHub Actions: actions/checkout with fetch-depth: 0)",
    );
  }
  return resolved;
}

async function mergeBaseOf(git: Git, base: string, head: string): Promise<string> {
  try {
    return (await git.run(["merge-base", base, head])).trim();
  } catch {
    throw new GitError(
      `the PR's base ${base.slice(0, 10)} and head ${head.slice(0, 10)} share no history (no merge base)`,
    );
  }
}

async function configAt(git: Git, commit: string): Promise<Config> {
  const text = await git.showFile(commit, CONFIG_PATH);
  return text === undefined ? defaultConfig() : parseConfig(text, `${CONFIG_PATH} at ${commit.slice(0, 10)}`);
}

function webUrlFor(remoteUrl: string | undefined, repoName: string | undefined): string | undefined {
  if (repoName === undefined) return remoteUrl;
  const origin = remoteUrl ? new URL(remoteUrl).origin : "https://github.com";
  return `${origin}/${repoName}`;
}
