import type { Context } from "probot";
import { readRepoConfig } from "../config.js";
import { clientFor, type HandlerDeps, type PendingPush } from "../deps.js";
import { dispatchWorkflow } from "../dispatch.js";

/**
 * push to the default branch: incremental mining, dispatched. A burst of pushes makes one
 * run at once and one more when the burst is over (with its last commit); the pushes in
 * between make no API call at all.
 */
export function onPush(deps: HandlerDeps) {
  return async (context: Context<"push">): Promise<void> => {
    const payload = context.payload;
    const defaultBranch = payload.repository.default_branch;
    if (payload.ref !== `refs/heads/${defaultBranch}` || payload.deleted || /^0+$/.test(payload.after))
      return;
    const push: PendingPush = {
      sha: payload.after,
      repo: context.repo(),
      defaultBranch,
      octokit: context.octokit,
      log: context.log,
    };
    const key = payload.repository.full_name;
    if (deps.coalescer.offer(key, push) === "deferred") {
      context.log.info(
        `${key}: push of ${push.sha.slice(0, 7)} joins the mining run after this burst of pushes`,
      );
      return;
    }
    try {
      const windowSeconds = await dispatchMining(deps, push, "");
      deps.coalescer.open(key, deps.coalesce ? windowSeconds * 1000 : 0);
    } catch (error) {
      deps.coalescer.cancel(key);
      throw error;
    }
  };
}

/**
 * Dispatches mining for a push, with the repository's config at that commit. Returns the
 * repository's coalescing window in seconds (0 when nothing was dispatched).
 */
export async function dispatchMining(deps: HandlerDeps, push: PendingPush, why: string): Promise<number> {
  const base = clientFor(push, push.repo);
  const read = await readRepoConfig(base, push.sha);
  if (!read.ok) {
    push.log.warn(read.error);
    return 0;
  }
  const bot = read.config.bot;
  if (!bot.mine_on_push) {
    push.log.info(`${base.fullName}: bot.mine_on_push is off`);
    return 0;
  }
  const gh = base.withDryRun(bot.dry_run || deps.dryRun);
  const outcome = await dispatchWorkflow(gh, {
    workflow: bot.workflow,
    ref: push.defaultBranch,
    inputs: { command: "mine", sha: push.sha },
  });
  if (!outcome.dispatched) {
    push.log.warn(outcome.problem);
    return 0;
  }
  if (!outcome.dryRun) push.log.info(`${gh.fullName}: dispatched mining of ${push.sha.slice(0, 7)}${why}`);
  return bot.coalesce_seconds;
}
