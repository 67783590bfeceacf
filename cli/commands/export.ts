import { type Command, InvalidArgumentError } from "commander";
import { ConfigError } from "../../core/errors.js";
import { toolVersion } from "../../core/version.js";
import { type ExportResult, exportCurriculum } from "../../curriculum/export.js";
import { FORMAT_NAMES, parseFormats } from "../../curriculum/formats.js";
import { parseDate } from "../../curriculum/solve-rate.js";
import { nonNegativeInt } from "./run.js";

interface ExportFlags {
  format: string[];
  suite: string;
  runs?: string[];
  out: string;
  informative?: boolean;
  after?: Date;
  split?: number | true;
  seed: number;
  force?: boolean;
  json?: boolean;
}

/** The default share of scenarios that go to train. */
const DEFAULT_TRAIN_RATIO = 0.8;

function ratio(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n < 1))
    throw new InvalidArgumentError(`expected the train share between 0 and 1, such as 0.8, got "${value}"`);
  return n;
}

function date(value: string): Date {
  try {
    return parseDate(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message.replace(/^--after expects /, "expected "));
  }
}

/** What the export holds, as a few lines for a terminal. Pure. */
export function renderExport(result: ExportResult): string {
  const m = result.manifest;
  const split = m.counts.train === undefined ? "" : ` (train ${m.counts.train}, test ${m.counts.test})`;
  const lines = [
    `Exported ${m.counts.scenarios} of ${m.counts.scenarios_in_suite} scenarios${split} and ${m.counts.rollouts} rollouts to ${result.outDir}`,
    ...Object.entries(m.formats).map(([name, f]) => `  ${name.padEnd(11)}${f.summary}`),
  ];
  if (m.notes.length > 0) lines.push(`  ${m.notes.length} notes on what was left out: see README.md`);
  return `${lines.join("\n")}\n`;
}

export function registerExport(program: Command): void {
  program
    .command("export")
    .description(
      "export the suite and its runs as curriculum data (SWE-bench, Runloop, Harbor, RL, SFT, preference)",
    )
    .requiredOption(
      "--format <names...>",
      `all, or any of ${FORMAT_NAMES.join(", ")} (comma or space separated)`,
    )
    .requiredOption("--suite <dir>", "suite folder (the one holding scenarios/)")
    .option("--runs <dirs...>", "run folders (each with run.json and rollouts.jsonl): solve rates, rollouts")
    .requiredOption("-o, --out <dir>", "export folder (must be empty or new)")
    .option("--informative", "keep only scenarios solved by some rollouts and not all (needs --runs)")
    .option("--after <date>", "keep only scenarios whose change was made after this date", date)
    .option(
      "--split [ratio]",
      `train/test split with this train share (default ${DEFAULT_TRAIN_RATIO}); a commit never lands on both sides`,
      ratio,
    )
    .option("--seed <s>", "seed for --split", nonNegativeInt, 0)
    .option("--force", "replace a previous export in --out")
    .option("--json", "print the manifest as JSON on stdout")
    .addHelpText(
      "after",
      `
Examples:
  $ repogym export --format all --suite .repogym --runs .repogym/runs/* --out curriculum
  $ repogym export --format swebench --suite .repogym --out swebench-tasks
  $ repogym export --format rl,preference --suite .repogym --runs runs/a runs/b --informative --out rl-data
  $ repogym export --format harbor --suite .repogym --after 2025-01-01 --split 0.8 --seed 7 --out harbor-tasks

Every export has a dataset card (README.md) and manifest.json; tables come as JSONL and Parquet.`,
    )
    .action(async (flags: ExportFlags) => {
      if (flags.seed !== 0 && flags.split === undefined) throw new ConfigError("--seed is for --split");
      const result = await exportCurriculum({
        suiteDir: flags.suite,
        runDirs: flags.runs ?? [],
        outDir: flags.out,
        formats: parseFormats(flags.format),
        informative: flags.informative ?? false,
        ...(flags.after ? { after: flags.after } : {}),
        ...(flags.split === undefined
          ? {}
          : { split: { ratio: flags.split === true ? DEFAULT_TRAIN_RATIO : flags.split, seed: flags.seed } }),
        force: flags.force ?? false,
        toolVersion: toolVersion(),
      });
      process.stdout.write(
        flags.json ? `${JSON.stringify(result.manifest, null, 2)}\n` : renderExport(result),
      );
    });
}
