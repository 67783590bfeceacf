/**
 * What the app writes for people to read (pure): replies to commands and the onboarding pull
 * request. No line starts with `/repogym`, so the app never reads its own replies as commands.
 */
import { COMMAND_LIMITS } from "./commands-parse.js";

export const HELP = [
  "**repogym commands** (people with write access to this repository):",
  "",
  "- `/repogym run [agent] [attempts=K] [sample=N]`: runs the agent on this pull request's head as it is now, " +
    `with K attempts per scenario (1-${COMMAND_LIMITS.maxAttempts}) on N sampled scenarios (1-${COMMAND_LIMITS.maxSample}); ` +
    "the scores come back in the repogym comment.",
  "- `/repogym mine`: mines new scenarios from the default branch's history into the scenarios pull request.",
  "- `/repogym help`: this list.",
  "",
  "A command is the first word of a line; one command per comment.",
].join("\n");

export function refusal(login: string): string {
  return [
    `Thanks @${login}! Only people with write access to this repository can run repogym commands, so nothing was run.`,
    "A maintainer can run it for you.",
  ].join(" ");
}

export function invalidCommand(line: string, error: string): string {
  return [
    `That command could not be run: ${error}.`,
    "",
    `> ${line.replace(/`/g, "'").slice(0, 200)}`,
    "",
    HELP,
  ].join("\n");
}

export function notAPullRequest(): string {
  return "`run` works on pull requests: comment it on the pull request to evaluate.";
}

export function dispatchFailed(problem: string): string {
  return `repogym could not start the workflow: ${problem}.`;
}

export function configBroken(error: string): string {
  return `repogym cannot act on this repository: ${error}`;
}

export const ONBOARDING_BRANCH = "repogym/setup";
export const ONBOARDING_TITLE = "Set up repogym";

export function onboardingBody(input: { workflowPath: string; addsConfig: boolean }): string {
  return [
    "The repogym GitHub App was installed on this repository. Merging this pull request turns it on:",
    "",
    `- \`${input.workflowPath}\`: the workflow the app dispatches. It mines your history into test-fixing scenarios on pushes to the default branch, runs your coding agent on a pull request when someone with write access comments \`/repogym run\`, and uploads the scores, which the app posts as one comment per pull request.`,
    ...(input.addsConfig
      ? [
          "- `.repogym/config.yml`: settings, with the defaults written out (`bot.dry_run: true` makes the app only log).",
        ]
      : []),
    "",
    "Before merging, set the agent's API key as a repository secret (`ANTHROPIC_API_KEY` for the default agent) and check the workflow's `agent:` default.",
    "",
    "Until this is merged the app does nothing here; close it to keep it that way. It will not open another.",
  ].join("\n");
}
