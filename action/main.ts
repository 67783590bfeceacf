import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as core from "@actions/core";
import { context } from "@actions/github";
import { withInterrupt } from "../cli/interrupt.js";
import { describeError } from "../core/errors.js";
import { describeEvent, resolveDispatch } from "./event.js";
import { GitHubClient } from "./github.js";
import { defaultMode, parseInputs } from "./inputs.js";
import type { ModeContext } from "./modes/context.js";
import { evaluate } from "./modes/evaluate.js";
import { merge } from "./modes/merge.js";
import { mine } from "./modes/mine.js";
import { report } from "./modes/report.js";
import { validate } from "./modes/validate.js";

/** The Action's entry: inputs and event in, one mode run, outputs and a clear failure out. */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const inputs = parseInputs((name) => core.getInput(name));
  if (inputs.token) core.setSecret(inputs.token);
  const described = describeEvent({
    eventName: context.eventName,
    payload: context.payload,
    repository: env.GITHUB_REPOSITORY ?? "",
    sha: context.sha,
    ref: context.ref,
  });
  const client = inputs.token
    ? GitHubClient.create(
        inputs.token,
        { owner: described.owner, repo: described.repoName },
        env.GITHUB_API_URL,
      )
    : null;
  const event =
    described.dispatch && client ? await resolveDispatch(described, (n) => client.getPull(n)) : described;
  const mode = inputs.mode ?? defaultMode(event.name);
  core.info(`repogym ${mode} on ${event.repo} (${event.name}${event.pull ? ` #${event.pull.number}` : ""})`);
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
  const runUrl =
    env.GITHUB_SERVER_URL && env.GITHUB_RUN_ID
      ? `${env.GITHUB_SERVER_URL}/${event.repo}/actions/runs/${env.GITHUB_RUN_ID}`
      : undefined;
  await withInterrupt(async (signal) => {
    const ctx: ModeContext = {
      inputs,
      event,
      client,
      repoDir: resolve(workspace, inputs.workingDirectory),
      resultsDir: resolve(workspace, inputs.resultsPath),
      cacheDir: env.REPOGYM_CACHE_DIR ?? join(env.RUNNER_TEMP ?? tmpdir(), "repogym-deps"),
      ...(runUrl ? { runUrl } : {}),
      signal,
    };
    switch (mode) {
      case "evaluate":
        return evaluate(ctx, { prScenario: false });
      case "pr-scenario":
        return evaluate(ctx, { prScenario: true });
      case "mine":
        return mine(ctx);
      case "validate":
        return validate(ctx);
      case "merge":
        return merge(ctx);
      case "report":
        return report(ctx);
    }
  });
}

run().catch((error: unknown) => {
  core.setFailed(describeError(error));
});
