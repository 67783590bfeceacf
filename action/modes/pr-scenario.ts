import { join } from "node:path";
import * as core from "@actions/core";
import type { Config } from "../../core/config.js";
import { describeError } from "../../core/errors.js";
import type { PrScenarioOutcome } from "../../report/comment.js";
import { scenarioSide } from "../../report/compare.js";
import type { OverlayFile } from "../../runner/workspace.js";
import { scenarioFromPullRequest } from "../../scenario-gen/pr-scenario.js";
import { runAgent, toolVersionSafe } from "../run-agent.js";
import type { ModeContext } from "./context.js";

/**
 * "Could the agent have written this PR?": when the PR changes source and tests, its own
 * change becomes a scenario (proven like a mined one) and the agent gets a try at it.
 */
export async function tryPullRequestScenario(
  ctx: ModeContext,
  config: Config,
  overlay: readonly OverlayFile[],
  outDir: string,
): Promise<PrScenarioOutcome> {
  const pull = ctx.event.pull;
  if (!pull) return { state: "skipped", reason: "not a pull request event" };
  const payload = ctx.event.pullPayload;
  core.startGroup(`Turning #${pull.number} into a scenario`);
  try {
    const outcome = await scenarioFromPullRequest({
      repo: ctx.repoDir,
      baseSha: pull.base_sha,
      headSha: pull.head_sha,
      number: pull.number,
      title: payload?.title ?? `#${pull.number}`,
      body: payload?.body ?? null,
      repoName: ctx.event.repo,
      config,
      cacheDir: ctx.cacheDir,
      toolVersion: toolVersionSafe(),
      signal: ctx.signal,
    });
    if (outcome.kind === "skip") {
      core.info(`Not a scenario: ${outcome.reason} (${outcome.detail})`);
      return { state: "skipped", reason: `${outcome.reason}: ${outcome.detail}` };
    }
    const scenario = outcome.scenario;
    core.info(`Proven: ${scenario.FAIL_TO_PASS.length} fail-to-pass tests; running the agent on it`);
    const results = await runAgent({
      inputs: { ...ctx.inputs, sample: null, shard: null },
      event: ctx.event,
      repoDir: ctx.repoDir,
      scenarios: [scenario],
      config,
      overlay,
      outDir: join(outDir, "run"),
      cacheDir: ctx.cacheDir,
      commit: pull.head_sha,
      signal: ctx.signal,
    });
    const side = scenarioSide(results.rollouts);
    return {
      state: "scored",
      instance_id: scenario.instance_id,
      attempts: side.attempts,
      resolved: side.resolved,
      mean: side.mean,
      ...(side.reason ? { reason: side.reason } : {}),
    };
  } catch (error) {
    core.warning(`Could not try the PR as a scenario: ${describeError(error)}`);
    return { state: "skipped", reason: describeError(error) };
  } finally {
    core.endGroup();
  }
}
