/**
 * `/repogym` commands in comments (pure). A command is the first word of a line, outside
 * fenced code blocks and quotes; the first such line of a comment is the command, the rest
 * of the comment is ignored.
 */

export const COMMAND_LIMITS = {
  maxAttempts: 10,
  maxSample: 1000,
  maxLineLength: 500,
} as const;

export type Command =
  | { name: "run"; agent?: string; attempts?: number; sample?: number }
  | { name: "mine" }
  | { name: "help" };

export type ParsedComment =
  /** No `/repogym` line: the app says and does nothing. */
  | { kind: "none" }
  | { kind: "command"; command: Command; line: string }
  /** A `/repogym` line the app cannot run; `error` says why, for the reply. */
  | { kind: "invalid"; line: string; error: string };

const PREFIX = "/repogym";
const AGENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const FENCE = /^(```|~~~)/;

/** The first `/repogym` line of a comment body, parsed. */
export function parseCommand(body: string | null | undefined): ParsedComment {
  let inFence: string | null = null;
  for (const rawLine of (body ?? "").split(/\r?\n/)) {
    const line = rawLine.trim();
    const fence = FENCE.exec(line)?.[1];
    if (fence) {
      if (inFence === null) inFence = fence;
      else if (fence === inFence) inFence = null;
      continue;
    }
    if (inFence !== null) continue;
    const words = line.split(/\s+/);
    if (words[0]?.toLowerCase() !== PREFIX) continue;
    if (line.length > COMMAND_LIMITS.maxLineLength) {
      return { kind: "invalid", line: line.slice(0, 80), error: "the command line is too long" };
    }
    return parseWords(line, words.slice(1));
  }
  return { kind: "none" };
}

function parseWords(line: string, args: string[]): ParsedComment {
  const invalid = (error: string): ParsedComment => ({ kind: "invalid", line, error });
  const [name, ...rest] = args;
  switch (name?.toLowerCase()) {
    case undefined:
    case "help":
      if (rest.length > 0) return invalid(`\`help\` takes no arguments, got \`${rest[0]}\``);
      return { kind: "command", command: { name: "help" }, line };
    case "mine":
      if (rest.length > 0) return invalid(`\`mine\` takes no arguments, got \`${rest[0]}\``);
      return { kind: "command", command: { name: "mine" }, line };
    case "run":
      return parseRun(line, rest);
    default:
      return invalid(`unknown command \`${clip(name ?? "")}\`; the commands are run, mine and help`);
  }
}

function parseRun(line: string, args: string[]): ParsedComment {
  const invalid = (error: string): ParsedComment => ({ kind: "invalid", line, error });
  const command: Extract<Command, { name: "run" }> = { name: "run" };
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq >= 0) {
      const key = arg.slice(0, eq).toLowerCase();
      const value = arg.slice(eq + 1);
      if (key === "attempts") {
        const n = wholeNumber(value, 1, COMMAND_LIMITS.maxAttempts);
        if (n === null)
          return invalid(`attempts must be a whole number from 1 to ${COMMAND_LIMITS.maxAttempts}`);
        command.attempts = n;
      } else if (key === "sample") {
        const n = wholeNumber(value, 1, COMMAND_LIMITS.maxSample);
        if (n === null) return invalid(`sample must be a whole number from 1 to ${COMMAND_LIMITS.maxSample}`);
        command.sample = n;
      } else {
        return invalid(`unknown option \`${clip(key)}\`; \`run\` takes attempts=K and sample=N`);
      }
      continue;
    }
    if (command.agent !== undefined) {
      return invalid(`one agent at a time: got \`${clip(command.agent)}\` and \`${clip(arg)}\``);
    }
    if (!AGENT.test(arg)) {
      return invalid(`\`${clip(arg)}\` is not an agent name (letters, digits, '.', '_' or '-')`);
    }
    command.agent = arg;
  }
  return { kind: "command", command, line };
}

function wholeNumber(text: string, min: number, max: number): number | null {
  if (!/^\d{1,7}$/.test(text)) return null;
  const n = Number(text);
  return n >= min && n <= max ? n : null;
}

/** Echoed user text: short, and without backticks that would break the reply's code spans. */
function clip(text: string): string {
  const clean = text.replace(/`/g, "'");
  return clean.length > 40 ? `${clean.slice(0, 39)}…` : clean;
}
