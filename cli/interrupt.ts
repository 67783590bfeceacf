import { stopAllProcesses } from "../runner/process.js";

/**
 * Runs long work so that Ctrl-C (or SIGTERM from a CI runner) stops it cleanly: the first
 * signal ends every child process group and lets the work wind down — scenarios already
 * written stay, scratch folders are removed; a second signal exits at once.
 */
export async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(
      `\nrepogym: ${name} received; stopping. Work already written is kept; run again to continue.\n`,
    );
    controller.abort();
    stopAllProcesses();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (controller.signal.aborted) process.exitCode = 130;
  }
}
