import { spawn } from "node:child_process";
import { StringDecoder } from "node:string_decoder";
import { GitError } from "./errors.js";

export interface StreamGitOptions {
  /** What separates the pieces of output (a record separator, NUL, ...). */
  separator: string;
  /** Written to git's stdin, which is then closed. */
  input?: string;
}

/**
 * Runs one git command and yields its output piece by piece, split at `separator`, as it
 * arrives: long histories stream through without being held in memory. Empty pieces are
 * skipped. Stopping the iteration early kills git; a failing git throws one GitError.
 */
export async function* streamGit(
  repo: string,
  args: string[],
  options: StreamGitOptions,
): AsyncGenerator<string> {
  const child = spawn("git", args, {
    cwd: repo,
    stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (options.input !== undefined) {
    child.stdin!.on("error", () => {});
    child.stdin!.end(options.input);
  }
  const decoder = new StringDecoder("utf8");
  const { separator } = options;
  let buffer = "";
  let finished = false;
  try {
    for await (const chunk of child.stdout!) {
      buffer += decoder.write(chunk as Buffer);
      let start = 0;
      let end = buffer.indexOf(separator);
      while (end !== -1) {
        if (end > start) yield buffer.slice(start, end);
        start = end + separator.length;
        end = buffer.indexOf(separator, start);
      }
      buffer = buffer.slice(start);
    }
    buffer += decoder.end();
    if (buffer !== "") yield buffer;
    finished = true;
  } finally {
    if (!finished) child.kill("SIGTERM");
  }
  const code = await exited;
  if (code !== 0) {
    const command = args.find((a) => !a.startsWith("-") && !a.includes("=")) ?? "git";
    throw new GitError(
      `git ${command} failed: ${stderr.trim() || `exit code ${code}`}`,
      `git ${args.join(" ")}`,
      stderr,
    );
  }
}
