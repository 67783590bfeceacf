import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as core from "@actions/core";
import { describeError } from "../core/errors.js";
import type { Results } from "../core/results.js";
import { type PrScenarioOutcome, renderComment } from "../report/comment.js";
import { compareResults } from "../report/compare.js";
import { evaluateGates } from "../report/gates.js";
import { renderHtmlReport } from "../report/html.js";
import { renderJobSummary } from "../report/summary.js";
import { upsertComment } from "./comment.js";
import type { EventInfo } from "./event.js";
import type { GitHubClient } from "./github.js";
import { loadHistory, pickBase, recordResults } from "./history.js";
import type { ActionInputs } from "./inputs.js";

export const RESULTS_FILE = "results.json";

export interface PublishInput {
  client: GitHubClient | null;
  inputs: ActionInputs;
  event: EventInfo;
  results: Results;
  /** Absolute results folder. */
  resultsDir: string;
  notes?: string[];
  prScenario?: PrScenarioOutcome;
  /** The PR to comment on; by default the event's. */
  pullNumber?: number;
  /** False for a fork's pull request: nothing is written to GitHub. */
  canWrite: boolean;
}

export interface PublishResult {
  meanReward: number | null;
  resolvedRate: number | null;
  commentId: number | null;
  gatesPassed: boolean;
}

export async function writeResultsFile(dir: string, results: Results): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, RESULTS_FILE);
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

/**
 * Everything after a run has results: compare with the base branch's history, render the
 * comment, the job summary and the HTML report, post or update the one comment, keep
 * default-branch results in history, set outputs and apply the gates.
 */
export async function publish(input: PublishInput): Promise<PublishResult> {
  const { client, inputs, event, results } = input;
  const notes = [...(input.notes ?? [])];
  await writeResultsFile(input.resultsDir, results);

  let defaultBranch = event.defaultBranch;
  if (!defaultBranch && client) {
    defaultBranch = await client.defaultBranch().catch(() => null);
  }
  const historyOf = event.pull ? event.pull.base_ref : event.branch;
  let history: Results[] = [];
  if (inputs.historyBranch && client && historyOf) {
    try {
      const loaded = await loadHistory(client, {
        historyBranch: inputs.historyBranch,
        key: inputs.commentKey,
        branch: historyOf,
      });
      history = loaded.results;
      for (const skipped of loaded.skipped) core.warning(`Skipped a history file: ${skipped}`);
    } catch (error) {
      core.warning(`Could not read history from ${inputs.historyBranch}: ${describeError(error)}`);
      notes.push(`History could not be read, so there is no base to compare with.`);
    }
  }
  const base = event.pull
    ? pickBase(history, event.pull.base_sha)
    : (history.filter((r) => r.commit !== results.commit).at(-1) ?? null);
  const comparison = compareResults(results, base);
  const gates = evaluateGates(comparison, {
    ...(inputs.failBelow === null ? {} : { failBelow: inputs.failBelow }),
    ...(inputs.maxRegression === null ? {} : { maxRegression: inputs.maxRegression }),
  });

  const links = { ...(results.links ?? {}) };
  const comment = renderComment({
    comparison,
    key: inputs.commentKey,
    links,
    ...(gates.checks.length > 0 ? { gates } : {}),
    notes,
    ...(input.prScenario ? { prScenario: input.prScenario } : {}),
  });
  const summary = renderJobSummary({
    comparison,
    links,
    ...(gates.checks.length > 0 ? { gates } : {}),
    notes,
    ...(input.prScenario ? { prScenario: input.prScenario } : {}),
  });
  const trend = [...history.filter((r) => r.run_id !== results.run_id), ...(event.pull ? [] : [results])];
  const html = renderHtmlReport({ title: `repogym — ${results.repo}`, comparison, history: trend });
  await writeFile(join(input.resultsDir, "comment.md"), comment);
  await writeFile(join(input.resultsDir, "summary.md"), summary);
  await writeFile(join(input.resultsDir, "report.html"), html);
  await core.summary.addRaw(summary).write();

  let commentId: number | null = null;
  const pullNumber = input.pullNumber ?? event.pull?.number;
  if (pullNumber !== undefined && inputs.comment && client) {
    if (!input.canWrite) {
      core.notice(
        event.dispatch
          ? "This run was dispatched by the repogym app for the pull request: the results are in the artifact and the job summary, and the app posts the comment."
          : "This pull request comes from a fork, so its token is read-only: the results are in the artifact and the job summary, and the workflow_run workflow posts the comment.",
      );
    } else {
      try {
        const { comment: posted, created } = await upsertComment(
          client,
          pullNumber,
          inputs.commentKey,
          comment,
        );
        commentId = posted.id;
        core.info(`${created ? "Created" : "Updated"} the repogym comment: ${posted.html_url}`);
      } catch (error) {
        core.warning(`Could not post the comment: ${describeError(error)}`);
      }
    }
  }

  if (!event.pull && inputs.historyBranch && client && event.branch && event.branch === defaultBranch) {
    const path = await recordResults(client, results, {
      historyBranch: inputs.historyBranch,
      key: inputs.commentKey,
      branch: event.branch,
      log: (line) => core.info(line),
    });
    core.info(`Kept the results in ${inputs.historyBranch}:${path}`);
  }

  const mean = comparison.summary.reward.mean;
  const resolved = comparison.summary.resolved_rate;
  core.setOutput("mean-reward", mean === null ? "" : mean.toFixed(4));
  core.setOutput("resolved-rate", resolved === null ? "" : resolved.toFixed(4));
  core.setOutput("results-path", input.resultsDir);
  core.setOutput("comment-id", commentId === null ? "" : String(commentId));
  for (const check of gates.checks) {
    if (check.passed) core.info(`Gate ${check.gate}: ${check.message}`);
    else core.error(`Gate ${check.gate}: ${check.message}`);
  }
  if (!gates.passed)
    core.setFailed(
      gates.checks
        .filter((c) => !c.passed)
        .map((c) => c.message)
        .join("; "),
    );
  return { meanReward: mean, resolvedRate: resolved, commentId, gatesPassed: gates.passed };
}
