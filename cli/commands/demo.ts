import { existsSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { loadConfig } from "../../core/config.js";
import { ConfigError } from "../../core/errors.js";
import { readSuite } from "../../core/suite-store.js";
import { toolVersion } from "../../core/version.js";
import { buildSampleRepo } from "../../examples/sample-repo.js";
import { runSuite } from "../../runner/run-loop.js";
import { mineRepository } from "../../scenario-gen/mine.js";
import { withInterrupt } from "../interrupt.js";
import { defaultCacheDir, positiveInt } from "../options.js";
import { createMineProgress } from "../progress.js";
import { renderMineSummary } from "../render-mine.js";

const MARKER = "sample-lib";

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description(
      "build the bundled sample repository, mine it into ./repogym-demo, then score the gold patches and a do-nothing agent",
    )
    .option("-o, --out <dir>", "demo folder (recreated on every run)", "repogym-demo")
    .option("-j, --jobs <n>", "candidates validated in parallel", positiveInt, 2)
    .option("--sample <n>", "scenarios the two agents run on", positiveInt, 6)
    .action(async (flags: { out: string; jobs: number; sample: number }) => {
      const out = resolve(flags.out);
      await resetDemoDir(out);
      const repoDir = join(out, MARKER);
      const sample = await buildSampleRepo(repoDir);
      process.stderr.write(
        `Built the sample repository in ${relative(process.cwd(), repoDir)} (HEAD ${sample.head.slice(0, 10)})\n`,
      );
      const summary = await withInterrupt((signal) =>
        mineRepository({
          signal,
          repo: repoDir,
          suiteDir: out,
          cacheDir: defaultCacheDir(process.env),
          toolVersion: toolVersion(),
          jobs: flags.jobs,
          onEvent: createMineProgress(process.stderr),
        }),
      );
      process.stdout.write(renderMineSummary(summary, process.cwd()));
      if (summary.interrupted || summary.scenarios.length === 0) return;
      await scoreBaselines(out, repoDir, flags);
    });
}

/**
 * The other half of the loop: the oracle (gold patches) and noop on a seeded sample, so the
 * reward signal is seen to separate a fix from no fix: 1.0 against 0.0.
 */
async function scoreBaselines(
  out: string,
  repo: string,
  flags: { jobs: number; sample: number },
): Promise<void> {
  const scenarios = await readSuite(out);
  const config = await loadConfig(repo);
  const lines: string[] = [];
  for (const agent of ["oracle", "noop"] as const) {
    const result = await withInterrupt((signal) =>
      runSuite({
        signal,
        repo,
        scenarios,
        agentSpec: { name: agent },
        attempts: 1,
        jobs: flags.jobs,
        sample: Math.min(flags.sample, scenarios.length),
        seed: 1,
        timeoutMs: 120_000,
        outDir: join(out, "runs", agent),
        resume: false,
        config,
        cacheDir: defaultCacheDir(process.env),
        hostEnv: {},
      }),
    );
    if (result.interrupted) return;
    const { reward, resolved_rate: resolved, rollouts } = result.summary;
    lines.push(
      `  ${agent.padEnd(7)} reward ${reward.mean?.toFixed(2) ?? "n/a"}  resolved ${resolved === null ? "n/a" : `${Math.round(resolved * 100)}%`}  (${rollouts} rollouts → ${relative(process.cwd(), result.rolloutsFile)})`,
    );
  }
  process.stdout.write(
    `\nrepogym run — the same ${Math.min(flags.sample, scenarios.length)} scenarios, two agents\n${lines.join("\n")}\n`,
  );
}

/** The demo folder is repogym's own; refuse to wipe a folder that is not. */
async function resetDemoDir(out: string): Promise<void> {
  if (!existsSync(out)) return;
  const entries = await readdir(out);
  if (entries.length > 0 && !entries.includes(MARKER)) {
    throw new ConfigError("exists and is not a repogym demo folder; pass --out with another path", out);
  }
  await rm(out, { recursive: true, force: true });
}
