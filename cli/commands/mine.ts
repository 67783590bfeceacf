import { resolve } from "node:path";
import type { Command } from "commander";
import { toolVersion } from "../../core/version.js";
import { mineRepository } from "../../scenario-gen/mine.js";
import { withInterrupt } from "../interrupt.js";
import { defaultCacheDir, positiveInt } from "../options.js";
import { createMineProgress } from "../progress.js";
import { renderMineSummary } from "../render-mine.js";

interface MineFlags {
  since?: string;
  until?: string;
  max?: number;
  jobs: number;
  out?: string;
  dryRun?: boolean;
  json?: boolean;
  allCommits?: boolean;
  runs?: number;
  rev?: string;
}

export function registerMine(program: Command): void {
  program
    .command("mine")
    .description("mine the repository's history into validated test-fixing scenarios")
    .argument("[path]", "the repository to mine", ".")
    .option("--since <date>", "only commits after this date (anything git log --since accepts)")
    .option("--until <date>", "only commits before this date")
    .option("--max <n>", "validate at most n candidates, newest first", positiveInt)
    .option("-j, --jobs <n>", "candidates validated in parallel", positiveInt, 1)
    .option("-o, --out <dir>", "suite folder (scenarios go to <dir>/scenarios)", "<path>/.repogym")
    .option("--dry-run", "list candidates and skip reasons without running anything")
    .option("--json", "print the summary as JSON on stdout")
    .option("--all-commits", "take every non-merge commit instead of the first-parent history")
    .option("--runs <n>", "test runs per state (default from config, 3)", positiveInt)
    .option("--rev <rev>", "walk history from this revision instead of HEAD")
    .addHelpText(
      "after",
      `
Examples:
  $ repogym mine --dry-run                  list candidates and why other commits were skipped
  $ repogym mine ../my-lib --max 20 -j 2    validate the 20 newest candidates, two at a time
  $ repogym mine --since 2024-01-01 --json  machine-readable summary on stdout

Progress goes to stderr; the summary to stdout. Settings: .repogym/config.yml (see README).`,
    )
    .action(async (path: string, flags: MineFlags) => {
      const repo = resolve(path);
      const suiteDir =
        !flags.out || flags.out === "<path>/.repogym" ? resolve(repo, ".repogym") : resolve(flags.out);
      const progress = createMineProgress(process.stderr);
      const summary = await withInterrupt((signal) =>
        mineRepository({
          signal,
          repo,
          suiteDir,
          cacheDir: defaultCacheDir(process.env),
          toolVersion: toolVersion(),
          jobs: flags.jobs,
          dryRun: flags.dryRun ?? false,
          allCommits: flags.allCommits ?? false,
          ...(flags.since ? { since: flags.since } : {}),
          ...(flags.until ? { until: flags.until } : {}),
          ...(flags.max ? { max: flags.max } : {}),
          ...(flags.runs ? { runs: flags.runs } : {}),
          ...(flags.rev ? { rev: flags.rev } : {}),
          onEvent: flags.json ? () => {} : progress,
        }),
      );
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      } else {
        process.stdout.write(renderMineSummary(summary, process.cwd()));
      }
    });
}
