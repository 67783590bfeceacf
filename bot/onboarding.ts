import { CONFIG_PATH } from "../core/config.js";
import { describeError } from "../core/errors.js";
import type { BotGitHub, BotLog } from "./github.js";
import { ONBOARDING_BRANCH, ONBOARDING_TITLE, onboardingBody } from "./messages.js";
import { loadTemplates } from "./templates.js";

export type OnboardingOutcome =
  | { opened: true; number: number; url: string }
  | { opened: false; reason: string };

/** Whether the repository has the workflow on `ref`: its file, or (failing that) a workflow Actions knows by that name. */
export async function hasWorkflow(
  gh: BotGitHub,
  workflow: string,
  ref: string,
  log: BotLog,
): Promise<boolean> {
  if ((await gh.getFile(`.github/workflows/${workflow}`, ref)) !== null) return true;
  try {
    return (await gh.workflow(workflow)) !== null;
  } catch (error) {
    log.debug(`${gh.fullName}: could not ask Actions about ${workflow}: ${describeError(error)}`);
    return false;
  }
}

/**
 * The one onboarding pull request of a repository without the workflow: a branch off the
 * default branch that adds the workflow and, when there is none, a starter config. Never a
 * second one: an onboarding pull request that exists (even closed: the owners said no) or a
 * branch by its name stops it. A branch left half-written by a failure is deleted, so a
 * redelivery starts clean.
 */
export async function openOnboardingPull(
  gh: BotGitHub,
  input: { defaultBranch: string; workflow: string; hasConfig: boolean; log: BotLog },
): Promise<OnboardingOutcome> {
  const existing = (await gh.pullsFrom(ONBOARDING_BRANCH))[0];
  if (existing) {
    return {
      opened: false,
      reason: `its onboarding pull request #${existing.number} is ${existing.state}; the app opens only one`,
    };
  }
  if ((await gh.branchSha(ONBOARDING_BRANCH)) !== null) {
    return { opened: false, reason: `a branch ${ONBOARDING_BRANCH} exists already; the app leaves it alone` };
  }
  const base = await gh.branchSha(input.defaultBranch);
  if (base === null) return { opened: false, reason: `it has no commit on ${input.defaultBranch} yet` };
  const templates = loadTemplates();
  const workflowPath = `.github/workflows/${input.workflow}`;
  const files = [
    { path: workflowPath, content: templates.workflow, message: "Add the repogym workflow" },
    ...(input.hasConfig
      ? []
      : [{ path: CONFIG_PATH, content: templates.config, message: "Add a starter repogym config" }]),
  ];
  await gh.createBranch(ONBOARDING_BRANCH, base);
  try {
    for (const file of files) await gh.createFile({ branch: ONBOARDING_BRANCH, ...file });
  } catch (error) {
    await gh.deleteBranch(ONBOARDING_BRANCH).catch((cleanup: unknown) => {
      input.log.warn(`${gh.fullName}: could not delete ${ONBOARDING_BRANCH}: ${describeError(cleanup)}`);
    });
    throw error;
  }
  const pull = await gh.createPull({
    head: ONBOARDING_BRANCH,
    base: input.defaultBranch,
    title: ONBOARDING_TITLE,
    body: onboardingBody({ workflowPath, addsConfig: !input.hasConfig }),
  });
  return { opened: true, number: pull.number, url: pull.html_url };
}
