import { z } from "zod";
import { describeError } from "../core/errors.js";
import { runProcess } from "../runner/process.js";
import { ScoringInfraError } from "./errors.js";
import { parseScorerOptions } from "./options.js";
import type { ScoreContext, ScoreResult, Scorer, ScorerFactory } from "./types.js";

/** Output kept in `details` (head and tail), so a chatty checker cannot bloat the record. */
export const MAX_COMMAND_OUTPUT_BYTES = 16 * 1024;

const CommandOptionsSchema = z.strictObject({
  /** A shell command line, run with /bin/sh -c in the workspace. */
  command: z.string().trim().min(1, "expected a non-empty shell command"),
  /** exit-code: exit 0 scores 1, anything else 0. number: the last number printed on stdout. */
  mode: z.enum(["exit-code", "number"]).default("exit-code"),
});

const NUMBER = /[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/g;

/** The last number in the text, or undefined when it prints none. */
export function lastNumber(text: string): number | undefined {
  const matches = text.match(NUMBER);
  const last = matches?.at(-1);
  return last === undefined ? undefined : Number(last);
}

/**
 * `command`: runs `options.command` in the workspace with the scorer environment and timeout.
 * In `exit-code` mode exit 0 scores 1 and anything else 0. In `number` mode the score is the
 * last number the command prints on stdout, which must lie in [0, 1]; a command that exits
 * non-zero scores 0 whatever it printed, since a crashed checker's number is not a verdict.
 * A timeout scores 0. A command that cannot even start (no shell, no workspace) is an
 * infrastructure failure, not the agent's.
 */
export const createCommandScorer: ScorerFactory = (options) => {
  const { command, mode } = parseScorerOptions("command", CommandOptionsSchema, options);
  const scorer: Scorer = {
    name: "command",
    async score(context: ScoreContext): Promise<ScoreResult> {
      let result: Awaited<ReturnType<typeof runProcess>>;
      try {
        const spawn = {
          command: "/bin/sh",
          args: ["-c", command],
          cwd: context.workspace,
          env: context.env,
          writable: [],
        };
        const wrapped = context.wrap ? { ...spawn, ...context.wrap(spawn) } : spawn;
        result = await runProcess(wrapped.command, wrapped.args, {
          cwd: context.workspace,
          env: wrapped.env,
          timeoutMs: context.timeoutMs,
          maxOutputBytes: MAX_COMMAND_OUTPUT_BYTES,
        });
      } catch (error) {
        throw new ScoringInfraError(
          `cannot run scorer command "${command}": ${describeError(error)}`,
          "command",
          {
            cause: error,
          },
        );
      }
      const details: Record<string, unknown> = {
        command,
        mode,
        exitCode: result.exitCode,
        signal: result.signal,
        timedOut: result.timedOut,
        durationMs: Math.round(result.durationMs),
        output: result.output,
        outputTruncated: result.truncated,
      };
      const fail = (error: string): ScoreResult => ({ score: 0, details: { ...details, error } });

      if (result.timedOut) return fail(`timed out after ${context.timeoutMs} ms`);
      if (result.exitCode !== 0) {
        const how =
          result.exitCode === null ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
        return mode === "exit-code" ? { score: 0, details } : fail(`the command ${how}`);
      }
      if (mode === "exit-code") return { score: 1, details };

      const value = lastNumber(result.stdout);
      if (value === undefined)
        return fail("expected the command to print a number in [0, 1] on stdout; it printed none");
      if (!(value >= 0 && value <= 1)) {
        return fail(`expected the last number printed on stdout to lie in [0, 1], got ${value}`);
      }
      return { score: value, details: { ...details, value } };
    },
  };
  return scorer;
};
