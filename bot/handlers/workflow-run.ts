import type { Context } from "probot";
import { loadHistory, pickBase } from "../../action/history.js";
import { describeError } from "../../core/errors.js";
import type { Results } from "../../core/results.js";
import { renderComment } from "../../report/comment.js";
import { compareResults } from "../../report/compare.js";
import { upsertStickyComment } from "../../report/sticky-comment.js";
import { readRunResults } from "../artifact.js";
import { readRepoConfig } from "../config.js";
import { clientFor, type HandlerDeps } from "../deps.js";
import type { PullInfo } from "../github.js";
import { checkRunFor, type RunInfo, type RunTarget, targetOfRun, verifyResults } from "../report.js";

/** Conclusions after which there is nothing to report (a failed run may still have results). */
const NOTHING_TO_REPORT = new Set(["cancelled", "skipped", "stale", "startup_failure", "action_required"]);

export const CHECK_NAME = "repogym";

/**
 * workflow_run.completed for a repogym workflow: the run's results artifact is downloaded and
 * read as untrusted data (a fork's code ran in that job), believed only when it is for this
 * repository, the commit GitHub ran and a pull request whose head is still that commit, and
 * then posted as the pull request's one sticky comment plus a check run. Same-repository
 * pull_request runs are left alone: their own token posts the comment.
 */
export function onWorkflowRun(deps: HandlerDeps) {
  return async (context: Context<"workflow_run.completed">): Promise<void> => {
    const { workflow_run: raw, repository } = context.payload;
    const log = context.log;
    const run: RunInfo = {
      id: raw.id,
      name: raw.name ?? "",
      event: raw.event,
      head_sha: raw.head_sha,
      html_url: raw.html_url ?? null,
      display_title: raw.display_title ?? null,
      head_repository: raw.head_repository?.full_name ?? null,
    };
    const repo = repository.full_name;
    const target = targetOfRun(run, repo);
    if (target.kind === "skip") {
      log.debug(`${repo}: ${target.reason}`);
      return;
    }
    if (raw.conclusion && NOTHING_TO_REPORT.has(raw.conclusion)) {
      log.info(`${repo}: run ${run.id} ended ${raw.conclusion}; nothing to report`);
      return;
    }
    const base = clientFor(context, context.repo());
    const read = await readRepoConfig(base, repository.default_branch);
    if (!read.ok) {
      log.warn(read.error);
      return;
    }
    const bot = read.config.bot;
    if (!bot.report_workflows.includes(run.name)) {
      log.debug(`${repo}: "${run.name}" is not one of bot.report_workflows`);
      return;
    }
    const gh = base.withDryRun(bot.dry_run || deps.dryRun);
    const artifact = await readRunResults(gh, {
      runId: run.id,
      name: bot.artifact,
      ...(deps.artifactLimits ? { limits: deps.artifactLimits } : {}),
    });
    if (artifact.kind === "none") {
      log.info(`${repo}: ${artifact.reason}; nothing to report`);
      return;
    }
    if (artifact.kind === "refused") {
      log.warn(`${repo}: refused the results of run ${run.id}, nothing posted: ${artifact.reason}`);
      return;
    }
    const verdict = verifyResults(artifact.results, run, repo, target);
    if (!verdict.ok) {
      log.warn(`${repo}: not posting the results of run ${run.id}: ${verdict.reason}`);
      return;
    }
    const live = await gh.pull(verdict.pr);
    if (live.head_sha !== verdict.headSha) {
      log.info(
        `${repo}#${verdict.pr} has moved on to ${live.head_sha.slice(0, 7)} since run ${run.id} (${verdict.headSha.slice(0, 7)}); its own run will report`,
      );
      return;
    }
    const results = forPull(artifact.results, live, target);
    const notes =
      artifact.missing.length > 0
        ? [`Partial result: shards ${artifact.missing.join(", ")} did not report.`]
        : [];
    let history: Results[] = [];
    if (bot.history_branch) {
      try {
        const loaded = await loadHistory(gh, {
          historyBranch: bot.history_branch,
          key: bot.comment_key,
          branch: live.base_ref,
        });
        history = loaded.results;
        for (const skipped of loaded.skipped) log.warn(`${repo}: skipped a history file: ${skipped}`);
      } catch (error) {
        log.warn(`${repo}: could not read history from ${bot.history_branch}: ${describeError(error)}`);
        notes.push("History could not be read, so there is no base to compare with.");
      }
    }
    const comparison = compareResults(results, pickBase(history, live.base_sha));
    const links = run.html_url ? { run: run.html_url, artifact: `${run.html_url}#artifacts` } : {};
    const body = renderComment({ comparison, key: bot.comment_key, links, notes });
    const { comment, created } = await upsertStickyComment(gh, verdict.pr, bot.comment_key, body);
    const check = checkRunFor(comparison, body);
    await gh.createCheckRun({
      name: CHECK_NAME,
      headSha: verdict.headSha,
      ...check,
      ...(run.html_url ? { detailsUrl: run.html_url } : {}),
      externalId: String(run.id),
    });
    if (!gh.dryRun) {
      log.info(
        `${repo}#${verdict.pr}: ${created ? "posted" : "updated"} the repogym comment ${comment.html_url}`,
      );
    }
  };
}

/**
 * The results as the pull request's: a dispatched run evaluated the pinned head but ran on the
 * default branch, so its results name that branch's commit; links from the artifact are
 * dropped (the comment gets the run's own).
 */
function forPull(results: Results, live: PullInfo, target: RunTarget): Results {
  const { links: _links, ...rest } = results;
  if (target.kind !== "dispatched") return rest;
  const { ref: _ref, ...unpinned } = rest;
  return {
    ...unpinned,
    commit: target.sha,
    pull_request: {
      number: target.pr,
      head_sha: target.sha,
      base_sha: live.base_sha,
      base_ref: live.base_ref,
    },
  };
}
