import { isAbsolute, relative } from "node:path";
import { SKIP_REASONS, type SkipReason } from "../scenario-gen/candidates.js";
import type { MineSummary } from "../scenario-gen/mine.js";

/** Aligns rows of cells into columns. */
export function table(rows: string[][], indent = "  "): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map(
      (row) =>
        indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  "),
    )
    .join("\n");
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, "0")}s`;
}

/** The summary printed at the end of `repogym mine`. Pure. */
export function renderMineSummary(summary: MineSummary, cwd: string): string {
  const out: string[] = [];
  const where = displayPath(cwd, summary.suiteDir);
  out.push(
    `repogym mine — ${summary.repo.slug} @ ${summary.repo.head.slice(0, 10)}${summary.dryRun ? " (dry run)" : ""}`,
  );
  const rows: string[][] = [
    ["commits scanned", String(summary.commits)],
    ["candidates", String(summary.candidates.length)],
  ];
  if (!summary.dryRun) rows.push(["scenarios written", `${summary.scenarios.length}  → ${where}/scenarios/`]);
  rows.push(["skipped", String(summary.skipped.length)]);
  out.push(table(rows));
  const reasons = Object.entries(summary.skipsByReason).sort((a, b) => b[1] - a[1]) as Array<
    [SkipReason, number]
  >;
  if (reasons.length > 0) {
    out.push("  skips by reason:");
    out.push(
      table(
        reasons.map(([reason, count]) => [String(count), reason, SKIP_REASONS[reason]]),
        "    ",
      ),
    );
  }
  if (summary.dryRun && summary.candidates.length > 0) {
    out.push("  candidates (newest first):");
    out.push(
      table(
        summary.candidates.map((c) => [c.sha.slice(0, 10), c.instanceId, c.subject.slice(0, 60)]),
        "    ",
      ),
    );
  }
  out.push(`  time: ${formatDuration(summary.durationMs)}`);
  if (summary.commits === 0) {
    out.push(
      "  no commits matched: check --rev, --since and --until (git reads an unknown date as no limit or no match)",
    );
  }
  if (summary.interrupted) {
    out.push(
      "  interrupted: candidates not reached were left for the next run (mined commits are skipped then)",
    );
  }
  if (!summary.dryRun && summary.scenarios.length > 0) {
    const repo = displayPath(cwd, summary.repo.root);
    const repoFlag = repo === "." ? "" : ` --repo ${repo}`;
    out.push(`\nNext: \`repogym validate ${where}${repoFlag}\` re-proves every scenario.`);
  }
  return `${out.join("\n")}\n`;
}

/** A path relative to cwd when it lies inside it, else absolute. */
export function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  if (rel === "") return ".";
  return rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}
