import { resolve } from "node:path";
import * as core from "@actions/core";
import { ConfigError } from "../../core/errors.js";
import { mergeResults } from "../../core/results.js";
import { readResultsUnder } from "../find-results.js";
import { publish } from "../publish.js";
import type { ModeContext } from "./context.js";

/**
 * report (workflow_run): posts the comment for a run that could not (a fork's PR). The
 * artifact is untrusted: it is schema-checked and size-capped, never executed, and believed
 * only when the PR it names really has the head the finished workflow run was for.
 */
export async function report(ctx: ModeContext): Promise<void> {
  const { event, client, inputs } = ctx;
  const run = event.workflowRun;
  if (!run)
    throw new ConfigError(
      "report runs on workflow_run events (see the README's fork-safe reporting)",
      "mode",
    );
  if (!client) throw new ConfigError("report needs a token that may comment", "input github-token");
  if (!inputs.results)
    throw new ConfigError("report needs `results:`, the folder of the downloaded artifact", "input results");
  const parts = await readResultsUnder(resolve(ctx.repoDir, inputs.results));
  const { results, missing } = parts.length === 1 ? { results: parts[0]!, missing: [] } : mergeResults(parts);
  if (results.repo !== event.repo) {
    throw new ConfigError(`the results are for ${results.repo}, not ${event.repo}`, inputs.results);
  }
  const pr = results.pull_request;
  if (!pr) {
    core.notice("These results are not from a pull request: nothing to post.");
    return;
  }
  if (results.commit !== run.head_sha || pr.head_sha !== run.head_sha) {
    throw new ConfigError(
      `the results claim commit ${results.commit.slice(0, 7)}, but the workflow run was for ${run.head_sha.slice(0, 7)}`,
      inputs.results,
    );
  }
  const live = await client.getPull(pr.number);
  if (live.head_sha !== run.head_sha) {
    core.notice(
      `#${pr.number} has moved on to ${live.head_sha.slice(0, 7)} since this run (${run.head_sha.slice(0, 7)}); its own run will report.`,
    );
    return;
  }
  const notes = missing.length > 0 ? [`Partial result: shards ${missing.join(", ")} did not report.`] : [];
  await publish({
    client,
    inputs,
    event: {
      ...event,
      pull: {
        number: pr.number,
        head_sha: live.head_sha,
        head_ref: live.head_ref,
        base_sha: live.base_sha,
        base_ref: live.base_ref,
        head_repo: live.head_repo,
        fork: false,
      },
    },
    results: { ...results, links: { ...(run.html_url ? { run: run.html_url } : {}) } },
    resultsDir: ctx.resultsDir,
    notes,
    pullNumber: pr.number,
    canWrite: true,
  });
}
