import type { Results } from "../core/results.js";
import type { Comparison } from "../report/compare.js";
import type { CheckConclusion } from "./github.js";

/** What the app reads of a `workflow_run` payload (GitHub's word, so trusted). */
export interface RunInfo {
  id: number;
  /** The workflow's name. */
  name: string;
  /** What started the run: pull_request, workflow_dispatch, push, ... */
  event: string;
  head_sha: string;
  html_url: string | null;
  /** The run's `run-name`; for the app's own runs it names the pull request and the pinned commit. */
  display_title: string | null;
  /** owner/name of the repository the run's head came from. */
  head_repository: string | null;
}

/** Which pull request a finished run reports on, decided from the run alone. */
export type RunTarget =
  /** The app dispatched it for `/repogym run` or a merged PR: its run-name says which PR and commit. */
  | { kind: "dispatched"; command: string; pr: number; sha: string }
  /** A fork's pull_request run: its token could not comment, so the app does. The PR is in the results, checked. */
  | { kind: "fork-pull-request" }
  | { kind: "skip"; reason: string };

const RUN_NAME = /^repogym (run|pr-scenario) #(\d{1,9}) @ ([0-9a-f]{40})$/;

/**
 * The run-name bot/templates/repogym.yml gives a dispatched run, e.g.
 * `repogym run #12 @ <40-hex sha>`. GitHub evaluates it from the dispatch's inputs, which only
 * the app (and people who may write) can set, so the app can believe it.
 */
export function runNameFor(command: string, pr: number, sha: string): string {
  return `repogym ${command} #${pr} @ ${sha}`;
}

export function targetOfRun(run: RunInfo, repo: string): RunTarget {
  if (run.event === "workflow_dispatch") {
    const match = RUN_NAME.exec(run.display_title ?? "");
    if (!match) return { kind: "skip", reason: `run ${run.id} was not dispatched for a pull request` };
    return { kind: "dispatched", command: match[1]!, pr: Number(match[2]), sha: match[3]! };
  }
  if (run.event === "pull_request") {
    if (run.head_repository !== null && run.head_repository.toLowerCase() === repo.toLowerCase()) {
      return {
        kind: "skip",
        reason: `run ${run.id} is for a pull request from ${repo} itself, whose token comments on its own`,
      };
    }
    return { kind: "fork-pull-request" };
  }
  return { kind: "skip", reason: `run ${run.id} ran on ${run.event}, not for a pull request` };
}

export type Verdict =
  | { ok: true; pr: number; headSha: string }
  /** The results do not belong to this run or pull request: nothing is posted. */
  | { ok: false; reason: string };

/**
 * Whether untrusted results may be posted for a run (pure): they must be for this repository
 * and for the commit GitHub ran, and name the pull request the run was for. The caller then
 * checks the pull request still has that head.
 */
export function verifyResults(results: Results, run: RunInfo, repo: string, target: RunTarget): Verdict {
  if (target.kind === "skip") return { ok: false, reason: target.reason };
  if (results.repo.toLowerCase() !== repo.toLowerCase()) {
    return { ok: false, reason: `the results are for ${results.repo}, not ${repo}` };
  }
  if (target.kind === "dispatched") {
    // The Action records the commit it was started on (the default branch's) or the checked-out one.
    if (results.commit !== run.head_sha && results.commit !== target.sha) {
      return {
        ok: false,
        reason: `the results claim commit ${results.commit.slice(0, 7)}, but run ${run.id} was for ${target.sha.slice(0, 7)}`,
      };
    }
    return { ok: true, pr: target.pr, headSha: target.sha };
  }
  const pr = results.pull_request;
  if (!pr) return { ok: false, reason: "the results name no pull request" };
  if (results.commit !== run.head_sha || pr.head_sha !== run.head_sha) {
    return {
      ok: false,
      reason: `the results claim commit ${results.commit.slice(0, 7)}, but run ${run.id} was for ${run.head_sha.slice(0, 7)}`,
    };
  }
  return { ok: true, pr: pr.number, headSha: run.head_sha };
}

/** GitHub's limit on a check run's summary. */
export const CHECK_SUMMARY_MAX = 65_535;

/** The check run for a report (pure): success, or neutral when nothing was rewarded or the reward fell beyond noise. */
export function checkRunFor(
  comparison: Comparison,
  comment: string,
): { conclusion: CheckConclusion; title: string; summary: string } {
  const mean = comparison.summary.reward.mean;
  const { delta, significant } = comparison.reward;
  let conclusion: CheckConclusion = "success";
  let title: string;
  if (mean === null) {
    conclusion = "neutral";
    title = "No rollout was rewarded (infrastructure errors)";
  } else {
    const change =
      delta === null
        ? ""
        : ` (${delta >= 0 ? "+" : "−"}${Math.abs(delta).toFixed(2)} vs base${significant ? ", beyond noise" : ""})`;
    title = `Mean reward ${mean.toFixed(2)}${change}`;
    if (delta !== null && delta < 0 && significant) conclusion = "neutral";
  }
  // The comment's first line is its hidden marker; a check run has no use for it.
  const body = comment.replace(/^<!--.*-->\r?\n/, "").trim();
  const cut = "\n\n_Cut to fit the check run's size limit; see the pull request comment._";
  const summary =
    body.length <= CHECK_SUMMARY_MAX ? body : `${body.slice(0, CHECK_SUMMARY_MAX - cut.length)}${cut}`;
  return { conclusion, title, summary };
}
