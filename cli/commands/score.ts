import type { Command } from "commander";
import { positiveInt } from "../options.js";
import { executeRun } from "./run.js";

interface ScoreFlags {
  predictions: string;
  suite?: string;
  repo: string;
  jobs: number;
  out?: string;
  resume?: boolean;
  json?: boolean;
}

/** `repogym score`: scores a predictions file; exactly `repogym run --agent replay`. */
export function registerScore(program: Command): void {
  program
    .command("score")
    .description("score SWE-bench predictions (instance_id, model_patch) against the suite")
    .requiredOption("--predictions <file>", "SWE-bench predictions JSONL")
    .option("--suite <dir>", "suite folder (default <repo>/.repogym)")
    .option("--repo <path>", "the repository the suite was mined from", ".")
    .option("-j, --jobs <n>", "rollouts run in parallel", positiveInt, 1)
    .option("-o, --out <dir>", "run folder (default <suite>/runs/<run id>)")
    .option("--resume", "continue the run in --out: only rollouts not recorded yet")
    .option("--json", "print the summary as JSON on stdout")
    .addHelpText(
      "after",
      `
Same as: repogym run --agent replay --predictions <file>. As in SWE-bench's harness, only the
predicted instances are evaluated; a patch that does not apply is an agent_error with reward 0.`,
    )
    .action(async (flags: ScoreFlags) => {
      await executeRun({
        agent: "replay",
        predictions: flags.predictions,
        repo: flags.repo,
        attempts: 1,
        jobs: flags.jobs,
        timeout: 1800,
        ...(flags.suite === undefined ? {} : { suite: flags.suite }),
        ...(flags.out === undefined ? {} : { out: flags.out }),
        ...(flags.resume === undefined ? {} : { resume: flags.resume }),
        ...(flags.json === undefined ? {} : { json: flags.json }),
      });
    });
}
