import type { Context } from "probot";
import { triagePullRequestPaths } from "../../scenario-gen/pr-scenario.js";
import { readRepoConfig } from "../config.js";
import { clientFor, type HandlerDeps } from "../deps.js";
import { dispatchWorkflow } from "../dispatch.js";

/**
 * pull_request.closed, merged into the default branch: when it changed source and tests (the
 * miner's own classification, from GitHub's list of changed files), its change is dispatched
 * to be proven as a scenario, pinned to the head it was merged with. Anything else: nothing.
 */
export function onPullRequestClosed(deps: HandlerDeps) {
  return async (context: Context<"pull_request.closed">): Promise<void> => {
    const { pull_request: pull, repository } = context.payload;
    if (!pull.merged || pull.base.ref !== repository.default_branch) return;
    const base = clientFor(context, context.repo());
    const read = await readRepoConfig(base, repository.default_branch);
    if (!read.ok) {
      context.log.warn(read.error);
      return;
    }
    const { config } = read;
    if (!config.bot.pr_scenarios) {
      context.log.info(`${base.fullName}: bot.pr_scenarios is off`);
      return;
    }
    const triage = triagePullRequestPaths(await base.pullFiles(pull.number), config);
    if (!triage.worth) {
      context.log.info(
        `${base.fullName}#${pull.number} is not a scenario: ${triage.reason} (${triage.detail})`,
      );
      return;
    }
    const gh = base.withDryRun(config.bot.dry_run || deps.dryRun);
    const outcome = await dispatchWorkflow(gh, {
      workflow: config.bot.workflow,
      ref: repository.default_branch,
      inputs: { command: "pr-scenario", pr: String(pull.number), sha: pull.head.sha },
    });
    if (!outcome.dispatched) context.log.warn(outcome.problem);
    else if (!outcome.dryRun) {
      context.log.info(
        `${gh.fullName}#${pull.number}: dispatched as a scenario (${triage.sourceFiles.length} source, ${triage.testFiles.length} test files)`,
      );
    }
  };
}
