#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { ConfigError, GitError, GitHubApiError, TestRunError } from "../core/errors.js";
import { toolVersion } from "../core/version.js";
import { registerDemo } from "./commands/demo.js";
import { registerExport } from "./commands/export.js";
import { registerMine } from "./commands/mine.js";
import { registerRun } from "./commands/run.js";
import { registerScore } from "./commands/score.js";
import { registerServe } from "./commands/serve.js";
import { registerValidate } from "./commands/validate.js";

export function buildProgram(): Command {
  const program = new Command("repogym")
    .description(
      "Mine a repository's history into test-fixing scenarios, run coding agents on them, score, serve and export the results.",
    )
    .version(toolVersion().replace(/^repogym /, ""))
    .showHelpAfterError("(run with --help for usage)");
  registerMine(program);
  registerValidate(program);
  registerRun(program);
  registerScore(program);
  registerExport(program);
  registerServe(program);
  registerDemo(program);
  return program;
}

/** Typed errors become one line; anything else is a bug and keeps its stack. */
function report(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode;
  if (
    error instanceof ConfigError ||
    error instanceof GitError ||
    error instanceof TestRunError ||
    error instanceof GitHubApiError
  ) {
    process.stderr.write(`repogym: ${error.message}\n`);
    return 2;
  }
  process.stderr.write(
    `repogym: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 1;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.exitCode = report(error);
  });
