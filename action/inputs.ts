import { ConfigError } from "../core/errors.js";
import { parseShard, type Shard } from "../runner/run-loop.js";
import { isSandboxLevel, type SandboxLevel } from "../runner/sandbox.js";

export const MODES = ["evaluate", "mine", "pr-scenario", "validate", "merge", "report"] as const;
export type Mode = (typeof MODES)[number];

export interface ActionInputs {
  mode: Mode | null;
  agent: string | null;
  command: string | null;
  predictions: string | null;
  model: string | null;
  env: string[];
  suite: string;
  attempts: number;
  sample: number | null;
  seed: number;
  shard: Shard | null;
  jobs: number;
  timeoutSeconds: number;
  sandbox: SandboxLevel | null;
  network: boolean | null;
  token: string;
  comment: boolean;
  commentKey: string;
  historyBranch: string | null;
  resultsPath: string;
  results: string | null;
  failBelow: number | null;
  maxRegression: number | null;
  maxCandidates: number;
  scenariosBranch: string;
  workingDirectory: string;
}

/** Reads one input by its action.yml name; "" when unset (as `@actions/core` getInput does). */
export type InputReader = (name: string) => string;

function bad(name: string, expected: string, got: string): ConfigError {
  return new ConfigError(`expected ${expected}, got "${got}"`, `input ${name}`);
}

function int(read: InputReader, name: string, min: number, fallback: number | null): number | null {
  const text = read(name).trim();
  if (text === "") return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > 1_000_000) throw bad(name, `a whole number from ${min}`, text);
  return n;
}

function fraction(read: InputReader, name: string): number | null {
  const text = read(name).trim();
  if (text === "") return null;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw bad(name, "a number from 0 to 1", text);
  return n;
}

function optional(read: InputReader, name: string): string | null {
  const text = read(name).trim();
  return text === "" ? null : text;
}

/** A git branch name we are willing to write: no spaces, no `..`, nothing git refuses. */
function branch(read: InputReader, name: string, allowEmpty: boolean): string | null {
  const text = read(name).trim();
  if (text === "") {
    if (allowEmpty) return null;
    throw bad(name, "a branch name", text);
  }
  if (!/^[A-Za-z0-9._/-]+$/.test(text) || text.includes("..") || text.startsWith("/") || text.endsWith("/")) {
    throw bad(name, "a branch name (letters, digits, '.', '_', '-', '/')", text);
  }
  return text;
}

/** Parses and checks every input; one ConfigError naming the input otherwise (pure). */
export function parseInputs(read: InputReader): ActionInputs {
  const modeText = read("mode").trim();
  if (modeText !== "" && !(MODES as readonly string[]).includes(modeText)) {
    throw bad("mode", MODES.join(", "), modeText);
  }
  const shardText = read("shard").trim();
  let shard: Shard | null = null;
  if (shardText !== "") {
    const parsed = parseShard(shardText);
    if (typeof parsed === "string") throw new ConfigError(parsed, "input shard");
    shard = parsed;
  }
  const sandboxText = read("sandbox").trim();
  if (sandboxText !== "" && !isSandboxLevel(sandboxText))
    throw bad("sandbox", "bwrap, docker or none", sandboxText);
  const networkText = read("network").trim();
  if (!["", "on", "off"].includes(networkText)) throw bad("network", "on or off", networkText);
  const commentText = read("comment").trim() || "true";
  if (!["true", "false"].includes(commentText)) throw bad("comment", "true or false", commentText);
  const key = read("comment-key").trim() || "default";
  if (!/^[A-Za-z0-9_.-]{1,50}$/.test(key)) throw bad("comment-key", "letters, digits, '.', '_' or '-'", key);
  const env = read("env")
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const name of env) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw bad("env", "environment variable names", name);
  }
  return {
    mode: modeText === "" ? null : (modeText as Mode),
    agent: optional(read, "agent"),
    command: optional(read, "command"),
    predictions: optional(read, "predictions"),
    model: optional(read, "model"),
    env,
    suite: optional(read, "suite") ?? ".repogym",
    attempts: int(read, "attempts", 1, 1)!,
    sample: int(read, "sample", 1, null),
    seed: int(read, "seed", 0, 1)!,
    shard,
    jobs: int(read, "jobs", 1, 2)!,
    timeoutSeconds: int(read, "timeout", 1, 1800)!,
    sandbox: sandboxText === "" ? null : (sandboxText as SandboxLevel),
    network: networkText === "" ? null : networkText === "on",
    token: read("github-token").trim(),
    comment: commentText === "true",
    commentKey: key,
    historyBranch: branch(read, "history-branch", true),
    resultsPath: optional(read, "results-path") ?? "repogym-results",
    results: optional(read, "results"),
    failBelow: fraction(read, "fail-below"),
    maxRegression: fraction(read, "max-regression"),
    maxCandidates: int(read, "max-candidates", 1, 20)!,
    scenariosBranch: branch(read, "scenarios-branch", true) ?? "repogym/scenarios",
    workingDirectory: optional(read, "working-directory") ?? ".",
  };
}

/** The mode the event implies when the `mode` input is empty. */
export function defaultMode(eventName: string): Mode {
  if (eventName === "pull_request" || eventName === "pull_request_target") return "evaluate";
  if (eventName === "workflow_run") return "report";
  return "mine";
}
