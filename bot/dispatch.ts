import { appApiError, githubMessage, statusOf } from "./fix-it.js";
import type { BotGitHub } from "./github.js";

/** The inputs bot/templates/repogym.yml declares; GitHub refuses a dispatch with any other. */
export const DISPATCH_INPUTS = ["command", "pr", "sha", "agent", "attempts", "sample"] as const;
export type DispatchInputs = Partial<Record<(typeof DISPATCH_INPUTS)[number], string>> & {
  command: "mine" | "run" | "pr-scenario";
};

export type DispatchOutcome =
  | { dispatched: true; dryRun: boolean }
  /** GitHub refused it for a reason the repository's owners can fix; `problem` says how. */
  | { dispatched: false; status: number; problem: string };

/**
 * Starts the repository's repogym workflow with `workflow_dispatch`: the heavy work (mining,
 * agent runs) happens in GitHub Actions, never in the webhook handler. Always on the default
 * branch, so the workflow file that runs is the reviewed one, never a pull request's.
 */
export async function dispatchWorkflow(
  gh: BotGitHub,
  input: { workflow: string; ref: string; inputs: DispatchInputs },
): Promise<DispatchOutcome> {
  const file = `.github/workflows/${input.workflow}`;
  try {
    await gh.dispatchWorkflow(input.workflow, input.ref, input.inputs);
    return { dispatched: true, dryRun: gh.dryRun };
  } catch (error) {
    const status = statusOf(error);
    const message = githubMessage(error).split("\n")[0] ?? "";
    if (status === 404) {
      return {
        dispatched: false,
        status,
        problem: `${gh.fullName} has no workflow ${file} on ${input.ref}: add .github/workflows/${input.workflow} (see the README's "GitHub App" section, or merge the app's onboarding pull request)`,
      };
    }
    if (status === 403) {
      return {
        dispatched: false,
        status,
        problem: `GitHub refused to start ${file} in ${gh.fullName} (403 ${message}): the app needs the \`actions: write\` permission; an owner accepts it in the installation's settings`,
      };
    }
    if (status === 422) {
      return {
        dispatched: false,
        status,
        problem: `GitHub refused to start ${file} in ${gh.fullName} (422 ${message}): the workflow must have \`on: workflow_dispatch\` with the inputs ${DISPATCH_INPUTS.join(", ")} and be enabled (compare with bot/templates/repogym.yml)`,
      };
    }
    throw appApiError(`dispatching ${file} in ${gh.fullName}`, error, "actions: write");
  }
}
