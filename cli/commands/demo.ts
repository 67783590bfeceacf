import { existsSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { ConfigError } from "../../core/errors.js";
import { toolVersion } from "../../core/version.js";
import { buildSampleRepo } from "../../examples/sample-repo.js";
import { mineRepository } from "../../scenario-gen/mine.js";
import { withInterrupt } from "../interrupt.js";
import { defaultCacheDir, positiveInt } from "../options.js";
import { createMineProgress } from "../progress.js";
import { renderMineSummary } from "../render-mine.js";

const MARKER = "sample-lib";

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("build the bundled sample repository and mine it into ./repogym-demo")
    .option("-o, --out <dir>", "demo folder (recreated on every run)", "repogym-demo")
    .option("-j, --jobs <n>", "candidates validated in parallel", positiveInt, 2)
    .action(async (flags: { out: string; jobs: number }) => {
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
    });
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
