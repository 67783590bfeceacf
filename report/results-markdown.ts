import type { Comparison, ScenarioComparison, ScenarioSide } from "./compare.js";
import { fitToLimit, type RowBudget } from "./fit.js";
import {
  fixed,
  formatCost,
  formatDuration,
  formatInteger,
  formatTokens,
  percent,
  plural,
  shortSha,
  signed,
  signedPoints,
  truncate,
} from "./format.js";
import type { GateResult } from "./gates.js";
import { type Align, code, link, escapeMarkdown as md, safeUrl, table } from "./markdown.js";
import { type PrScenarioOutcome, type ReportInput, type ReportLinks, reportLinks } from "./report-input.js";

/**
 * Markdown sections shared by the PR comment and the job summary (pure). Every string that
 * came from results goes through `md` (escapeMarkdown) or `code`; numbers are formatted here.
 */

const MAX_NOTES = 20;
const MAX_NOTE_LENGTH = 300;
const MAX_REASON_LENGTH = 120;

/** The base is from another commit than the PR's base: the change may include other commits' effects. */
export function isStaleBase(comparison: Comparison): boolean {
  const pr = comparison.current.pull_request;
  return comparison.base !== null && pr !== undefined && pr.base_sha !== comparison.base.commit;
}

export function renderTitle(comparison: Comparison, heading: string): string {
  const { current } = comparison;
  const agent = `**${md(current.agent.name)}**${current.agent.model ? ` (${md(current.agent.model)})` : ""}`;
  const ref = current.pull_request
    ? ` · PR into ${code(truncate(current.pull_request.base_ref, 80))}`
    : current.ref
      ? ` · ${code(truncate(current.ref, 80))}`
      : "";
  return `${heading}\n\nAgent ${agent} on ${md(current.repo)} at ${code(shortSha(current.commit))}${ref}`;
}

/** The caller's notes and the ones the results call for (stale base, one shard only), as a quote. */
export function renderNotes(input: ReportInput): string | null {
  const { comparison } = input;
  const lines: string[] = [];
  const notes = input.notes ?? [];
  for (const note of notes.slice(0, MAX_NOTES)) lines.push(`> ⚠️ ${md(truncate(note, MAX_NOTE_LENGTH))}`);
  if (notes.length > MAX_NOTES) lines.push(`> … and ${notes.length - MAX_NOTES} more notes`);
  const shard = comparison.current.shard;
  if (shard && shard.count > 1) {
    lines.push(
      `> ⚠️ These results are shard ${shard.index}/${shard.count} only: the numbers cover part of the suite.`,
    );
  }
  const pr = comparison.current.pull_request;
  if (isStaleBase(comparison) && pr && comparison.base) {
    lines.push(
      `> ⚠️ Stale base: the base results are from ${code(shortSha(comparison.base.commit))}, but this PR's base is ${code(shortSha(pr.base_sha))}; the change may include the effect of other commits on ${code(truncate(pr.base_ref, 80))}.`,
    );
  }
  return lines.length === 0 ? null : lines.join("\n>\n");
}

function noiseWord(significant: boolean, noise: number | null): string {
  if (noise === null) return "";
  return significant ? ", beyond noise" : ", within noise";
}

function trend(delta: number | null, significant: boolean): string {
  if (delta === null || !significant) return "";
  return delta < 0 ? " 📉" : " 📈";
}

/** Mean reward, resolved rate, pass@k and counts, each with its change against the base. */
export function renderHeadline(comparison: Comparison): string {
  const { summary, reward, resolved_rate: resolved, base, current } = comparison;
  const vs = base ? ` vs base ${code(shortSha(base.commit))}` : "";
  const lines: string[] = [];
  if (summary.reward.mean === null) {
    lines.push("- **Mean reward n/a**: no rollout was rewarded (all infra errors)");
  } else {
    let change = "";
    if (reward.delta !== null) {
      const noise = reward.noise === null ? "" : ` ± ${fixed(reward.noise)}`;
      change = ` (${signed(reward.delta)}${noise}${vs}${noiseWord(reward.significant, reward.noise)})${trend(reward.delta, reward.significant)}`;
    } else if (base) {
      change =
        comparison.shared === 0
          ? ` (no scenario in common with base ${code(shortSha(base.commit))})`
          : ` (no rewarded rollout on the scenarios shared with base ${code(shortSha(base.commit))})`;
    }
    lines.push(`- **Mean reward ${fixed(summary.reward.mean)}**${change} · sd ${fixed(summary.reward.std)}`);
  }
  if (summary.resolved_rate !== null) {
    let change = "";
    if (resolved.delta !== null) {
      const noise = resolved.noise === null ? "" : ` ± ${(resolved.noise * 100).toFixed(1)}`;
      change = ` (${signedPoints(resolved.delta)}${noise}${vs}${noiseWord(resolved.significant, resolved.noise)})${trend(resolved.delta, resolved.significant)}`;
    }
    lines.push(`- **Resolved ${percent(summary.resolved_rate)}**${change}`);
  }
  if (current.attempts > 1 && summary.pass_at_k.some((p) => p.value !== null)) {
    const shown = summary.pass_at_k.filter(
      (p) => current.attempts <= 5 || p.k === 1 || p.k === current.attempts || p.k === 2 || p.k === 5,
    );
    lines.push(`- ${shown.map((p) => `pass@${p.k} ${percent(p.value)}`).join(" · ")}`);
  }
  const { status } = summary;
  const counts = [
    `${plural(summary.scenarios, "scenario")} × ${plural(current.attempts, "attempt")} = ${plural(summary.rollouts, "rollout")}`,
  ];
  if (status.timeout > 0) counts.push(`${formatInteger(status.timeout)} timed out (reward 0)`);
  if (status.agent_error > 0) counts.push(`${plural(status.agent_error, "agent error")} (reward 0)`);
  if (status.infra_error > 0) {
    counts.push(`⚠️ ${plural(status.infra_error, "infra error")}, not counted in reward or resolved`);
  }
  const expected = summary.scenarios * current.attempts;
  if (summary.rollouts < expected) counts.push(`${plural(expected - summary.rollouts, "rollout")} missing`);
  lines.push(`- ${counts.join(" · ")}`);
  if (!base) {
    const branch = current.pull_request ? ` for ${code(truncate(current.pull_request.base_ref, 80))}` : "";
    lines.push(
      `- ℹ️ No base results yet${branch}: changes will show once the base branch has a run to compare with.`,
    );
  } else if (comparison.shared > 0) {
    const baseCount = base.scenarios.length;
    if (comparison.shared < summary.scenarios || comparison.shared < baseCount) {
      lines.push(
        `- Changes are over the ${plural(comparison.shared, "scenario")} both runs share (${formatInteger(summary.scenarios)} now, ${formatInteger(baseCount)} in the base).`,
      );
    }
  }
  return lines.join("\n");
}

export function renderGates(gates: GateResult | undefined): string | null {
  if (!gates || gates.checks.length === 0) return null;
  const lines = [`**Gates: ${gates.passed ? "✅ passed" : "❌ failed"}**`, ""];
  for (const check of gates.checks) {
    lines.push(`- ${check.passed ? "✅" : "❌"} ${code(check.gate)}: ${md(check.message)}`);
  }
  return lines.join("\n");
}

export function renderPrScenario(pr: PrScenarioOutcome | undefined): string | null {
  if (!pr) return null;
  const lines = ["#### Could the agent have written this PR?", ""];
  if (pr.state === "skipped") {
    lines.push(`Not scored: ${md(truncate(pr.reason, MAX_NOTE_LENGTH))}`);
  } else {
    const verdict = pr.resolved > 0 ? "✅ Yes" : "❌ Not yet";
    lines.push(
      `${verdict}: resolved in ${pr.resolved} of ${pr.attempts} ${pr.attempts === 1 ? "attempt" : "attempts"} on ${code(pr.instance_id)} (mean reward ${fixed(pr.mean)}).`,
    );
    if (pr.reason) lines.push("", `First reason: ${md(truncate(pr.reason, MAX_NOTE_LENGTH))}`);
  }
  return lines.join("\n");
}

/** Regressions worst first, then improvements best first. */
export function changedScenarios(comparison: Comparison): {
  regressions: ScenarioComparison[];
  improvements: ScenarioComparison[];
} {
  const byId = (a: ScenarioComparison, b: ScenarioComparison) => (a.instance_id < b.instance_id ? -1 : 1);
  return {
    regressions: comparison.scenarios
      .filter((s) => s.change === "regression")
      .sort((a, b) => a.delta! - b.delta! || byId(a, b)),
    improvements: comparison.scenarios
      .filter((s) => s.change === "improvement")
      .sort((a, b) => b.delta! - a.delta! || byId(a, b)),
  };
}

function resolvedCell(side: ScenarioSide | null): string {
  if (!side) return "—";
  const infra = side.infra_errors > 0 ? ` (${side.infra_errors} infra)` : "";
  return `${side.resolved}/${side.attempts}${infra}`;
}

function noiseCell(s: ScenarioComparison): string {
  if (s.beyond_noise) return "**beyond noise**";
  const single = (s.current?.attempts ?? 0) < 2 || (s.base?.attempts ?? 0) < 2;
  return single ? "—" : "within noise";
}

function notShownNote(count: number, noun: string, artifact: string | undefined): string {
  return `_${plural(count, noun)} not shown; see the ${link("artifact", artifact)}._`;
}

/** The regression and improvement tables, each cut to `limit` rows (the rest counted, not shown). */
export function renderChanges(comparison: Comparison, limit: number, links: ReportLinks): string | null {
  if (!comparison.base) return null;
  const { regressions, improvements } = changedScenarios(comparison);
  const parts: string[] = [];
  const header = ["scenario", "base", "now", "change", "resolved base → now", "noise"];
  const align: Align[] = ["left", "right", "right", "right", "center", "left"];
  const rows = (list: ScenarioComparison[]) =>
    list
      .slice(0, limit)
      .map((s) => [
        code(s.instance_id),
        fixed(s.base?.mean),
        fixed(s.current?.mean),
        signed(s.delta ?? 0),
        `${resolvedCell(s.base)} → ${resolvedCell(s.current)}`,
        noiseCell(s),
      ]);
  for (const [title, list, what] of [
    ["📉 Regressions", regressions, "regression"],
    ["📈 Improvements", improvements, "improvement"],
  ] as const) {
    if (list.length === 0) continue;
    parts.push(`#### ${title} (${formatInteger(list.length)})`);
    if (limit > 0) parts.push(table(header, rows(list), align));
    if (list.length > limit) parts.push(notShownNote(list.length - limit, what, links.artifact));
  }
  const compared = comparison.scenarios.filter((s) => s.delta !== null).length;
  if (regressions.length === 0 && improvements.length === 0 && compared > 0) {
    parts.push("No scenario's mean reward changed against the base.");
  }
  const count = (change: ScenarioComparison["change"]) =>
    comparison.scenarios.filter((s) => s.change === change).length;
  const others: string[] = [];
  const added = count("new");
  const removed = count("removed");
  const noReward = count("no-reward");
  if (added > 0) others.push(`${formatInteger(added)} new (not in the base)`);
  if (removed > 0) others.push(`${formatInteger(removed)} in the base but not run now`);
  if (noReward > 0) others.push(`${formatInteger(noReward)} without a reward on one side (infra errors)`);
  if (others.length > 0) parts.push(`Not compared: ${others.join(", ")}.`);
  const anyMulti = comparison.scenarios.some((s) => s.current && s.base && noiseCell(s) !== "—");
  if ((regressions.length > 0 || improvements.length > 0) && !anyMulti && limit > 0) {
    parts.push("_With one attempt per scenario, noise cannot be judged scenario by scenario._");
  }
  return parts.length === 0 ? null : parts.join("\n\n");
}

const CHANGE_ORDER: Record<ScenarioComparison["change"], number> = {
  regression: 0,
  improvement: 1,
  "no-reward": 2,
  new: 3,
  removed: 4,
  unchanged: 5,
};

/** All scenarios, the most interesting first: regressions, improvements, then the rest by id. */
export function detailOrder(comparison: Comparison): ScenarioComparison[] {
  const { regressions, improvements } = changedScenarios(comparison);
  const rest = comparison.scenarios
    .filter((s) => s.change !== "regression" && s.change !== "improvement")
    .sort(
      (a, b) => CHANGE_ORDER[a.change] - CHANGE_ORDER[b.change] || (a.instance_id < b.instance_id ? -1 : 1),
    );
  return [...regressions, ...improvements, ...rest];
}

/**
 * The per-scenario table in a collapsed `<details>`, cut to `limit` rows. Only trusted text goes
 * in the `<summary>` line: markdown is not rendered inside HTML, so escapes would show.
 */
export function renderDetails(
  comparison: Comparison,
  limit: number,
  links: ReportLinks,
  options: { difficulty?: boolean } = {},
): string | null {
  const all = detailOrder(comparison);
  if (all.length === 0) return null;
  const total = plural(all.length, "scenario");
  if (limit <= 0) {
    return `_Per-scenario details (${total}) not shown to fit the size limit; see the ${link("artifact", links.artifact)}._`;
  }
  const withBase = comparison.base !== null;
  const header = [
    "scenario",
    ...(options.difficulty ? ["lines"] : []),
    "reward now",
    ...(withBase ? ["base"] : []),
    "resolved",
    "time",
    "cost",
    "first reason",
  ];
  const align: Align[] = [
    "left",
    ...(options.difficulty ? (["right"] as const) : []),
    "right",
    ...(withBase ? (["right"] as const) : []),
    "center",
    "right",
    "right",
    "left",
  ];
  const rows = all.slice(0, limit).map((s) => {
    const side = s.current ?? s.base;
    const reason = side?.reason ? md(truncate(side.reason, MAX_REASON_LENGTH)) : "";
    return [
      code(s.instance_id),
      ...(options.difficulty ? [formatInteger(s.lines)] : []),
      s.current ? fixed(s.current.mean) : "not run",
      ...(withBase ? [s.base ? fixed(s.base.mean) : "—"] : []),
      resolvedCell(s.current),
      s.current ? formatDuration(s.current.duration_ms) : "—",
      s.current?.cost_usd != null ? md(formatCost(s.current.cost_usd)) : "—",
      reason,
    ];
  });
  const parts = [
    `<details><summary>Per-scenario details (${total})</summary>`,
    "",
    table(header, rows, align),
  ];
  if (all.length > limit) parts.push("", notShownNote(all.length - limit, "scenario", links.artifact));
  parts.push("", "</details>");
  return parts.join("\n");
}

export function renderTotals(comparison: Comparison): string {
  const { totals } = comparison;
  const parts = [`⏱️ ${formatDuration(totals.duration_ms)} of rollout time (summed over rollouts)`];
  if (totals.cost_usd !== null) parts.push(`💰 ${md(formatCost(totals.cost_usd))}`);
  if (totals.input_tokens !== null || totals.output_tokens !== null) {
    const tokens = [
      totals.input_tokens === null ? null : `${formatTokens(totals.input_tokens)} in`,
      totals.output_tokens === null ? null : `${formatTokens(totals.output_tokens)} out`,
    ].filter((t) => t !== null);
    parts.push(`🔤 ${tokens.join(" / ")} tokens`);
  }
  return parts.join(" · ");
}

export function renderLinks(links: ReportLinks): string | null {
  const parts = (
    [
      ["Workflow run", links.run],
      ["Results artifact", links.artifact],
      ["HTML report", links.report],
    ] as const
  )
    .filter(([, url]) => safeUrl(url) !== null)
    .map(([label, url]) => link(label, url));
  return parts.length === 0 ? null : `🔗 ${parts.join(" · ")}`;
}

export function renderFooter(comparison: Comparison): string {
  const { current } = comparison;
  return `<sub>${md(truncate(current.tool_version, 60))} · run ${code(current.run_id)} · ${md(truncate(current.created_at, 40))}</sub>`;
}

/** Where the PR comment and the job summary differ. */
export interface ReportLayout {
  heading: string;
  /** A line before the title (the comment's hidden marker). */
  marker?: string;
  /** Sections between the PR scenario and the changes (the job summary's tables). */
  tables?: ReadonlyArray<string | null>;
  /** A lines column in the per-scenario details. */
  difficulty?: boolean;
  /** The size GitHub counts: characters for comments, UTF-8 bytes for job summaries. */
  size: (text: string) => number;
  limit: number;
  /** Appended when even the shortest rendering had to be cut. */
  cutNote: string;
}

/**
 * The comment or job summary (pure): its sections in order, empty ones left out, fitted to the
 * limit. If too large, per-scenario details go first, then change rows beyond the top ones;
 * the text says what it left out.
 */
export function renderReport(input: ReportInput, layout: ReportLayout): string {
  const { comparison } = input;
  const links = reportLinks(input);
  const { regressions, improvements } = changedScenarios(comparison);
  const render = (budget: RowBudget) =>
    [
      layout.marker ?? null,
      renderTitle(comparison, layout.heading),
      renderNotes(input),
      renderHeadline(comparison),
      renderGates(input.gates),
      renderPrScenario(input.prScenario),
      ...(layout.tables ?? []),
      renderChanges(comparison, budget.changes, links),
      renderDetails(comparison, budget.details, links, { difficulty: layout.difficulty ?? false }),
      renderTotals(comparison),
      renderLinks(links),
      renderFooter(comparison),
    ]
      .filter((part) => part !== null)
      .join("\n\n")
      .concat("\n");
  return fitToLimit({
    render,
    size: layout.size,
    limit: layout.limit,
    full: {
      details: comparison.scenarios.length,
      changes: Math.max(regressions.length, improvements.length),
    },
    cutNote: layout.cutNote,
  });
}
