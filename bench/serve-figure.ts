import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ScoreResponseSchema } from "../cli/serve/protocol.js";
import { loadConfig } from "../core/config.js";
import type { Scenario } from "../core/scenario.js";
import { readSuite } from "../core/suite-store.js";
import { readRollouts } from "../runner/rollout-store.js";
import { runSuite } from "../runner/run-loop.js";
import { mineRepository } from "../scenario-gen/mine.js";
import { type Figure, makeFigure } from "./figure.js";
import type { AppRepo } from "./generate-app-repo.js";
import { median, progress, runCommand, timeMs } from "./measure.js";

/**
 * Reward service figures: the same batches of patches (gold and empty, alternating) scored
 * through `repogym serve` by concurrent clients and through `repogym score`, one CLI process
 * per batch as a training loop without the service would call it; wall time per reward (the
 * inverse of rewards per second), in interleaved waves after a warm-up of each. The rewards of
 * both must agree or the bench fails. Then the server's peak resident memory under that load
 * against its peak while idle after start (Linux /proc VmHWM).
 */
export interface ServeFigureOptions {
  app: AppRepo;
  /** Scenarios mined from the app repository: the items of every batch. */
  scenarios: number;
  /** Batches per method per round. */
  batches: number;
  rounds: number;
  /** Rollouts at once: the server's --concurrency and score's --jobs. */
  concurrency: number;
  /** Clients posting batches at the same time. */
  clients: number;
}

const CLI = fileURLToPath(new URL("../cli/main.js", import.meta.url));

interface Batch {
  index: number;
  items: Array<{ instance_id: string; patch: string }>;
}

/** Rewards by `<batch> <instance_id>`. */
type Rewards = Map<string, number | null>;

function makeBatches(scenarios: Scenario[], count: number): Batch[] {
  return Array.from({ length: count }, (_, index) => ({
    index,
    items: scenarios.map((s, i) => ({
      instance_id: s.instance_id,
      patch: (index + i) % 2 === 0 ? s.patch : "",
    })),
  }));
}

/** VmHWM (peak) and VmRSS (now) of a process, in bytes; undefined where /proc is not there. */
function memoryOf(pid: number): { peak: number; now: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1]) * 1024;
    return { peak: field("VmHWM"), now: field("VmRSS") };
  } catch {
    return undefined;
  }
}

async function startServer(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, "serve", ...args, "--port", "0", "--quiet"], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match) resolve(match[1]!);
    });
    child.once("close", (code) => reject(new Error(`repogym serve exited with ${code}: ${stderr}`)));
  });
  return { child, url };
}

async function stopServer(child: ChildProcess): Promise<void> {
  const closed = new Promise((resolve) => child.once("close", resolve));
  child.kill("SIGTERM");
  await closed;
}

/** Posts every batch, `clients` at a time, retrying after Retry-After on 429. */
async function serveRound(url: string, batches: Batch[], clients: number, rewards: Rewards) {
  let next = 0;
  let refused = 0;
  const client = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      for (;;) {
        const response = await fetch(`${url}/v1/score`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ items: batch.items }),
        });
        const text = await response.text();
        if (response.status === 429) {
          refused++;
          await new Promise((r) => setTimeout(r, Number(response.headers.get("retry-after") ?? 1) * 1000));
          continue;
        }
        if (response.status !== 200) throw new Error(`serve answered ${response.status}: ${text}`);
        for (const record of ScoreResponseSchema.parse(JSON.parse(text)).results) {
          rewards.set(`${batch.index} ${record.instance_id}`, record.reward);
        }
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return { refused };
}

async function writePredictions(file: string, batch: Batch): Promise<void> {
  const lines = batch.items.map((item) =>
    JSON.stringify({ instance_id: item.instance_id, model_name_or_path: "bench", model_patch: item.patch }),
  );
  await writeFile(file, `${lines.join("\n")}\n`);
}

/** `repogym score -j J` per batch, one after another, as separate processes. */
async function scoreRound(
  batches: Batch[],
  common: string[],
  concurrency: number,
  work: string,
  env: NodeJS.ProcessEnv,
  rewards: Rewards,
) {
  for (const batch of batches) {
    const dir = await mkdtemp(join(work, "score-"));
    const predictions = join(dir, "predictions.jsonl");
    await writePredictions(predictions, batch);
    const out = join(dir, "run");
    await runCommand(
      process.execPath,
      [
        CLI,
        "score",
        "--predictions",
        predictions,
        ...common,
        "-j",
        String(concurrency),
        "--out",
        out,
        "--json",
      ],
      { cwd: dir, env },
    );
    for (const r of (await readRollouts(join(out, "rollouts.jsonl"))).rollouts) {
      rewards.set(`${batch.index} ${r.instance_id}`, r.reward);
    }
    await rm(dir, { recursive: true, force: true });
  }
}

/** runSuite with the replay agent per batch in this process: `repogym score` without starting node. */
async function runSuiteRound(
  batches: Batch[],
  app: AppRepo,
  scenarios: Scenario[],
  cacheDir: string,
  concurrency: number,
  work: string,
  rewards: Rewards,
) {
  const config = await loadConfig(app.path);
  for (const batch of batches) {
    const dir = await mkdtemp(join(work, "run-suite-"));
    const predictions = join(dir, "predictions.jsonl");
    await writePredictions(predictions, batch);
    const result = await runSuite({
      repo: app.path,
      scenarios,
      agentSpec: { name: "replay", predictions },
      attempts: 1,
      jobs: concurrency,
      timeoutMs: 600_000,
      outDir: join(dir, "run"),
      resume: false,
      config,
      cacheDir,
      hostEnv: process.env,
    });
    for (const r of (await readRollouts(result.rolloutsFile)).rollouts) {
      rewards.set(`${batch.index} ${r.instance_id}`, r.reward);
    }
    await rm(dir, { recursive: true, force: true });
  }
}

function sameRewards(a: Rewards, b: Rewards, what: string): void {
  const keys = [...a.keys()].sort();
  const differ = keys.filter((k) => a.get(k) !== b.get(k));
  if (keys.length !== b.size || differ.length > 0) {
    throw new Error(
      `serve: rewards differ from ${what} (${differ.slice(0, 3).join(", ") || `${keys.length} vs ${b.size} rewards`})`,
    );
  }
}

export async function measureServe(options: ServeFigureOptions): Promise<Figure[]> {
  const { app, concurrency, clients } = options;
  const root = await mkdtemp(join(tmpdir(), "repogym-bench-serve-"));
  const cacheDir = join(root, "cache");
  const suiteDir = join(root, "suite");
  const work = join(root, "work");
  await mkdir(work, { recursive: true });
  const env = { ...process.env, REPOGYM_CACHE_DIR: cacheDir };
  let server: ChildProcess | undefined;
  try {
    const max = Math.min(options.scenarios, app.fixes.length);
    progress(`serve: mining ${max} scenarios from the app repository (also fills the dependency cache)`);
    await mineRepository({ repo: app.path, suiteDir, cacheDir, toolVersion: "bench", jobs: 1, runs: 1, max });
    const scenarios = await readSuite(suiteDir);
    if (scenarios.length === 0) throw new Error("serve: mining wrote no scenarios");
    const batches = makeBatches(scenarios, options.batches);
    const rewardsPerRound = batches.length * scenarios.length;
    const common = ["--suite", suiteDir, "--repo", app.path];

    const started = await startServer(
      [
        ...common,
        "--concurrency",
        String(concurrency),
        "--queue",
        String(clients * scenarios.length),
        "--max-batch",
        String(scenarios.length),
      ],
      env,
    );
    server = started.child;
    const pid = server.pid!;
    await new Promise((r) => setTimeout(r, 500));
    const idle = memoryOf(pid);

    const samples = { score: [] as number[], runSuite: [] as number[], serve: [] as number[] };
    const serveRewards: Rewards = new Map();
    const scoreRewards: Rewards = new Map();
    const runSuiteRewards: Rewards = new Map();
    let refused = 0;
    let peakInflight = 0;
    let peakQueued = 0;
    // Waves of `clients` batches, the three methods in turn on each wave (rotating which goes
    // first): load from elsewhere on a shared machine then hits every method alike.
    const methods = {
      score: (wave: Batch[]) => scoreRound(wave, common, concurrency, work, env, scoreRewards),
      runSuite: (wave: Batch[]) =>
        runSuiteRound(wave, app, scenarios, cacheDir, concurrency, work, runSuiteRewards),
      serve: async (wave: Batch[]) => {
        let sampling = true;
        const sampler = (async () => {
          while (sampling) {
            try {
              const health = (await (await fetch(`${started.url}/healthz`)).json()) as Record<string, number>;
              peakInflight = Math.max(peakInflight, health.inflight ?? 0);
              peakQueued = Math.max(peakQueued, health.queued ?? 0);
            } catch {
              // The server is busy answering; the next sample will do.
            }
            await new Promise((r) => setTimeout(r, 100));
          }
        })();
        refused += (await serveRound(started.url, wave, clients, serveRewards)).refused;
        sampling = false;
        await sampler;
      },
    };
    const names = Object.keys(methods) as Array<keyof typeof methods>;
    progress(`serve: warm-up, 1 batch each: repogym score, runSuite, repogym serve`);
    for (const name of names) await methods[name](batches.slice(0, 1));
    for (let round = 1; round <= options.rounds; round++) {
      progress(
        `serve: round ${round}/${options.rounds}, ${batches.length} batches in waves of ${clients}: ` +
          `repogym score -j ${concurrency} (a process per batch), runSuite -j ${concurrency}, ` +
          `${clients} clients posting to repogym serve --concurrency ${concurrency}`,
      );
      const totals = { score: 0, runSuite: 0, serve: 0 };
      for (let w = 0; w * clients < batches.length; w++) {
        const wave = batches.slice(w * clients, (w + 1) * clients);
        for (let i = 0; i < names.length; i++) {
          const name = names[(w + i) % names.length]!;
          totals[name] += await timeMs(() => methods[name](wave));
        }
      }
      for (const name of names) samples[name].push(totals[name] / rewardsPerRound);
      const rate = (name: keyof typeof totals) => (1000 / (totals[name] / rewardsPerRound)).toFixed(2);
      progress(
        `  ${rate("serve")} rewards/s via serve, ${rate("score")} via repogym score, ${rate("runSuite")} via runSuite`,
      );
    }
    const loaded = memoryOf(pid);
    await stopServer(server);
    server = undefined;
    sameRewards(serveRewards, scoreRewards, "repogym score");
    sameRewards(serveRewards, runSuiteRewards, "runSuite");

    const perReward = {
      serve: median(samples.serve),
      score: median(samples.score),
      runSuite: median(samples.runSuite),
    };
    const perSecond = (ms: number) => Math.round((1000 / ms) * 100) / 100;
    const rewardValues = [...serveRewards.values()];
    const shape = `${batches.length} batches of ${scenarios.length} patches (gold and empty alternating)`;
    const details = {
      concurrency,
      clients,
      batches: batches.length,
      patchesPerBatch: scenarios.length,
      rounds: options.rounds,
      rewardsPerSecond: {
        serve: perSecond(perReward.serve),
        score: perSecond(perReward.score),
        runSuite: perSecond(perReward.runSuite),
      },
      rewardsAgree: true,
      meanReward: rewardValues.reduce<number>((sum, r) => sum + (r ?? 0), 0) / rewardValues.length,
      refused429: refused,
      peakInflight,
      peakQueued,
      msPerReward: samples,
    };
    const figures: Figure[] = [
      makeFigure({
        id: "serve.throughput",
        title: `reward service, ${clients} clients: ${details.rewardsPerSecond.serve} rewards/s vs repogym score ${details.rewardsPerSecond.score}`,
        measured: `wall time per reward (1 / rewards per second) of ${shape} POSTed to \`repogym serve --concurrency ${concurrency}\` by ${clients} concurrent clients, in waves of ${clients} batches interleaved with the baselines'; median of ${options.rounds} round(s)`,
        baselineDefinition: `wall time per reward of the same batches scored by \`repogym score -j ${concurrency}\`, one CLI process per batch, one batch after another (rewards equal to serve's)`,
        valueMs: perReward.serve,
        baselineMs: perReward.score,
        ratioOf: "baseline/value",
        target: { comparison: "at-least", ratio: 1, source: "bench" },
        details,
      }),
      makeFigure({
        id: "serve.throughput.run-suite",
        title: `  reward service vs runSuite in-process (no node start per batch): ${details.rewardsPerSecond.runSuite} rewards/s`,
        measured: `wall time per reward of ${shape} POSTed to \`repogym serve --concurrency ${concurrency}\` by ${clients} concurrent clients`,
        baselineDefinition: `wall time per reward of the same batches through runSuite with the replay agent, -j ${concurrency}, in the bench's own process, one batch after another`,
        valueMs: perReward.serve,
        baselineMs: perReward.runSuite,
        ratioOf: "baseline/value",
        diagnostic: true,
      }),
    ];
    if (idle && loaded) {
      figures.push(
        makeFigure({
          id: "serve.memory",
          title: `reward service peak memory under load (peak ${peakInflight} running, ${peakQueued} queued)`,
          measured: `peak resident set (VmHWM) of the \`repogym serve\` process after the warm-up and ${options.rounds} round(s) of ${clients} concurrent clients`,
          baselineDefinition:
            "peak resident set (VmHWM) of the same process idle, 0.5 s after it started listening (suite read, no request yet)",
          valueMs: loaded.peak,
          baselineMs: idle.peak,
          unit: "bytes",
          ratioOf: "value/baseline",
          details: { idleBytes: idle.peak, loadedBytes: loaded.peak, rssAfterLoadBytes: loaded.now },
        }),
      );
    } else {
      progress("serve: no /proc here, so no memory figure");
    }
    return figures;
  } finally {
    if (server) await stopServer(server);
    await rm(root, { recursive: true, force: true });
  }
}
