import { spawn } from "node:child_process";

/** Timings of one measured operation, repeated. */
export interface Sample {
  medianMs: number;
  minMs: number;
  maxMs: number;
  runsMs: number[];
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function toSample(runsMs: number[]): Sample {
  return {
    medianMs: median(runsMs),
    minMs: Math.min(...runsMs),
    maxMs: Math.max(...runsMs),
    runsMs,
  };
}

export async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/**
 * Measures several operations round-robin (a, b, c, a, b, c, ...) after one unmeasured warm-up
 * each, so that drift on a busy machine (page cache, CPU frequency, other processes) hits every
 * operation alike instead of whichever happened to run last.
 */
export async function measureInterleaved<K extends string>(
  operations: Record<K, () => Promise<unknown>>,
  repeats: number,
): Promise<Record<K, Sample>> {
  const keys = Object.keys(operations) as K[];
  for (const key of keys) await operations[key]();
  const runs = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  for (let i = 0; i < repeats; i++) {
    for (const key of keys) runs[key].push(await timeMs(operations[key]));
  }
  return Object.fromEntries(keys.map((k) => [k, toSample(runs[k])])) as Record<K, Sample>;
}

export interface CommandResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Bytes written to stdout (counted even when the text is not kept). */
  stdoutBytes: number;
}

export interface CommandOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  /** Discard stdout after counting it (for throughput baselines). */
  discardStdout?: boolean;
  /** Resolve with a non-zero exit code instead of rejecting. */
  allowFailure?: boolean;
}

/** Spawns a command, drains its output and resolves when it exits. */
export function runCommand(command: string, args: string[], options: CommandOptions): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let stdoutBytes = 0;
    child.stdout.on("data", (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (!options.discardStdout) out.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (exitCode) => {
      const result = {
        exitCode,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        stdoutBytes,
      };
      if (exitCode !== 0 && !options.allowFailure) {
        const tail = result.stderr.trim().split("\n").slice(-5).join("\n");
        reject(new Error(`${command} ${args.join(" ")} exited with ${exitCode}: ${tail}`));
        return;
      }
      resolve(result);
    });
    child.stdin.on("error", () => {});
    child.stdin.end(options.input);
  });
}

/** Runs a shell command line (for pipelines such as `git archive | tar -x`). */
export function runShell(line: string, options: CommandOptions): Promise<CommandResult> {
  return runCommand("/bin/sh", ["-c", line], options);
}

/** Git with a fixed identity and no user or system configuration, so runs are reproducible. */
export function gitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_AUTHOR_NAME: "Bench Author",
    GIT_AUTHOR_EMAIL: "bench@example.com",
    GIT_COMMITTER_NAME: "Bench Author",
    GIT_COMMITTER_EMAIL: "bench@example.com",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    ...extra,
  };
}

export function git(cwd: string, args: string[], options: Partial<CommandOptions> = {}) {
  return runCommand("git", args, { env: gitEnv(), ...options, cwd });
}

export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
