import { join } from "node:path";
import * as core from "@actions/core";
import { loadConfig } from "../../core/config.js";
import { ConfigError } from "../../core/errors.js";
import { openRepository } from "../../core/git.js";
import type { Scenario } from "../../core/scenario.js";
import { readSuite } from "../../core/suite-store.js";
import type { PrScenarioOutcome } from "../../report/comment.js";
import { readInstructionOverlay } from "../overlay.js";
import { publish, writeResultsFile } from "../publish.js";
import { runAgent } from "../run-agent.js";
import type { ModeContext } from "./context.js";
import { tryPullRequestScenario } from "./pr-scenario.js";

/** Agents run only where the token cannot write: pull_request, never pull_request_target. */
export function assertSafeEvent(eventName: string): void {
  if (eventName === "pull_request_target") {
    throw new ConfigError(
      "refusing to run an agent under pull_request_target: that event gives a write token next to the PR's code. " +
        "Use `on: pull_request` for evaluate, and the workflow_run workflow for comments on fork PRs",
      "event",
    );
  }
}

async function readSuiteIfAny(suiteDir: string): Promise<Scenario[]> {
  try {
    return await readSuite(suiteDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/**
 * evaluate (and pr-scenario, which adds the PR itself as a scenario): runs the agent on the
 * suite (or its sample or shard) with the PR head's agent instructions laid over every
 * workspace, then publishes. A shard only writes its results; `merge` publishes.
 */
export async function evaluate(ctx: ModeContext, options: { prScenario: boolean }): Promise<void> {
  const { inputs, event } = ctx;
  assertSafeEvent(event.name);
  await openRepository(ctx.repoDir);
  const config = await loadConfig(ctx.repoDir);
  const suiteDir = join(ctx.repoDir, inputs.suite);
  const scenarios = await readSuiteIfAny(suiteDir);
  const commit = event.pull?.head_sha ?? event.sha;
  // The artifact is uploaded by a later step of the job; the run page lists it.
  const links = ctx.runUrl ? { run: ctx.runUrl, artifact: `${ctx.runUrl}#artifacts` } : undefined;
  const notes: string[] = [];

  const overlay = event.pull ? await readInstructionOverlay(ctx.repoDir, config.agent_instructions) : [];
  if (overlay.length > 0) {
    core.info(
      `Agent instructions from the PR head laid over every workspace: ${overlay.map((f) => f.path).join(", ")}`,
    );
    notes.push(`Agent instructions from this PR: ${overlay.map((f) => f.path).join(", ")}`);
  }

  if (scenarios.length === 0) {
    core.notice(`No scenarios in ${inputs.suite}/scenarios yet: run the mine mode first (see the README).`);
    notes.push(`The suite in ${inputs.suite} has no scenarios yet.`);
  }
  const results = await runAgent({
    inputs,
    event,
    repoDir: ctx.repoDir,
    scenarios,
    config,
    overlay,
    outDir: join(ctx.resultsDir, "run"),
    cacheDir: ctx.cacheDir,
    commit,
    ...(links ? { links } : {}),
    signal: ctx.signal,
  });

  let prScenario: PrScenarioOutcome | undefined;
  if (options.prScenario) {
    prScenario = await tryPullRequestScenario(ctx, config, overlay, join(ctx.resultsDir, "pr-scenario"));
  }

  if (inputs.shard) {
    await writeResultsFile(ctx.resultsDir, results);
    core.setOutput("results-path", ctx.resultsDir);
    core.info(
      `Shard ${inputs.shard.index}/${inputs.shard.count}: ${results.scenarios.length} scenarios, ${results.rollouts.length} rollouts; the merge job publishes.`,
    );
    await core.summary
      .addRaw(
        `### repogym shard ${inputs.shard.index}/${inputs.shard.count}\n\n${results.scenarios.length} scenarios, ${results.rollouts.length} rollouts. The merge job posts the combined result.\n`,
      )
      .write();
    return;
  }
  await publish({
    client: ctx.client,
    inputs,
    event,
    results,
    resultsDir: ctx.resultsDir,
    notes,
    ...(prScenario ? { prScenario } : {}),
    canWrite: !(event.pull?.fork ?? false),
  });
}
