import { resolve } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { loadConfig } from "../../core/config.js";
import { ConfigError } from "../../core/errors.js";
import { readSuite } from "../../core/suite-store.js";
import type { AgentSpec } from "../../runner/agents/index.js";
import { loadPredictions } from "../../runner/agents/replay.js";
import {
  newRunId,
  parseShard,
  type RunEvent,
  type RunResult,
  runSuite,
  type Shard,
} from "../../runner/run-loop.js";
import { renderRunSummary } from "../../runner/run-summary.js";
import { describeSandbox, detectSandbox, isSandboxLevel, type SandboxLevel } from "../../runner/sandbox.js";
import { withInterrupt } from "../interrupt.js";
import { defaultCacheDir, positiveInt } from "../options.js";
import type { ProgressStream } from "../progress.js";

export interface RunFlags {
  agent: string;
  command?: string;
  predictions?: string;
  env?: string[];
  model?: string;
  suite?: string;
  repo: string;
  attempts: number;
  jobs: number;
  sample?: number;
  seed?: number;
  shard?: Shard;
  timeout: number;
  out?: string;
  resume?: boolean;
  json?: boolean;
  sandbox?: SandboxLevel;
  network?: boolean;
}

export function sandboxLevel(value: string): SandboxLevel {
  if (!isSandboxLevel(value))
    throw new InvalidArgumentError(`expected bwrap, docker or none, got "${value}"`);
  return value;
}

export function onOff(value: string): boolean {
  if (value === "on") return true;
  if (value === "off") return false;
  throw new InvalidArgumentError(`expected on or off, got "${value}"`);
}

export function shardOption(value: string): Shard {
  const shard = parseShard(value);
  if (typeof shard === "string") throw new InvalidArgumentError(shard);
  return shard;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff)
    throw new InvalidArgumentError(`expected a whole number from 0, got "${value}"`);
  return n;
}

/** One line per finished rollout, as printed in CI logs. Pure. */
export function formatRolloutLine(event: Extract<RunEvent, { type: "rollout-done" }>): string {
  const width = String(event.total).length;
  const position = `[${String(event.index + 1).padStart(width)}/${event.total}]`;
  const r = event.record;
  const reward = r.reward === null ? "reward n/a" : `reward ${r.reward.toFixed(2)}`;
  const resolved = r.resolved ? " resolved" : "";
  const reason = r.reason ? `: ${r.reason.split("\n")[0]}` : "";
  return `${position} ${r.instance_id} #${r.attempt} ${r.status} ${reward}${resolved} ${(event.durationMs / 1000).toFixed(1)}s${reason}`;
}

export function createRunProgress(stream: ProgressStream): (event: RunEvent) => void {
  return (event) => {
    switch (event.type) {
      case "start": {
        if (event.truncated) {
          stream.write(
            `Dropped a record cut short on line ${event.truncated.line} (${event.truncated.reason}); it will run again\n`,
          );
        }
        const resumed = event.done > 0 ? `, ${event.done} already recorded` : "";
        stream.write(`Run ${event.run_id}: ${event.total} rollouts${resumed} -> ${event.outDir}\n`);
        break;
      }
      case "rollout-start":
        break;
      case "rollout-done":
        stream.write(`${formatRolloutLine(event)}\n`);
        break;
    }
  };
}

/** The shared path of `run` and `score`: read the suite and config, run, print the summary. */
export async function executeRun(flags: RunFlags): Promise<RunResult> {
  const repo = resolve(flags.repo);
  const suiteDir = flags.suite ? resolve(flags.suite) : resolve(repo, ".repogym");
  if (flags.resume && !flags.out)
    throw new ConfigError("--resume needs --out, the folder of the run to continue");
  let scenarios = await readSuite(suiteDir);
  if (scenarios.length === 0) {
    throw new ConfigError(
      "no scenarios in the suite (run repogym mine first)",
      resolve(suiteDir, "scenarios"),
    );
  }
  if (flags.agent === "replay" && flags.predictions !== undefined) {
    // Like SWE-bench's harness: the predicted instances are evaluated, the others left out.
    const predicted = await loadPredictions(resolve(flags.predictions));
    const unpredicted = scenarios.filter((s) => !predicted.has(s.instance_id)).length;
    scenarios = scenarios.filter((s) => predicted.has(s.instance_id));
    if (scenarios.length === 0) {
      throw new ConfigError(
        "no prediction matches a scenario of the suite (compare their instance_id)",
        resolve(flags.predictions),
      );
    }
    if (unpredicted > 0 && !flags.json) {
      process.stderr.write(`${unpredicted} scenarios without a prediction are left out.\n`);
    }
  }
  if (flags.sample !== undefined && flags.sample > scenarios.length) {
    throw new ConfigError(`--sample ${flags.sample} is more than the suite's ${scenarios.length} scenarios`);
  }
  const config = await loadConfig(repo);
  const runId = newRunId();
  const outDir = flags.out ? resolve(flags.out) : resolve(suiteDir, "runs", runId);
  const agentSpec: AgentSpec = {
    name: flags.agent,
    ...(flags.command === undefined ? {} : { command: flags.command }),
    ...(flags.predictions === undefined ? {} : { predictions: resolve(flags.predictions) }),
    ...(flags.env === undefined ? {} : { env: flags.env }),
    ...(flags.model === undefined ? {} : { model: flags.model }),
  };
  const progress = createRunProgress(process.stderr);
  const sandbox = flags.sandbox ?? (await detectSandbox());
  // noop, oracle and replay run no process of their own.
  const runsProcess = !["noop", "oracle", "replay"].includes(flags.agent);
  if (sandbox === "none" && runsProcess && !flags.json) {
    const why = flags.sandbox === undefined ? " (bubblewrap is not available here)" : "";
    process.stderr.write(`Warning: ${describeSandbox("none")}${why}\n`);
  }
  const result = await withInterrupt((signal) =>
    runSuite({
      repo,
      scenarios,
      agentSpec,
      attempts: flags.attempts,
      jobs: flags.jobs,
      ...(flags.sample === undefined ? {} : { sample: flags.sample }),
      ...(flags.seed === undefined ? {} : { seed: flags.seed }),
      ...(flags.shard === undefined ? {} : { shard: flags.shard }),
      timeoutMs: flags.timeout * 1000,
      outDir,
      resume: flags.resume ?? false,
      config,
      cacheDir: defaultCacheDir(process.env),
      hostEnv: process.env,
      sandbox,
      ...(flags.network === undefined ? {} : { network: flags.network }),
      runId,
      onEvent: flags.json ? () => {} : progress,
      signal,
    }),
  );
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify({ ...result.summary, out: result.outDir, rollouts_file: result.rolloutsFile, interrupted: result.interrupted }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(renderRunSummary(result.summary));
    process.stdout.write(`Records: ${result.rolloutsFile}\n`);
    if (result.interrupted) {
      process.stdout.write(`Interrupted: continue with --resume --out ${result.outDir}\n`);
    }
  }
  return result;
}

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run an agent on the suite's scenarios and score every rollout")
    .requiredOption(
      "--agent <name>",
      "noop, oracle, replay, command, or a preset (claude, codex, aider, gemini, mini-swe-agent)",
    )
    .option("--command <template>", "command line for --agent command (placeholders: {problem_file}, ...)")
    .option("--predictions <file>", "SWE-bench predictions JSONL for --agent replay")
    .option("--env <names...>", "host environment variables the agent may see")
    .option("--model <name>", "model name recorded in rollout records")
    .option("--suite <dir>", "suite folder (default <repo>/.repogym)")
    .option("--repo <path>", "the repository the suite was mined from", ".")
    .option("--attempts <k>", "attempts per scenario", positiveInt, 1)
    .option("-j, --jobs <n>", "rollouts run in parallel", positiveInt, 1)
    .option("--sample <n>", "run only n scenarios, picked by --seed", positiveInt)
    .option("--seed <s>", "seed for --sample (recorded in run.json)", nonNegativeInt)
    .option("--shard <i/n>", "run only slice i of n of the (sampled) scenarios", shardOption)
    .option("--timeout <seconds>", "agent time limit per rollout", positiveInt, 1800)
    .option("-o, --out <dir>", "run folder (default <suite>/runs/<run id>)")
    .option("--resume", "continue the run in --out: only rollouts not recorded yet")
    .option("--json", "print the summary as JSON on stdout")
    .option(
      "--sandbox <level>",
      "isolate the agent: bwrap, docker or none (default bwrap when available, else none)",
      sandboxLevel,
    )
    .option(
      "--network <on|off>",
      "let the agent use the network (default off; on for presets that call a model API)",
      onOff,
    )
    .addHelpText(
      "after",
      `
Examples:
  $ repogym run --agent oracle                         check the suite end to end (expect reward 1)
  $ repogym run --agent command --command 'my-agent --task {problem_file}' --attempts 3 -j 4
  $ repogym run --agent claude --env ANTHROPIC_API_KEY --sample 20 --seed 7
  $ repogym run --agent noop --out runs/base --resume   continue a run that was stopped

Records go to <out>/rollouts.jsonl, one line per rollout; progress to stderr; the summary to stdout.`,
    )
    .action(async (flags: RunFlags) => {
      await executeRun(flags);
    });
}
