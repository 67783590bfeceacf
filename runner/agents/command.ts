import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { ConfigError } from "../../core/errors.js";
import { runProcess } from "../process.js";
import { type SandboxLevel, sandboxReadOnlyPaths, wrapCommand } from "../sandbox.js";
import { shellQuote } from "../shell.js";
import { maskSecrets, validateEnvNames } from "./environment.js";
import type { Agent, AgentContext, AgentOutcome } from "./types.js";

/** What a command template may refer to; each becomes one shell-quoted word. */
export const PLACEHOLDERS = ["problem_file", "workspace", "instance_id", "output_dir", "attempt"] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateValues = Record<Placeholder, string>;

/** `{name}`, but not the shell's own `${name}`. */
const PLACEHOLDER = /(?<!\$)\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

const DEFAULT_MAX_OUTPUT = 4 * 1024 * 1024;

function isPlaceholder(name: string): name is Placeholder {
  return (PLACEHOLDERS as readonly string[]).includes(name);
}

/** Throws ConfigError when the template refers to something it cannot have. */
export function checkTemplate(template: string, where?: string): void {
  if (template.trim() === "") throw new ConfigError("the agent command is empty", where);
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1]!;
    if (!isPlaceholder(name)) {
      throw new ConfigError(
        `unknown placeholder {${name}} in the agent command; known placeholders: ${PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}`,
        where,
      );
    }
  }
  const quoted = quotedPlaceholder(template);
  if (quoted !== undefined) {
    throw new ConfigError(
      `{${quoted}} is inside quotes in the agent command; write it unquoted (repogym quotes the value itself), e.g. "$(cat {problem_file})" rather than "{problem_file}"`,
      where,
    );
  }
}

/**
 * The first placeholder that sits inside the template's own quotes, where repogym's quoting
 * would become part of the value. Inside `$( )` quoting starts afresh, so
 * `"$(cat {problem_file})"` is fine. A small lexer: quotes, backslashes and `$( )`.
 */
function quotedPlaceholder(template: string): string | undefined {
  const stack: Array<"'" | '"' | "("> = [];
  const placeholderAt = new RegExp(PLACEHOLDER.source, "y");
  for (let i = 0; i < template.length; i++) {
    const top = stack.at(-1);
    placeholderAt.lastIndex = i;
    const placeholder = placeholderAt.exec(template);
    if (placeholder) {
      if (top === "'" || top === '"') return placeholder[1];
      i += placeholder[0].length - 1;
      continue;
    }
    const char = template[i];
    if (top === "'") {
      if (char === "'") stack.pop();
    } else if (char === "\\") {
      i++;
    } else if (char === "$" && template[i + 1] === "(") {
      stack.push("(");
      i++;
    } else if (top === '"') {
      if (char === '"') stack.pop();
    } else if (char === "'" || char === '"') {
      stack.push(char);
    } else if (char === ")" && top === "(") {
      stack.pop();
    }
  }
  return undefined;
}

/** Fills the placeholders with shell-quoted values; the result is one `sh -c` command line. */
export function renderCommand(template: string, values: TemplateValues): string {
  checkTemplate(template);
  return template.replace(PLACEHOLDER, (_, name: string) => shellQuote(values[name as Placeholder]));
}

export function templateValues(context: AgentContext): TemplateValues {
  return {
    problem_file: context.problemFile,
    workspace: context.workspace,
    instance_id: context.scenario.instance_id,
    output_dir: context.outputDir,
    attempt: String(context.attempt),
  };
}

export interface CommandAgentOptions {
  /** Recorded as `agent.name` in rollout records. */
  name: string;
  /** A shell command line with placeholders, e.g. `my-agent --task-file {problem_file}`. */
  template: string;
  /** Host environment variables the agent may see (see agentEnvironment). */
  envNames?: readonly string[];
  version?: string;
  model?: string;
  /**
   * Whether the agent needs the network (to reach its model's API). Enforced by the bwrap and
   * docker sandboxes; off by default (presets that call a model API turn it on).
   */
  network?: boolean;
  /** How the agent process is isolated from the host (runner/sandbox.ts); default none. */
  sandbox?: SandboxLevel;
  /** Keep at most this many bytes of the agent's output in its log (head and tail). */
  maxOutputBytes?: number;
}

export interface CommandAgent extends Agent {
  template: string;
  envNames: readonly string[];
  network: boolean;
  sandbox: SandboxLevel;
}

function describeExit(exitCode: number): string {
  const reason = `exited with code ${exitCode}`;
  return exitCode === 127
    ? `${reason} (command not found: is the agent's CLI installed and on PATH?)`
    : reason;
}

/**
 * Any CLI as an agent: the template is rendered and run with `/bin/sh -c` in the workspace,
 * with exactly the context's environment. A timeout kills the whole process group; the
 * output, capped and with secrets masked, goes to the context's log file.
 */
export function createCommandAgent(options: CommandAgentOptions): CommandAgent {
  const where = `agent "${options.name}"`;
  checkTemplate(options.template, where);
  const envNames = [...(options.envNames ?? [])];
  validateEnvNames(envNames, where);
  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;

  return {
    name: options.name,
    ...(options.version === undefined ? {} : { version: options.version }),
    ...(options.model === undefined ? {} : { model: options.model }),
    template: options.template,
    envNames,
    network: options.network ?? false,
    sandbox: options.sandbox ?? "none",
    async run(context: AgentContext): Promise<AgentOutcome> {
      const line = renderCommand(options.template, templateValues(context));
      await mkdir(context.outputDir, { recursive: true });
      await mkdir(dirname(context.logFile), { recursive: true });
      if (context.env.HOME) await mkdir(context.env.HOME, { recursive: true });

      const wrapped = wrapCommand({
        level: options.sandbox ?? "none",
        command: "/bin/sh",
        args: ["-c", line],
        workspace: context.workspace,
        outputDir: context.outputDir,
        problemFile: context.problemFile,
        readOnly: sandboxReadOnlyPaths(context.workspace),
        network: options.network ?? false,
        env: context.env,
      });
      const result = await runProcess(wrapped.command, wrapped.args, {
        cwd: context.workspace,
        env: wrapped.env,
        timeoutMs: context.timeoutMs,
        maxOutputBytes,
      });

      let outcome: AgentOutcome;
      if (result.timedOut) {
        outcome = {
          status: "timeout",
          durationMs: result.durationMs,
          reason: `timed out after ${context.timeoutMs} ms`,
        };
      } else if (result.exitCode === 0) {
        outcome = { status: "completed", durationMs: result.durationMs, exitCode: 0 };
      } else if (result.exitCode === null) {
        outcome = {
          status: "agent_error",
          durationMs: result.durationMs,
          reason: `killed by ${result.signal ?? "a signal"}`,
          exitCode: null,
        };
      } else {
        outcome = {
          status: "agent_error",
          durationMs: result.durationMs,
          reason: describeExit(result.exitCode),
          exitCode: result.exitCode,
        };
      }

      const footer = outcome.status === "completed" ? "exited with code 0" : outcome.reason;
      const output =
        result.output === "" || result.output.endsWith("\n") ? result.output : `${result.output}\n`;
      const log = `[repogym] $ ${line}\n${output}[repogym] ${footer}\n`;
      await writeFile(context.logFile, maskSecrets(log, context.env));
      return outcome;
    },
  };
}
