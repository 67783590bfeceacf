import { resolve } from "node:path";
import type { Command } from "commander";
import { loadConfig } from "../../core/config.js";
import { ConfigError } from "../../core/errors.js";
import { openRepository } from "../../core/git.js";
import { readSuite } from "../../core/suite-store.js";
import { type ScenarioVerdict, validateSuite } from "../../scenario-gen/validate-suite.js";
import { withInterrupt } from "../interrupt.js";
import { defaultCacheDir, positiveInt } from "../options.js";
import { formatDuration } from "../render-mine.js";

interface ValidateFlags {
  repo: string;
  jobs: number;
  runs?: number;
  json?: boolean;
}

export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description(
      "re-prove a suite: the gold patch passes every F2P and P2P test, the unfixed state fails every F2P test",
    )
    .argument("[suite]", "suite folder (holding scenarios/)", ".repogym")
    .option("--repo <path>", "the repository the scenarios came from", ".")
    .option("-j, --jobs <n>", "scenarios validated in parallel", positiveInt, 1)
    .option("--runs <n>", "test runs per state (default from config, 3)", positiveInt)
    .option("--json", "print verdicts as JSON on stdout")
    .addHelpText(
      "after",
      `
Exits with 1 when any scenario is no longer proven.

Example:
  $ repogym validate .repogym --repo . --jobs 2`,
    )
    .action(async (suite: string, flags: ValidateFlags) => {
      const suiteDir = resolve(suite);
      const scenarios = await readSuite(suiteDir);
      if (scenarios.length === 0)
        throw new ConfigError("no scenarios found (expected scenarios/*.json)", suiteDir);
      const repo = await openRepository(flags.repo);
      const config = await loadConfig(repo.root);
      const started = performance.now();
      const verdicts = await withInterrupt((signal) =>
        validateSuite({
          signal,
          repo: repo.root,
          scenarios,
          cacheDir: defaultCacheDir(process.env),
          config,
          jobs: flags.jobs,
          ...(flags.runs ? { runs: flags.runs } : {}),
          onVerdict: (verdict, index, total) => {
            if (flags.json) return;
            const position = `[${String(index + 1).padStart(String(total).length)}/${total}]`;
            const status = verdict.ok ? "proven" : "FAILED";
            process.stderr.write(
              `${position} ${status} ${verdict.instanceId} ${formatDuration(verdict.durationMs)}\n`,
            );
            if (!verdict.ok)
              for (const problem of verdict.problems) process.stderr.write(`      ${problem}\n`);
          },
        }),
      );
      // Scenarios not reached before an interrupt have no verdict.
      const reached = verdicts.filter((v): v is ScenarioVerdict => v !== undefined);
      const failed = reached.filter((v) => !v.ok);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(reached, null, 2)}\n`);
      } else {
        process.stdout.write(
          `repogym validate — ${reached.length - failed.length}/${scenarios.length} scenarios proven in ${formatDuration(performance.now() - started)}\n`,
        );
      }
      if (failed.length > 0) process.exitCode = 1;
    });
}
