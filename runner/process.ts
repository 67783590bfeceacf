import { AsyncLocalStorage } from "node:async_hooks";
import { spawn } from "node:child_process";

export interface RunProcessOptions {
  cwd: string;
  /** Full environment for the child. Callers decide what it sees; nothing is inherited implicitly. */
  env?: NodeJS.ProcessEnv;
  /** Kill the whole process group after this many milliseconds. */
  timeoutMs?: number;
  /** Keep at most this many bytes of combined output (head and tail are kept). */
  maxOutputBytes?: number;
  /** Written to the child's stdin, then stdin is closed. */
  input?: string | Buffer;
}

export interface ProcessResult {
  /** Exit code, or null when killed by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Combined stdout and stderr, in arrival order, capped. */
  output: string;
  stdout: string;
  stderr: string;
  /** True when output was cut to maxOutputBytes. */
  truncated: boolean;
  durationMs: number;
}

const DEFAULT_MAX_OUTPUT = 4 * 1024 * 1024;

/** Process groups started by runProcess and still running, so an interrupt can end them all. */
const liveGroups = new Set<number>();
/** Set once the process is shutting down: nothing new may start. */
let stopped = false;

/**
 * Kills every process group runProcess started that is still running, and makes every later
 * runProcess call end at once as killed. Children run in their own groups (so timeouts can
 * kill grandchildren), which also means a terminal's Ctrl-C does not reach them: the CLI
 * calls this when it is interrupted, and the work in flight then winds down without
 * starting another step.
 */
export function stopAllProcesses(signal: NodeJS.Signals = "SIGKILL"): number {
  stopped = true;
  let killed = 0;
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, signal);
      killed++;
    } catch {
      // Already gone.
    }
  }
  liveGroups.clear();
  return killed;
}

/** The process groups started inside one withProcessScope call, ended together when its signal aborts. */
interface ProcessScope {
  signal: AbortSignal;
  groups: Set<number>;
}

const scopes = new AsyncLocalStorage<ProcessScope | undefined>();

/**
 * Runs `work` so that every process group runProcess starts inside it (across awaits) is killed
 * when `signal` aborts, and every later runProcess call inside it ends at once as killed. This
 * is stopAllProcesses for one piece of work among many in the same process: the reward
 * service cuts one request's rollouts at its deadline and leaves the other requests' alone.
 */
export async function withProcessScope<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  const scope: ProcessScope = { signal, groups: new Set() };
  const killAll = () => {
    for (const pid of scope.groups) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    scope.groups.clear();
  };
  signal.addEventListener("abort", killAll, { once: true });
  try {
    return await scopes.run(scope, work);
  } finally {
    signal.removeEventListener("abort", killAll);
  }
}

/**
 * Runs `work` outside any process scope: for processes several scopes wait on (one dependency
 * install shared by many rollouts), which one scope's abort must not end for the others.
 */
export function outsideProcessScope<T>(work: () => T): T {
  return scopes.run(undefined, work);
}

/** Keeps the first and last halves of a stream once it passes the cap. */
class CappedBuffer {
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  truncated = false;
  constructor(private readonly cap: number) {}

  push(chunk: Buffer): void {
    const half = Math.floor(this.cap / 2);
    if (this.headBytes < half) {
      const take = chunk.subarray(0, half - this.headBytes);
      this.head.push(take);
      this.headBytes += take.length;
      chunk = chunk.subarray(take.length);
    }
    if (chunk.length === 0) return;
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tailBytes > half && this.tail.length > 0) {
      this.truncated = true;
      const first = this.tail[0]!;
      const excess = this.tailBytes - half;
      if (first.length <= excess) {
        this.tail.shift();
        this.tailBytes -= first.length;
      } else {
        this.tail[0] = first.subarray(excess);
        this.tailBytes -= excess;
      }
    }
  }

  toString(): string {
    const head = Buffer.concat(this.head).toString("utf8");
    const tail = Buffer.concat(this.tail).toString("utf8");
    return this.truncated ? `${head}\n[... output truncated by repogym ...]\n${tail}` : head + tail;
  }
}

/**
 * Runs a command in its own process group so that a timeout kills everything it started,
 * grandchildren included. Never rejects for a non-zero exit: that is a value.
 */
export function runProcess(
  command: string,
  args: string[],
  options: RunProcessOptions,
): Promise<ProcessResult> {
  const started = performance.now();
  const cap = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  const scope = scopes.getStore();
  if (stopped || scope?.signal.aborted) {
    const output = `[repogym: not started, the run was interrupted] ${command}`;
    return Promise.resolve({
      exitCode: null,
      signal: "SIGKILL",
      timedOut: false,
      output,
      stdout: "",
      stderr: output,
      truncated: false,
      durationMs: 0,
    });
  }
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const all = new CappedBuffer(cap);
    const out = new CappedBuffer(cap);
    const err = new CappedBuffer(cap);
    let timedOut = false;
    let settled = false;

    if (child.pid !== undefined) {
      liveGroups.add(child.pid);
      scope?.groups.add(child.pid);
    }
    const killGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // The group is already gone.
      }
    };

    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            killGroup("SIGTERM");
            setTimeout(() => killGroup("SIGKILL"), 2_000).unref();
          }, options.timeoutMs);

    child.stdout!.on("data", (chunk: Buffer) => {
      all.push(chunk);
      out.push(chunk);
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      all.push(chunk);
      err.push(chunk);
    });
    if (options.input !== undefined) {
      child.stdin!.on("error", () => {});
      child.stdin!.end(options.input);
    }
    child.on("error", (error) => {
      if (timer) clearTimeout(timer);
      if (!settled) {
        settled = true;
        reject(error);
      }
    });
    // Leave nothing behind: once the command exits, whatever it started in the background
    // dies with it (and releases the output pipes, so "close" can fire).
    child.on("exit", () => {
      killGroup("SIGKILL");
      if (child.pid !== undefined) {
        liveGroups.delete(child.pid);
        scope?.groups.delete(child.pid);
      }
    });
    child.on("close", (exitCode, signal) => {
      if (timer) clearTimeout(timer);
      if (settled) return;
      settled = true;
      resolve({
        exitCode,
        signal,
        timedOut,
        output: all.toString(),
        stdout: out.toString(),
        stderr: err.toString(),
        truncated: all.truncated,
        durationMs: performance.now() - started,
      });
    });
  });
}
