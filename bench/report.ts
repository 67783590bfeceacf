import { type Figure, targetMet } from "./figure.js";

export interface BenchReport {
  schema: "repogym/bench@1";
  node: string;
  platform: string;
  cpus: number;
  startedAt: string;
  durationMs: number;
  setup: Record<string, unknown>;
  figures: Figure[];
}

const formatMs = (ms: number) =>
  ms >= 10_000
    ? `${(ms / 1000).toFixed(1)} s`
    : ms >= 1000
      ? `${(ms / 1000).toFixed(2)} s`
      : `${ms.toFixed(1)} ms`;

const formatBytes = (bytes: number) =>
  bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(2)} GiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

const formatValue = (figure: Figure, value: number) =>
  figure.unit === "bytes" ? formatBytes(value) : formatMs(value);

const formatRatio = (ratio: number) => (ratio >= 10 ? `${ratio.toFixed(1)}x` : `${ratio.toFixed(2)}x`);

function formatTarget(figure: Figure): string {
  if (!figure.target) return "";
  const sign = figure.target.comparison === "at-most" ? "<=" : ">=";
  return `${sign} ${figure.target.ratio}x${figure.target.source === "bench" ? "*" : ""}`;
}

function formatVerdict(figure: Figure): string {
  const met = targetMet(figure);
  return met === undefined ? "" : met ? "met" : "MISSED";
}

/** The figures as an aligned text table, with what each number and baseline is underneath. */
export function renderTable(report: BenchReport): string {
  const header = ["figure", "repogym", "baseline", "ratio", "target", ""];
  const rows = report.figures.map((f) => [
    f.title,
    formatValue(f, f.valueMs),
    formatValue(f, f.baselineMs),
    `${formatRatio(f.ratio)} ${f.ratioOf === "value/baseline" ? "of baseline" : "faster"}`,
    formatTarget(f),
    formatVerdict(f),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 || i >= 4 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  const out = [
    `repogym bench — node ${report.node}, ${report.platform}, ${report.cpus} CPUs, ${formatMs(report.durationMs)} in all`,
    "",
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    "",
    "* target set by this bench (the issue states none); unmarked targets come from the issue.",
    "Indented rows are diagnostics for the figure above them.",
    "",
    "What each row measures:",
  ];
  // Rows that share a definition with the row above (diagnostics, a second revision) say only what differs.
  let previous: Figure | undefined;
  for (const figure of report.figures) {
    out.push(`  ${figure.title.trim()}`);
    if (figure.measured !== previous?.measured) out.push(`      repogym:  ${figure.measured}`);
    if (figure.baselineDefinition !== previous?.baselineDefinition) {
      out.push(`      baseline: ${figure.baselineDefinition}`);
    }
    previous = figure;
  }
  return `${out.join("\n")}\n`;
}

export function renderJson(report: BenchReport): string {
  const figures = report.figures.map((f) => ({ ...f, met: targetMet(f) ?? null }));
  return `${JSON.stringify({ ...report, figures }, null, 2)}\n`;
}
