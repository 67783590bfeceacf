import { readFile } from "node:fs/promises";
import { join } from "node:path";
import * as core from "@actions/core";
import type { Config } from "../core/config.js";
import { ConfigError } from "../core/errors.js";
import { type Results, resultsFromRun } from "../core/results.js";
import type { Scenario } from "../core/scenario.js";
import type { AgentSpec } from "../runner/agents/index.js";
import { readRollouts } from "../runner/rollout-store.js";
import { newRunId, RUN_FILE, type RunEvent, RunInfoSchema, runSuite } from "../runner/run-loop.js";
import { describeSandbox, detectSandbox } from "../runner/sandbox.js";
import type { OverlayFile } from "../runner/workspace.js";
import type { EventInfo } from "./event.js";
import type { ActionInputs } from "./inputs.js";

export function agentSpecFrom(inputs: ActionInputs, repoDir: string): AgentSpec {
  if (!inputs.agent) {
    throw new ConfigError(
      "no agent to run: set `agent:` to a preset (claude, codex, aider, gemini, mini-swe-agent), command, oracle, noop or replay",
      "input agent",
    );
  }
  return {
    name: inputs.agent,
    ...(inputs.command ? { command: inputs.command } : {}),
    ...(inputs.predictions ? { predictions: join(repoDir, inputs.predictions) } : {}),
    ...(inputs.env.length > 0 ? { env: inputs.env } : {}),
    ...(inputs.model ? { model: inputs.model } : {}),
  };
}

/** Masks the values of the variables the agent may see, so no log line shows them. */
export function maskAgentSecrets(inputs: ActionInputs, env: NodeJS.ProcessEnv): void {
  for (const name of inputs.env) {
    const value = env[name];
    if (value) core.setSecret(value);
  }
}

function logRollout(event: RunEvent): void {
  if (event.type === "start") {
    core.info(`Run ${event.run_id}: ${event.total} rollouts`);
  } else if (event.type === "rollout-done") {
    const r = event.record;
    const reward = r.reward === null ? "n/a" : r.reward.toFixed(2);
    const reason = r.reason ? ` (${r.reason.split("\n")[0]})` : "";
    core.info(
      `[${event.index + 1}/${event.total}] ${r.instance_id} #${r.attempt} ${r.status} reward ${reward}${r.resolved ? " resolved" : ""}${reason}`,
    );
  }
}

export interface AgentRunInput {
  inputs: ActionInputs;
  event: EventInfo;
  repoDir: string;
  scenarios: readonly Scenario[];
  config: Config;
  overlay: readonly OverlayFile[];
  outDir: string;
  cacheDir: string;
  commit: string;
  links?: Results["links"];
  signal?: AbortSignal;
}

/** Runs the configured agent on the scenarios and returns the run's compact results. */
export async function runAgent(input: AgentRunInput): Promise<Results> {
  const { inputs, event } = input;
  const sandbox = inputs.sandbox ?? (await detectSandbox());
  if (sandbox === "none" && !["noop", "oracle", "replay"].includes(inputs.agent ?? "")) {
    core.warning(describeSandbox("none"));
  }
  maskAgentSecrets(inputs, process.env);
  const runId = newRunId();
  const result = await runSuite({
    repo: input.repoDir,
    scenarios: input.scenarios,
    agentSpec: agentSpecFrom(inputs, input.repoDir),
    attempts: inputs.attempts,
    jobs: inputs.jobs,
    ...(inputs.sample !== null && inputs.sample < input.scenarios.length ? { sample: inputs.sample } : {}),
    seed: inputs.seed,
    ...(inputs.shard ? { shard: inputs.shard } : {}),
    timeoutMs: inputs.timeoutSeconds * 1000,
    outDir: input.outDir,
    resume: false,
    config: input.config,
    cacheDir: input.cacheDir,
    hostEnv: process.env,
    sandbox,
    ...(inputs.network === null ? {} : { network: inputs.network }),
    ...(input.overlay.length > 0 ? { overlay: input.overlay } : {}),
    runId,
    onEvent: logRollout,
    ...(input.signal ? { signal: input.signal } : {}),
  });
  const { rollouts } = await readRollouts(result.rolloutsFile);
  const mine = rollouts.filter((r) => r.run_id === result.run_id);
  const info = RunInfoSchema.parse(JSON.parse(await readFile(join(result.outDir, RUN_FILE), "utf8")));
  const planned = new Set(info.scenarios);
  const scenarios = input.scenarios.filter((s) => planned.has(s.instance_id));
  return resultsFromRun({
    tool_version: toolVersionSafe(),
    repo: event.repo,
    commit: input.commit,
    ...(event.pull ? {} : event.branch ? { ref: event.branch } : {}),
    ...(event.pull
      ? {
          ref: event.pull.head_ref || undefined,
          pull_request: {
            number: event.pull.number,
            head_sha: event.pull.head_sha,
            base_sha: event.pull.base_sha,
            base_ref: event.pull.base_ref,
          },
        }
      : {}),
    run_id: result.run_id,
    created_at: new Date().toISOString(),
    agent: { name: inputs.agent ?? "agent", ...(inputs.model ? { model: inputs.model } : {}) },
    attempts: inputs.attempts,
    ...(inputs.shard ? { shard: inputs.shard } : {}),
    scenarios,
    rollouts: mine,
    ...(input.links ? { links: input.links } : {}),
  });
}

let version: string | undefined;
/** The tool version baked into the bundle at build time, or read from package.json. */
export function toolVersionSafe(): string {
  version ??= typeof __REPOGYM_VERSION__ === "string" ? `repogym ${__REPOGYM_VERSION__}` : "repogym (source)";
  return version;
}

declare const __REPOGYM_VERSION__: string | undefined;
