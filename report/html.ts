import type { Results } from "../core/results.js";
import { DIFFICULTY_BUCKETS, difficultyBucket } from "../runner/run-summary.js";
import {
  type CommitPoint,
  type DifficultyBar,
  difficultyMixChart,
  rewardDistributionChart,
  rewardOverCommitsChart,
} from "./charts.js";
import { type Comparison, type ScenarioComparison, type ScenarioSide, summarizeResults } from "./compare.js";
import {
  fixed,
  formatCost,
  formatDuration,
  formatInteger,
  formatTokens,
  percent,
  shortSha,
  signed,
  signedPoints,
  truncate,
} from "./format.js";
import { escapeHtml as h } from "./html-escape.js";
import { changedScenarios, detailOrder, isStaleBase } from "./results-markdown.js";

export interface HtmlReportInput {
  title?: string;
  comparison: Comparison;
  /** Earlier runs (any order; the current run may be among them), for the trend chart. */
  history: readonly Results[];
}

/**
 * Nothing may load from anywhere: no scripts, no fonts, no images but data: URLs. The page is
 * opened from artifacts of untrusted runs, so even a missed escape could not call home.
 */
export const HTML_REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** The runs of the trend chart, oldest first: history plus the current run, one point per run id. */
export function trendPoints(comparison: Comparison, history: readonly Results[]): CommitPoint[] {
  const current = comparison.current;
  const runs = new Map<string, Results>();
  for (const entry of history) runs.set(entry.run_id, entry);
  runs.set(current.run_id, current);
  return [...runs.values()]
    .sort((a, b) =>
      a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.run_id < b.run_id ? -1 : 1,
    )
    .map((entry) => {
      const isCurrent = entry.run_id === current.run_id;
      const summary = isCurrent ? comparison.summary : summarizeResults(entry);
      return {
        run_id: entry.run_id,
        label: shortSha(entry.commit),
        created_at: entry.created_at,
        mean: summary.reward.mean,
        resolved_rate: summary.resolved_rate,
        current: isCurrent,
      };
    });
}

function rewardsOf(results: Results): number[] {
  return results.rollouts.filter((r) => r.reward !== null).map((r) => r.reward as number);
}

/** Scenarios of the current run per difficulty bucket, every bucket listed. */
export function difficultyBars(comparison: Comparison): DifficultyBar[] {
  return DIFFICULTY_BUCKETS.map(({ name }) => {
    const inBucket = comparison.scenarios.filter(
      (s) => s.current !== null && difficultyBucket({ lines: s.lines }) === name,
    );
    const bar: DifficultyBar = { bucket: name, resolved: 0, unresolved: 0, no_reward: 0, mean_reward: null };
    for (const s of inBucket) {
      const side = s.current!;
      if (side.mean === null) bar.no_reward++;
      else if (side.resolved > 0) bar.resolved++;
      else bar.unresolved++;
    }
    bar.mean_reward = comparison.summary.by_difficulty.find((b) => b.bucket === name)?.mean_reward ?? null;
    return bar;
  });
}

const STYLE = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --panel: #f6f8fa; --border: #d1d9e0;
  --accent: #0969da; --good: #1a7f37; --bad: #cf222e; --warn: #9a6700; --bar: #54aeff; --grid: #d1d9e0; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --panel: #151b23; --border: #3d444d;
    --accent: #4493f8; --good: #3fb950; --bad: #f85149; --warn: #d29922; --bar: #388bfd; --grid: #3d444d; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 24px; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--fg); background: var(--bg); }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 10px; }
.meta, .muted, figcaption { color: var(--muted); }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 10px; margin: 18px 0; }
.card { background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 10px 12px; }
.card .label { color: var(--muted); font-size: 12px; } .card .value { font-size: 20px; font-weight: 600; }
.card .delta { font-size: 12px; }
.up { color: var(--good); } .down { color: var(--bad); } .warn { color: var(--warn); }
.notes { border-left: 3px solid var(--warn); padding: 4px 12px; margin: 12px 0; background: var(--panel); }
.notes p { margin: 4px 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 16px; }
figure { margin: 0; background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 12px; }
figure h3 { margin: 0 0 6px; font-size: 14px; }
figure.wide { grid-column: 1 / -1; }
svg.chart { width: 100%; height: auto; display: block; }
svg .grid { stroke: var(--grid); stroke-width: 1; }
svg text { fill: var(--muted); font-size: 12px; } svg .axis-title { font-size: 13px; } svg .tick.current { fill: var(--accent); font-weight: 600; }
svg .total { fill: var(--fg); font-weight: 600; } svg .empty { font-size: 14px; }
svg .line { fill: none; stroke: var(--accent); stroke-width: 2; }
svg .point { fill: var(--bg); stroke: var(--accent); stroke-width: 2; }
svg .point.current { fill: var(--warn); stroke: var(--warn); }
svg .bar, svg .key-bar { fill: var(--bar); }
svg .base-mark { stroke: var(--fg); stroke-width: 2; stroke-dasharray: 4 2; } svg .key-base-mark { fill: var(--fg); }
svg .resolved, svg .key-resolved { fill: var(--good); } svg .unresolved, svg .key-unresolved { fill: var(--bad); }
svg .no-reward, svg .key-no-reward { fill: var(--warn); }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { border-bottom: 1px solid var(--border); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--panel); font-weight: 600; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.current td { font-weight: 600; }
details summary { cursor: pointer; font-weight: 600; margin: 10px 0; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
`;

interface Column {
  label: string;
  numeric?: boolean;
}

function htmlTable(
  columns: readonly Column[],
  rows: ReadonlyArray<readonly string[]>,
  rowClass?: (i: number) => string,
): string {
  const head = columns.map((c) => `<th${c.numeric ? ' class="num"' : ""}>${h(c.label)}</th>`).join("");
  const body = rows
    .map((row, i) => {
      const cls = rowClass?.(i) ?? "";
      const cells = row
        .map((cell, j) => `<td${columns[j]?.numeric ? ' class="num"' : ""}>${cell}</td>`)
        .join("");
      return `<tr${cls ? ` class="${h(cls)}"` : ""}>${cells}</tr>`;
    })
    .join("\n");
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function card(label: string, value: string, delta = ""): string {
  return `<div class="card"><div class="label">${h(label)}</div><div class="value">${h(value)}</div>${delta ? `<div class="delta">${delta}</div>` : ""}</div>`;
}

function deltaLine(delta: number | null, noise: number | null, significant: boolean, text: string): string {
  if (delta === null) return "";
  const cls = significant ? (delta < 0 ? "down" : "up") : "muted";
  const word = noise === null ? "" : significant ? " · beyond noise" : " · within noise";
  return `<span class="${cls}">${h(text)}${h(word)}</span>`;
}

function renderCards(comparison: Comparison): string {
  const { summary, reward, resolved_rate: resolved, totals, base } = comparison;
  const vs = base ? ` vs ${shortSha(base.commit)}` : "";
  const cards = [
    card(
      "mean reward",
      fixed(summary.reward.mean),
      deltaLine(
        reward.delta,
        reward.noise,
        reward.significant,
        reward.delta === null
          ? ""
          : `${signed(reward.delta)}${reward.noise === null ? "" : ` ± ${fixed(reward.noise)}`}${vs}`,
      ) || `<span class="muted">sd ${h(fixed(summary.reward.std))}</span>`,
    ),
    card(
      "resolved",
      percent(summary.resolved_rate),
      deltaLine(
        resolved.delta,
        resolved.noise,
        resolved.significant,
        resolved.delta === null
          ? ""
          : `${signedPoints(resolved.delta)}${resolved.noise === null ? "" : ` ± ${(resolved.noise * 100).toFixed(1)}`}${vs}`,
      ),
    ),
  ];
  const last = summary.pass_at_k[summary.pass_at_k.length - 1];
  if (last && last.k > 1) cards.push(card(`pass@${last.k}`, percent(last.value)));
  cards.push(
    card(
      "rollouts",
      formatInteger(summary.rollouts),
      `<span class="muted">${h(`${formatInteger(summary.scenarios)} scenarios × ${summary.attempts} attempts`)}</span>`,
    ),
  );
  if (summary.status.infra_error > 0) {
    cards.push(
      card(
        "infra errors",
        formatInteger(summary.status.infra_error),
        '<span class="warn">not counted in reward or resolved</span>',
      ),
    );
  }
  cards.push(
    card(
      "rollout time",
      formatDuration(totals.duration_ms),
      '<span class="muted">summed over rollouts</span>',
    ),
  );
  if (totals.cost_usd !== null) cards.push(card("cost", formatCost(totals.cost_usd)));
  if (totals.input_tokens !== null || totals.output_tokens !== null) {
    cards.push(
      card(
        "tokens",
        `${totals.input_tokens === null ? "n/a" : formatTokens(totals.input_tokens)} / ${totals.output_tokens === null ? "n/a" : formatTokens(totals.output_tokens)}`,
        '<span class="muted">in / out</span>',
      ),
    );
  }
  return `<section class="cards">${cards.join("\n")}</section>`;
}

function renderNotes(comparison: Comparison): string {
  const notes: string[] = [];
  const { current, base } = comparison;
  if (!base) notes.push("No base results yet: nothing to compare with until the base branch has a run.");
  const pr = current.pull_request;
  if (isStaleBase(comparison) && pr && base) {
    notes.push(
      `Stale base: the base results are from ${shortSha(base.commit)}, but the PR's base is ${shortSha(pr.base_sha)}; the change may include the effect of other commits on ${truncate(pr.base_ref, 80)}.`,
    );
  }
  if (current.shard && current.shard.count > 1) {
    notes.push(`These results are shard ${current.shard.index}/${current.shard.count} only.`);
  }
  if (base && comparison.reward.delta === null) {
    notes.push(
      comparison.shared === 0
        ? "No scenario in common with the base run."
        : "No rewarded rollout on the scenarios both runs share (infra errors).",
    );
  }
  if (notes.length === 0) return "";
  return `<section class="notes">${notes.map((n) => `<p>${h(n)}</p>`).join("")}</section>`;
}

function side(s: ScenarioSide | null, key: "mean" | "resolved"): string {
  if (!s) return "—";
  return key === "mean"
    ? h(fixed(s.mean))
    : h(`${s.resolved}/${s.attempts}${s.infra_errors > 0 ? ` (${s.infra_errors} infra)` : ""}`);
}

function noiseText(s: ScenarioComparison): string {
  if (s.beyond_noise) return "beyond noise";
  return (s.current?.attempts ?? 0) < 2 || (s.base?.attempts ?? 0) < 2 ? "—" : "within noise";
}

function renderChanges(comparison: Comparison): string {
  if (!comparison.base) return "";
  const { regressions, improvements } = changedScenarios(comparison);
  const columns: Column[] = [
    { label: "scenario" },
    { label: "base", numeric: true },
    { label: "now", numeric: true },
    { label: "change", numeric: true },
    { label: "resolved base → now" },
    { label: "noise" },
  ];
  const rows = (list: ScenarioComparison[]) =>
    list.map((s) => [
      `<code>${h(s.instance_id)}</code>`,
      side(s.base, "mean"),
      side(s.current, "mean"),
      h(signed(s.delta ?? 0)),
      `${side(s.base, "resolved")} → ${side(s.current, "resolved")}`,
      h(noiseText(s)),
    ]);
  const parts: string[] = [];
  if (regressions.length > 0)
    parts.push(
      `<h2>Regressions (${formatInteger(regressions.length)})</h2>`,
      htmlTable(columns, rows(regressions)),
    );
  if (improvements.length > 0)
    parts.push(
      `<h2>Improvements (${formatInteger(improvements.length)})</h2>`,
      htmlTable(columns, rows(improvements)),
    );
  if (parts.length === 0 && comparison.scenarios.some((s) => s.delta !== null))
    parts.push('<p class="muted">No scenario\'s mean reward changed against the base.</p>');
  return parts.join("\n");
}

function renderBreakdowns(comparison: Comparison): string {
  const { summary, base_summary: base } = comparison;
  const parts: string[] = [];
  if (summary.attempts > 1) {
    parts.push(
      "<h2>pass@k</h2>",
      htmlTable(
        [
          { label: "k", numeric: true },
          { label: "now", numeric: true },
          { label: "scenarios", numeric: true },
          ...(base ? [{ label: "base", numeric: true }] : []),
        ],
        summary.pass_at_k.map((p) => [
          String(p.k),
          h(percent(p.value)),
          h(formatInteger(p.scenarios)),
          ...(base ? [h(percent(base.pass_at_k.find((b) => b.k === p.k)?.value))] : []),
        ]),
      ),
    );
  }
  if (summary.by_difficulty.length > 0) {
    parts.push(
      "<h2>By difficulty</h2>",
      htmlTable(
        [
          { label: "lines changed by the gold patch" },
          { label: "scenarios", numeric: true },
          { label: "rollouts", numeric: true },
          { label: "mean reward", numeric: true },
          { label: "resolved", numeric: true },
          { label: "infra errors", numeric: true },
        ],
        summary.by_difficulty.map((b) => [
          h(b.bucket),
          h(formatInteger(b.scenarios)),
          h(formatInteger(b.rollouts)),
          h(fixed(b.mean_reward)),
          h(percent(b.resolved_rate)),
          h(formatInteger(b.infra_errors)),
        ]),
      ),
    );
  }
  return parts.join("\n");
}

function renderHistory(points: readonly CommitPoint[]): string {
  const newest = [...points].reverse();
  return [
    `<h2>Runs (${formatInteger(points.length)})</h2>`,
    htmlTable(
      [
        { label: "commit" },
        { label: "run" },
        { label: "created" },
        { label: "mean reward", numeric: true },
        { label: "resolved", numeric: true },
      ],
      newest.map((p) => [
        `<code>${h(p.label)}</code>${p.current ? " (this run)" : ""}`,
        `<code>${h(p.run_id)}</code>`,
        h(p.created_at),
        h(fixed(p.mean)),
        h(percent(p.resolved_rate)),
      ]),
      (i) => (newest[i]?.current ? "current" : ""),
    ),
  ].join("\n");
}

function renderDetails(comparison: Comparison): string {
  const all = detailOrder(comparison);
  if (all.length === 0) return "";
  const withBase = comparison.base !== null;
  const columns: Column[] = [
    { label: "scenario" },
    { label: "lines", numeric: true },
    { label: "reward now", numeric: true },
    ...(withBase ? [{ label: "base", numeric: true }] : []),
    { label: "resolved" },
    { label: "time", numeric: true },
    { label: "cost", numeric: true },
    { label: "first reason" },
  ];
  const rows = all.map((s) => {
    const reason = (s.current ?? s.base)?.reason;
    return [
      `<code>${h(s.instance_id)}</code>`,
      h(formatInteger(s.lines)),
      s.current ? side(s.current, "mean") : "not run",
      ...(withBase ? [side(s.base, "mean")] : []),
      side(s.current, "resolved"),
      s.current ? h(formatDuration(s.current.duration_ms)) : "—",
      s.current?.cost_usd != null ? h(formatCost(s.current.cost_usd)) : "—",
      reason ? h(truncate(reason, 300)) : "",
    ];
  });
  return `<details><summary>All scenarios (${formatInteger(all.length)})</summary>\n${htmlTable(columns, rows)}\n</details>`;
}

/**
 * One self-contained HTML page (pure): inline CSS, inline SVG charts drawn here, no script and
 * a CSP that forbids loading anything. Every string from results is escaped.
 */
export function renderHtmlReport(input: HtmlReportInput): string {
  const { comparison } = input;
  const { current, base } = comparison;
  const title = input.title ?? `repogym · ${current.repo}`;
  const points = trendPoints(comparison, input.history);
  const meta = [
    current.repo,
    `agent ${current.agent.name}${current.agent.model ? ` (${current.agent.model})` : ""}`,
    `commit ${shortSha(current.commit)}`,
    ...(current.ref ? [`ref ${truncate(current.ref, 80)}`] : []),
    ...(base ? [`base ${shortSha(base.commit)}`] : []),
    current.created_at,
  ];
  const figure = (heading: string, svg: string, caption: string, wide = false) =>
    `<figure${wide ? ' class="wide"' : ""}><h3>${h(heading)}</h3>${svg}<figcaption>${h(caption)}</figcaption></figure>`;
  const figures = [
    figure(
      "Mean reward over commits",
      rewardOverCommitsChart(points),
      `${points.length} runs, oldest first; this run is highlighted.`,
      true,
    ),
    figure(
      "Reward distribution",
      rewardDistributionChart(rewardsOf(current), base ? rewardsOf(base) : null),
      `Per-rollout rewards of this run in 10 bins${base ? "; dashes mark the base run's shares" : ""}. Infra errors have no reward and are left out.`,
    ),
    figure(
      "Difficulty mix",
      difficultyMixChart(difficultyBars(comparison)),
      "Scenarios of this run per difficulty bucket: resolved in at least one attempt, never resolved, or without any reward.",
    ),
  ].join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${HTML_REPORT_CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${h(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${h(title)}</h1>
<p class="meta">${meta.map((m) => h(m)).join(" · ")}</p>
</header>
${renderNotes(comparison)}
${renderCards(comparison)}
<section class="charts">
${figures}
</section>
${renderChanges(comparison)}
${renderBreakdowns(comparison)}
${renderHistory(points)}
${renderDetails(comparison)}
<footer>${h(`${current.tool_version} · run ${current.run_id} · results ${current.schema}`)}</footer>
</body>
</html>
`;
}
