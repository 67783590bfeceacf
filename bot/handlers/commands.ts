import type { Context } from "probot";
import { type Command, parseCommand } from "../commands-parse.js";
import { readRepoConfig } from "../config.js";
import { clientFor, type HandlerDeps } from "../deps.js";
import { type DispatchInputs, type DispatchOutcome, dispatchWorkflow } from "../dispatch.js";
import type { BotGitHub } from "../github.js";
import { configBroken, dispatchFailed, HELP, invalidCommand, notAPullRequest, refusal } from "../messages.js";

const MAY_RUN = new Set(["admin", "write"]);

/**
 * issue_comment.created with a `/repogym` command. Only people with write access (asked of
 * the API, never taken from the payload) get anything run; anyone else gets one polite reply
 * and nothing runs. A `run` is pinned to the pull request's head at this moment, so what was
 * approved is what runs, whatever is pushed afterwards. Accepted commands get a 🚀 once
 * dispatched; a command that cannot be run gets 😕 and a reply that says why.
 */
export function onIssueComment(deps: HandlerDeps) {
  return async (context: Context<"issue_comment.created">): Promise<void> => {
    const { comment, issue, sender, repository } = context.payload;
    // Bots (this app included) never command it.
    if (sender.type === "Bot") return;
    const parsed = parseCommand(comment.body);
    if (parsed.kind === "none") return;
    const log = context.log;
    const base = clientFor(context, context.repo());
    const read = await readRepoConfig(base, repository.default_branch);
    if (!read.ok) {
      log.warn(read.error);
      if (MAY_RUN.has(await base.permission(sender.login))) {
        await base.withDryRun(deps.dryRun).createIssueComment(issue.number, configBroken(read.error));
      }
      return;
    }
    const bot = read.config.bot;
    if (!bot.commands) {
      log.info(`${base.fullName}: bot.commands is off, ignoring "${parsed.line.slice(0, 80)}"`);
      return;
    }
    const gh = base.withDryRun(bot.dry_run || deps.dryRun);
    const permission = await gh.permission(sender.login);
    if (!MAY_RUN.has(permission)) {
      log.info(
        `${gh.fullName}#${issue.number}: @${sender.login} (${permission}) may not run commands; refused`,
      );
      await gh.createIssueComment(issue.number, refusal(sender.login));
      return;
    }
    if (parsed.kind === "invalid") {
      await gh.addReaction(comment.id, "confused");
      await gh.createIssueComment(issue.number, invalidCommand(parsed.line, parsed.error));
      return;
    }
    const command = parsed.command;
    log.info(`${gh.fullName}#${issue.number}: @${sender.login} asked for "${parsed.line.slice(0, 80)}"`);
    if (command.name === "help") {
      await gh.createIssueComment(issue.number, HELP);
      return;
    }
    let inputs: DispatchInputs;
    if (command.name === "mine") {
      inputs = { command: "mine" };
    } else {
      if (!issue.pull_request) {
        await gh.addReaction(comment.id, "confused");
        await gh.createIssueComment(issue.number, notAPullRequest());
        return;
      }
      // The head as it is now: a push after the command does not change what runs.
      const pull = await gh.pull(issue.number);
      inputs = runInputs(command, issue.number, pull.head_sha);
    }
    const outcome = await dispatchWorkflow(gh, {
      workflow: bot.workflow,
      ref: repository.default_branch,
      inputs,
    });
    await acknowledge(gh, context, outcome);
  };
}

function runInputs(command: Extract<Command, { name: "run" }>, pr: number, sha: string): DispatchInputs {
  return {
    command: "run",
    pr: String(pr),
    sha,
    ...(command.agent ? { agent: command.agent } : {}),
    ...(command.attempts ? { attempts: String(command.attempts) } : {}),
    ...(command.sample ? { sample: String(command.sample) } : {}),
  };
}

async function acknowledge(
  gh: BotGitHub,
  context: Context<"issue_comment.created">,
  outcome: DispatchOutcome,
): Promise<void> {
  const { comment, issue } = context.payload;
  if (outcome.dispatched) {
    await gh.addReaction(comment.id, "rocket");
    return;
  }
  context.log.warn(outcome.problem);
  await gh.addReaction(comment.id, "confused");
  await gh.createIssueComment(issue.number, dispatchFailed(outcome.problem));
}
