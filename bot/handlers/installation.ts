import type { Context } from "probot";
import { describeError } from "../../core/errors.js";
import { readRepoConfig } from "../config.js";
import { clientFor, type HandlerDeps, repoRef } from "../deps.js";
import { dispatchWorkflow } from "../dispatch.js";
import { hasWorkflow, openOnboardingPull } from "../onboarding.js";

type InstallationContext = Context<"installation.created"> | Context<"installation_repositories.added">;

/**
 * installation.created / installation_repositories.added: each repository that has the
 * workflow gets its first mining run; one without it gets one onboarding pull request, and
 * nothing else happens there until it is merged. Repositories are set up one by one: those
 * that fit in a few seconds before GitHub gets its answer, the rest after it (an organisation
 * may add hundreds at once).
 */
export function onInstallation(deps: HandlerDeps) {
  return async (context: InstallationContext): Promise<void> => {
    const payload = context.payload;
    const repositories =
      "repositories_added" in payload ? payload.repositories_added : (payload.repositories ?? []);
    context.log.info(`Installed on ${repositories.length} repositories: setting them up`);
    const started = performance.now();
    for (const repository of repositories) {
      const fullName = repository.full_name;
      const setUp = async () => {
        try {
          await setUpRepository(deps, context, fullName);
        } catch (error) {
          // A redelivery of this event then tries again (what is done is not done twice).
          deps.deliveries.release(context.id);
          throw error;
        }
      };
      if (performance.now() - started < deps.inlineBudgetMs) await setUp();
      else await deps.backlog.add(`setting up ${fullName}`, setUp);
    }
  };
}

async function setUpRepository(
  deps: HandlerDeps,
  context: InstallationContext,
  fullName: string,
): Promise<void> {
  const log = context.log;
  const base = clientFor(context, repoRef(fullName));
  const info = await base.repoInfo();
  if (info.archived) {
    log.info(`${fullName} is archived: nothing to set up`);
    return;
  }
  const read = await readRepoConfig(base, info.defaultBranch);
  if (!read.ok) {
    log.warn(read.error);
    return;
  }
  const bot = read.config.bot;
  const gh = base.withDryRun(bot.dry_run || deps.dryRun);
  if (await hasWorkflow(gh, bot.workflow, info.defaultBranch, log)) {
    if (!bot.mine_on_push) {
      log.info(`${fullName}: bot.mine_on_push is off, so no first mining run`);
      return;
    }
    const outcome = await dispatchWorkflow(gh, {
      workflow: bot.workflow,
      ref: info.defaultBranch,
      inputs: { command: "mine" },
    });
    if (!outcome.dispatched) log.warn(outcome.problem);
    else if (!outcome.dryRun) log.info(`${fullName}: dispatched the first mining run`);
    return;
  }
  if (!deps.onboarding) {
    log.info(`${fullName} has no .github/workflows/${bot.workflow} and onboarding is off: nothing to do`);
    return;
  }
  try {
    const outcome = await openOnboardingPull(gh, {
      defaultBranch: info.defaultBranch,
      workflow: bot.workflow,
      hasConfig: read.found,
      log,
    });
    if (!outcome.opened) log.info(`${fullName}: no onboarding pull request, ${outcome.reason}`);
    else if (!gh.dryRun) {
      log.info(`${fullName}: opened onboarding pull request #${outcome.number} ${outcome.url}`);
    }
  } catch (error) {
    throw new Error(`${fullName}: could not open the onboarding pull request: ${describeError(error)}`);
  }
}
