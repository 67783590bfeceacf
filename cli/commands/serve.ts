import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { loadConfig } from "../../core/config.js";
import { ConfigError } from "../../core/errors.js";
import { readSuite } from "../../core/suite-store.js";
import { toolVersion } from "../../core/version.js";
import { stopAllProcesses } from "../../runner/process.js";
import { createRolloutRunner } from "../../runner/run-loop.js";
import { describeSandbox, detectSandbox, ensureSandbox, type SandboxLevel } from "../../runner/sandbox.js";
import { defaultCacheDir, positiveInt } from "../options.js";
import { createRewardServer, type ServeLimits } from "../serve/server.js";
import { nonNegativeInt, sandboxLevel } from "./run.js";

interface ServeFlags {
  suite?: string;
  repo: string;
  port: number;
  host: string;
  concurrency?: number;
  queue: number;
  timeout: number;
  maxBatch: number;
  maxBody: number;
  logs?: string;
  sandbox?: SandboxLevel;
  quiet?: boolean;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError(`expected a port from 0 to 65535, got "${value}"`);
  return n;
}

/** Half the CPUs: each rollout runs a test runner, often with workers of its own. */
export function defaultConcurrency(): number {
  return Math.max(1, Math.floor(availableParallelism() / 2));
}

/** `repogym serve`: the suite's reward service until SIGTERM or SIGINT, then a graceful drain. */
export async function serve(flags: ServeFlags): Promise<void> {
  const repo = resolve(flags.repo);
  const suiteDir = flags.suite ? resolve(flags.suite) : resolve(repo, ".repogym");
  const scenarios = await readSuite(suiteDir);
  if (scenarios.length === 0) {
    throw new ConfigError(
      "no scenarios in the suite (run repogym mine first)",
      resolve(suiteDir, "scenarios"),
    );
  }
  const limits: ServeLimits = {
    concurrency: flags.concurrency ?? defaultConcurrency(),
    maxQueued: flags.queue,
    maxBatch: flags.maxBatch,
    maxBodyBytes: flags.maxBody,
    maxTimeoutS: flags.timeout,
  };
  if (limits.maxBatch > limits.concurrency + limits.maxQueued) {
    throw new ConfigError(
      `--max-batch ${limits.maxBatch} is more than --concurrency ${limits.concurrency} + --queue ${limits.maxQueued}: such a batch could never be admitted`,
    );
  }
  const config = await loadConfig(repo);
  const sandbox = flags.sandbox ?? (await detectSandbox());
  await ensureSandbox(sandbox);
  const runner = createRolloutRunner({
    repo,
    config,
    cacheDir: defaultCacheDir(process.env),
    hostEnv: process.env,
    // The replay agent runs no process; the request's own time limit is what bounds a rollout.
    timeoutMs: flags.timeout * 1000,
    sandbox,
  });
  const log = (line: string) => process.stderr.write(`repogym serve: ${line}\n`);
  const server = createRewardServer({
    scenarios,
    runner,
    limits,
    version: toolVersion().replace(/^repogym /, ""),
    ...(flags.logs === undefined ? {} : { logsDir: resolve(flags.logs) }),
    ...(flags.quiet ? {} : { log }),
  });
  const { url } = await server.listen(flags.port, flags.host);
  log(
    `listening on ${url} (${scenarios.length} scenarios, ${limits.concurrency} rollouts at once, ${limits.maxQueued} queued, sandbox ${sandbox})`,
  );
  if (sandbox === "none") log(`warning: ${describeSandbox("none")}`);

  await new Promise<void>((done) => {
    let stopping = false;
    const onSignal = (name: NodeJS.Signals) => {
      if (stopping) {
        // A second signal: no more waiting.
        stopAllProcesses();
        process.exit(130);
      }
      stopping = true;
      log(`${name} received; finishing the requests in flight (again to stop at once)`);
      server.close().then(done, (error: unknown) => {
        log(`shutdown failed: ${String(error)}`);
        done();
      });
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
  log("stopped");
}

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("serve rewards over HTTP: POST patches, get rollout records scored like repogym score")
    .option("--suite <dir>", "suite folder (default <repo>/.repogym)")
    .option("--repo <path>", "the repository the suite was mined from", ".")
    .option("--port <n>", "port to listen on (0 picks a free one)", port, 8080)
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--concurrency <n>", "rollouts run at once (default half the CPUs)", positiveInt)
    .option(
      "--queue <n>",
      "rollouts that may wait for a slot; beyond it requests get 429",
      nonNegativeInt,
      256,
    )
    .option(
      "--timeout <seconds>",
      "a request's time limit: the default and the most timeout_s may ask",
      positiveInt,
      1800,
    )
    .option("--max-batch <n>", "items per request", positiveInt, 64)
    .option("--max-body <bytes>", "request body size", positiveInt, 32 * 1024 * 1024)
    .option("--logs <dir>", "keep each request's rollout folders (agent and test logs) here")
    .option(
      "--sandbox <level>",
      "isolate the scoring test runs: bwrap, docker or none (default bwrap when available, else none)",
      sandboxLevel,
    )
    .option("--quiet", "no line per request on stderr")
    .addHelpText(
      "after",
      `
Endpoints:
  POST /v1/score   {"items": [{"instance_id", "patch", "model_name_or_path"?, "request_id"?}], "timeout_s"?}
                   -> 200 {"run_id", "results": [rollout@1 records in item order]}
  GET  /healthz    status, version, scenarios, inflight, queued, capacity
  GET  /readyz     200 while accepting work, 503 while draining

Each item is scored as \`repogym score\` scores a prediction. A full queue answers 429 with
Retry-After and starts nothing; a request past its time limit answers 504 with the items it
finished and the others as infra_error records. SIGTERM drains: no new work, in-flight answered.

Example:
  $ repogym serve --suite .repogym --port 8080 --concurrency 8
  $ curl -s localhost:8080/v1/score -d '{"items":[{"instance_id":"acme__calc-1a2b3c4","patch":""}]}'`,
    )
    .action(async (flags: ServeFlags) => {
      await serve(flags);
    });
}
