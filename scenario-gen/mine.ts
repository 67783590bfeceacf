import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../core/atomic-write.js";
import { type Config, loadConfig } from "../core/config.js";
import { describeError } from "../core/errors.js";
import { Git, openRepository, type RepositoryInfo } from "../core/git.js";
import { runPool } from "../core/pool.js";
import type { Scenario } from "../core/scenario.js";
import { ensureSuiteDir, listScenarioIds, writeScenario } from "../core/suite-store.js";
import { DependencyCache } from "../runner/dependency-cache.js";
import { buildScenario } from "./build-scenario.js";
import type { Candidate, SkipReason } from "./candidates.js";
import { createClassifier } from "./classify.js";
import { type ProofTimings, proveChange } from "./prove.js";
import {
  type SelectedCandidate,
  type SkippedCommit,
  selectCandidates,
  subjectOf,
} from "./select-candidates.js";

export interface MineOptions {
  repo: string;
  /** Suite folder; scenarios go to `<suiteDir>/scenarios/`. */
  suiteDir: string;
  /** Shared dependency cache folder. */
  cacheDir: string;
  toolVersion: string;
  since?: string;
  until?: string;
  /** Validate at most this many candidates (newest first). */
  max?: number;
  jobs?: number;
  dryRun?: boolean;
  allCommits?: boolean;
  rev?: string;
  /** Overrides the runs per state from config. */
  runs?: number;
  /** Config to use instead of the repository's `.repogym/config.yml`. */
  config?: Config;
  onEvent?: (event: MineEvent) => void;
  now?: () => Date;
  /** Stops taking new candidates; outcomes of candidates cut short are not recorded. */
  signal?: AbortSignal;
}

export interface MinedScenario {
  sha: string;
  subject: string;
  instanceId: string;
  file: string;
  failToPass: number;
  passToPass: number;
  flaky: number;
  durationMs: number;
}

export type { SkippedCommit };

export type CandidateOutcome = ({ kind: "scenario" } & MinedScenario) | ({ kind: "skip" } & SkippedCommit);

export type MineEvent =
  | { type: "scanned"; commits: number; candidates: CandidateSummary[]; skipped: SkippedCommit[] }
  | { type: "candidate-start"; index: number; total: number; sha: string; subject: string }
  | {
      type: "candidate-done";
      index: number;
      total: number;
      outcome: CandidateOutcome;
      durationMs: number;
      /** Where the proof's time went; absent when the candidate stopped before its proof. */
      timings?: ProofTimings;
    };

export interface CandidateSummary {
  sha: string;
  subject: string;
  instanceId: string;
  testFiles: string[];
  sourceFiles: string[];
}

export interface MineSummary {
  repo: RepositoryInfo;
  suiteDir: string;
  dryRun: boolean;
  commits: number;
  candidates: CandidateSummary[];
  scenarios: MinedScenario[];
  skipped: SkippedCommit[];
  skipsByReason: Partial<Record<SkipReason, number>>;
  durationMs: number;
  /** The run was interrupted: candidates not reached are neither scenarios nor skips. */
  interrupted: boolean;
}

/**
 * Mines a repository: one streaming scan of the history, a pure classification of every
 * commit, then each candidate proven in its own scratch states (`jobs` at a time), sharing
 * one dependency install per distinct manifest. Every commit ends as a scenario or a
 * recorded skip reason; one bad candidate never stops the others.
 */
export async function mineRepository(options: MineOptions): Promise<MineSummary> {
  const started = performance.now();
  const repo = await openRepository(options.repo);
  const config = options.config ?? (await loadConfig(repo.root));
  const classifier = createClassifier(config.paths);
  if (!options.dryRun) await ensureSuiteDir(options.suiteDir);
  const known = new Set(await listScenarioIds(options.suiteDir));
  const git = new Git(repo.root);
  const emit = options.onEvent ?? (() => {});

  const { commits, candidates, skipped } = await selectCandidates({
    repo,
    config,
    classifier,
    known,
    scan: {
      ...(options.rev ? { rev: options.rev } : {}),
      ...(options.since ? { since: options.since } : {}),
      ...(options.until ? { until: options.until } : {}),
      allCommits: options.allCommits ?? false,
    },
    ...(options.max === undefined ? {} : { max: options.max }),
  });
  const candidateSummaries = candidates.map(({ candidate, instanceId }) => ({
    sha: candidate.commit.sha,
    subject: subjectOf(candidate.commit.message),
    instanceId,
    testFiles: candidate.runnableTests,
    sourceFiles: candidate.sourceFiles.map((f) => f.path),
  }));
  emit({ type: "scanned", commits, candidates: candidateSummaries, skipped: [...skipped] });

  const scenarios: MinedScenario[] = [];
  if (!options.dryRun && candidates.length > 0) {
    const workRoot = await mkdtemp(join(tmpdir(), "repogym-mine-"));
    const cache = new DependencyCache({
      cacheDir: options.cacheDir,
      timeoutMs: config.timeouts.install_ms,
    });
    try {
      const work = async (item: SelectedCandidate, index: number): Promise<"stop" | undefined> => {
        const commit = item.candidate.commit;
        emit({
          type: "candidate-start",
          index,
          total: candidates.length,
          sha: commit.sha,
          subject: subjectOf(commit.message),
        });
        const t0 = performance.now();
        const proof: { timings?: ProofTimings } = {};
        const outcome = await mineCandidate({
          ...item,
          git,
          repo,
          config,
          cache,
          runs: options.runs ?? config.validation.runs,
          // Named by position, so no path a test prints can reveal the fix's commit.
          workDir: join(workRoot, String(index)),
          suiteDir: options.suiteDir,
          toolVersion: options.toolVersion,
          now: options.now ?? (() => new Date()),
          onProof: (timings) => {
            proof.timings = timings;
          },
        });
        // A candidate whose processes were killed by an interrupt proved nothing either way.
        if (options.signal?.aborted && outcome.kind === "skip") return "stop";
        if (outcome.kind === "scenario") {
          scenarios.push(outcome);
        } else {
          skipped.push(outcome);
        }
        emit({
          type: "candidate-done",
          index,
          total: candidates.length,
          outcome,
          durationMs: performance.now() - t0,
          ...(proof.timings ? { timings: proof.timings } : {}),
        });
      };
      await runPool(candidates, options.jobs ?? 1, work, options.signal);
    } finally {
      await rm(workRoot, { recursive: true, force: true });
    }
  }

  const skipsByReason: Partial<Record<SkipReason, number>> = {};
  for (const skip of skipped) skipsByReason[skip.reason] = (skipsByReason[skip.reason] ?? 0) + 1;
  const summary: MineSummary = {
    repo,
    suiteDir: options.suiteDir,
    dryRun: options.dryRun ?? false,
    commits,
    candidates: candidateSummaries,
    scenarios: scenarios.sort((a, b) => a.instanceId.localeCompare(b.instanceId)),
    skipped,
    skipsByReason,
    durationMs: performance.now() - started,
    interrupted: options.signal?.aborted ?? false,
  };
  if (!summary.dryRun) {
    await writeFileAtomic(
      join(options.suiteDir, "mine-report.json"),
      `${JSON.stringify(reportOf(summary), null, 2)}\n`,
    );
  }
  return summary;
}

function reportOf(summary: MineSummary) {
  return {
    schema: "repogym/mine-report@1",
    repo: summary.repo.slug,
    head: summary.repo.head,
    commits: summary.commits,
    candidates: summary.candidates.length,
    scenarios: summary.scenarios,
    skipped: summary.skipped,
    skips_by_reason: summary.skipsByReason,
    duration_ms: Math.round(summary.durationMs),
    interrupted: summary.interrupted,
  };
}

interface MineCandidateInput extends ProveCandidateInput {
  suiteDir: string;
}

async function mineCandidate(input: MineCandidateInput): Promise<CandidateOutcome> {
  const commit = input.candidate.commit;
  const started = performance.now();
  const subject = subjectOf(commit.message);
  const skip = async (reason: SkipReason, detail: string, output?: string): Promise<CandidateOutcome> => {
    const log =
      output !== undefined ? await keepLog(input.suiteDir, commit.sha, reason, detail, output) : undefined;
    return { kind: "skip", sha: commit.sha, subject, reason, detail, ...(log ? { log } : {}) };
  };
  try {
    const proven = await proveCandidate(input);
    if (proven.kind === "skip") return skip(proven.reason, proven.detail, proven.output);
    const scenario = proven.scenario;
    const file = await writeScenario(input.suiteDir, scenario);
    return {
      kind: "scenario",
      sha: commit.sha,
      subject,
      instanceId: scenario.instance_id,
      file,
      failToPass: scenario.FAIL_TO_PASS.length,
      passToPass: scenario.PASS_TO_PASS.length,
      flaky: scenario.validation.flaky.length,
      durationMs: performance.now() - started,
    };
  } catch (error) {
    return skip(
      "internal-error",
      describeError(error),
      error instanceof Error ? (error.stack ?? error.message) : String(error),
    );
  }
}

export interface ProveCandidateInput {
  /** The change; its first parent is the base commit both states start from. */
  candidate: Candidate;
  instanceId: string;
  pullNumber?: number;
  git: Git;
  repo: Pick<RepositoryInfo, "root" | "slug" | "webUrl">;
  config: Config;
  cache: DependencyCache;
  runs: number;
  /** Scratch folder for the proof; removed afterwards. */
  workDir: string;
  toolVersion: string;
  now: () => Date;
  /** Called once the proof has run, with where its time went. */
  onProof?: (timings: ProofTimings) => void;
}

/** A proven candidate's scenario record (not written anywhere), or why there is none. */
export type CandidateProof =
  | { kind: "scenario"; scenario: Scenario }
  | { kind: "skip"; reason: SkipReason; detail: string; output?: string };

/**
 * Splits a candidate's diff into the test patch (test files) and the gold patch (every other
 * file), proves it (before fails, after passes, repeatedly) and assembles the scenario. Used
 * by mining and by `pr-scenario`, so both turn a change into a scenario the same way. Git
 * and file-system failures throw.
 */
export async function proveCandidate(input: ProveCandidateInput): Promise<CandidateProof> {
  const { candidate, git } = input;
  const commit = candidate.commit;
  const parent = commit.parents[0]!;
  const testPaths = candidate.testFiles.map((f) => f.path);
  const goldPaths = [...candidate.sourceFiles, ...candidate.otherFiles].map((f) => f.path);
  const [patch, testPatch] = await Promise.all([
    git.diff(parent, commit.sha, goldPaths),
    git.diff(parent, commit.sha, testPaths),
  ]);
  const proof = await proveChange({
    repo: input.repo.root,
    baseCommit: parent,
    testPatch,
    patch,
    testFiles: candidate.runnableTests,
    config: input.config,
    cache: input.cache,
    runs: input.runs,
    workDir: input.workDir,
    earlyExit: true,
  });
  input.onProof?.(proof.timings);
  if (!proof.ok) {
    return proof.output === undefined
      ? { kind: "skip", reason: proof.reason, detail: proof.detail }
      : { kind: "skip", reason: proof.reason, detail: proof.detail, output: proof.output };
  }
  if (proof.comparison.failToPass.length === 0) {
    const flaky = proof.comparison.flaky.length;
    return {
      kind: "skip",
      reason: "no-fail-to-pass",
      detail: flaky > 0 ? `${flaky} flaky tests dropped` : "every test had the same result before and after",
    };
  }
  const scenario = buildScenario({
    instanceId: input.instanceId,
    slug: input.repo.slug,
    ...(input.repo.webUrl ? { webUrl: input.repo.webUrl } : {}),
    candidate,
    ...(input.pullNumber ? { pullNumber: input.pullNumber } : {}),
    patch,
    testPatch,
    proof,
    toolVersion: input.toolVersion,
    now: input.now(),
  });
  return { kind: "scenario", scenario };
}

async function keepLog(
  suiteDir: string,
  sha: string,
  reason: string,
  detail: string,
  output: string,
): Promise<string> {
  const file = join(suiteDir, "logs", `${sha.slice(0, 10)}-${reason}.log`);
  await writeFileAtomic(file, `${detail}\n\n${output || "(the command printed nothing)"}\n`);
  return file;
}
