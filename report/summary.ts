import { DIFFICULTY_BUCKETS } from "../runner/run-summary.js";
import type { Comparison } from "./compare.js";
import { fixed, formatInteger, percent } from "./format.js";
import { type Align, table } from "./markdown.js";
import type { ReportInput } from "./report-input.js";
import { renderReport } from "./results-markdown.js";

/** GitHub accepts 1 MiB of job summary per step; stay below with room to spare. */
export const SUMMARY_MAX_BYTES = 1_000_000;

export interface JobSummaryInput extends ReportInput {
  /** UTF-8 bytes; defaults to SUMMARY_MAX_BYTES. */
  maxBytes?: number;
}

const encoder = new TextEncoder();

function byteLength(text: string): number {
  return encoder.encode(text).length;
}

function renderStatus(comparison: Comparison): string {
  const now = comparison.summary.status;
  const before = comparison.base_summary?.status;
  const rows = (
    [
      ["scored", "scored"],
      ["agent_error", "agent errors (reward 0)"],
      ["timeout", "timeouts (reward 0)"],
      ["infra_error", "infra errors (not counted)"],
    ] as const
  ).map(([key, label]) => [label, formatInteger(now[key]), ...(before ? [formatInteger(before[key])] : [])]);
  const header = ["rollouts", "now", ...(before ? ["base"] : [])];
  return ["#### Rollouts", "", table(header, rows, ["left", "right", "right"])].join("\n");
}

function renderPassAtK(comparison: Comparison): string | null {
  const { summary, base_summary: base } = comparison;
  if (summary.attempts < 2) return null;
  const header = ["k", "pass@k now", "scenarios", ...(base ? ["pass@k base"] : [])];
  const rows = summary.pass_at_k.map((p) => {
    const before = base?.pass_at_k.find((b) => b.k === p.k);
    return [
      String(p.k),
      percent(p.value),
      formatInteger(p.scenarios),
      ...(base ? [before ? percent(before.value) : "—"] : []),
    ];
  });
  return ["#### pass@k", "", table(header, rows, ["right", "right", "right", "right"])].join("\n");
}

function renderByDifficulty(comparison: Comparison): string | null {
  const { summary, base_summary: base } = comparison;
  if (summary.by_difficulty.length === 0) return null;
  const header = [
    "difficulty",
    "scenarios",
    "rollouts",
    "mean reward",
    ...(base ? ["base"] : []),
    "resolved",
    ...(base ? ["base"] : []),
    "infra errors",
  ];
  const align: Align[] = ["left", "right", "right", "right", "right", "right", "right", "right"];
  const rows: string[][] = [];
  for (const { name } of DIFFICULTY_BUCKETS) {
    const now = summary.by_difficulty.find((b) => b.bucket === name);
    const before = base?.by_difficulty.find((b) => b.bucket === name);
    if (!now && !before) continue;
    rows.push([
      name,
      formatInteger(now?.scenarios ?? 0),
      formatInteger(now?.rollouts ?? 0),
      fixed(now?.mean_reward),
      ...(base ? [fixed(before?.mean_reward)] : []),
      percent(now?.resolved_rate),
      ...(base ? [percent(before?.resolved_rate)] : []),
      formatInteger(now?.infra_errors ?? 0),
    ]);
  }
  return ["#### By difficulty (lines changed by the gold patch)", "", table(header, rows, align)].join("\n");
}

/**
 * The job summary (pure): the comment's content plus rollout status, pass@k and difficulty
 * tables, and lines in the per-scenario table. Fitted to `maxBytes` like the comment.
 */
export function renderJobSummary(input: JobSummaryInput): string {
  const { comparison } = input;
  return renderReport(input, {
    heading: "## 🏋️ repogym results",
    tables: [renderStatus(comparison), renderPassAtK(comparison), renderByDifficulty(comparison)],
    difficulty: true,
    size: byteLength,
    limit: input.maxBytes ?? SUMMARY_MAX_BYTES,
    cutNote: "_This summary was cut to fit GitHub's size limit; see the artifact for the full results._",
  });
}
