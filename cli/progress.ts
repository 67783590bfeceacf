import type { CandidateOutcome, MineEvent } from "../scenario-gen/mine.js";

export interface ProgressStream {
  write(text: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

/** One line for a finished candidate, as printed in CI logs. Pure. */
export function formatOutcomeLine(
  outcome: CandidateOutcome,
  index: number,
  total: number,
  durationMs: number,
): string {
  const width = String(total).length;
  const position = `[${String(index + 1).padStart(width)}/${total}]`;
  const sha = outcome.sha.slice(0, 10);
  const seconds = `${(durationMs / 1000).toFixed(1)}s`;
  if (outcome.kind === "scenario") {
    const flaky = outcome.flaky > 0 ? `, ${outcome.flaky} flaky dropped` : "";
    return `${position} ${sha} scenario ${outcome.instanceId} (${outcome.failToPass} F2P, ${outcome.passToPass} P2P${flaky}) ${seconds}`;
  }
  const detail = outcome.detail ? `: ${outcome.detail}` : "";
  const log = outcome.log ? ` [log: ${outcome.log}]` : "";
  return `${position} ${sha} skip ${outcome.reason}${detail} ${seconds}${log}`;
}

/**
 * Progress for long work: a live bar redrawn in place on a terminal, one plain line per
 * candidate anywhere else (CI logs keep every line).
 */
export function createMineProgress(stream: ProgressStream): (event: MineEvent) => void {
  const live = stream.isTTY === true;
  let done = 0;
  let total = 0;
  let scenarios = 0;
  const running = new Map<number, string>();
  const started = Date.now();

  const redraw = () => {
    if (!live || total === 0) return;
    const columns = stream.columns ?? 80;
    const barWidth = 20;
    const filled = Math.round((done / total) * barWidth);
    const bar = `${"█".repeat(filled)}${"░".repeat(barWidth - filled)}`;
    const current = [...running.values()][0] ?? "";
    const elapsed = `${Math.round((Date.now() - started) / 1000)}s`;
    const line = `${bar} ${done}/${total} candidates, ${scenarios} scenarios, ${elapsed}  ${current}`;
    stream.write(`\r\x1b[2K${line.slice(0, columns - 1)}`);
  };

  return (event) => {
    switch (event.type) {
      case "scanned":
        total = event.candidates.length;
        stream.write(`Scanned ${event.commits} commits: ${total} candidates to validate\n`);
        redraw();
        break;
      case "candidate-start":
        running.set(event.index, `${event.sha.slice(0, 10)} ${event.subject}`);
        redraw();
        break;
      case "candidate-done": {
        running.delete(event.index);
        done++;
        if (event.outcome.kind === "scenario") scenarios++;
        const line = formatOutcomeLine(event.outcome, event.index, event.total, event.durationMs);
        if (live) {
          stream.write(`\r\x1b[2K${line}\n`);
          if (done === total) stream.write("\r\x1b[2K");
          else redraw();
        } else {
          stream.write(`${line}\n`);
        }
        break;
      }
    }
  };
}
