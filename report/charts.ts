import { escapeHtml as h } from "./html-escape.js";

/**
 * Inline SVG charts for the HTML report, drawn from plain numbers (pure). No library and no
 * script: each chart is one `<svg>` with a stable id, an accessible label, and one element per
 * data point (`circle.point`, `rect.bar`, `g.bucket`) carrying its value in data attributes, so
 * tests can count what was drawn. Colours come from CSS classes the page styles.
 */

/** A chart's drawing area in viewBox units; sized so text renders near its CSS size on the page. */
interface Frame {
  width: number;
  height: number;
  left: number;
  top: number;
  plotW: number;
  plotH: number;
}

function frame(width: number, height: number): Frame {
  const margin = { top: 34, right: 20, bottom: 56, left: 52 };
  return {
    width,
    height,
    left: margin.left,
    top: margin.top,
    plotW: width - margin.left - margin.right,
    plotH: height - margin.top - margin.bottom,
  };
}

/** Full page width for the trend, half for the others (the page lays them out that way). */
const WIDE = frame(1040, 300);
const HALF = frame(520, 300);

/** Coordinates with two decimals: short text, stable snapshots. */
function n(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function svgOpen(f: Frame, id: string, label: string, extra = ""): string {
  return `<svg id="${h(id)}" class="chart" role="img" aria-label="${h(label)}" viewBox="0 0 ${f.width} ${f.height}" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg"${extra}>`;
}

/** Horizontal grid lines with labels on the left, for values in [0, max]. */
function yAxis(f: Frame, max: number, ticks: number, format: (v: number) => string): string {
  const out: string[] = [];
  for (let i = 0; i <= ticks; i++) {
    const value = (max * i) / ticks;
    const y = f.top + f.plotH - (f.plotH * i) / ticks;
    out.push(
      `<line class="grid" x1="${f.left}" x2="${f.left + f.plotW}" y1="${n(y)}" y2="${n(y)}"/>`,
      `<text class="tick" x="${f.left - 6}" y="${n(y + 4)}" text-anchor="end">${h(format(value))}</text>`,
    );
  }
  return out.join("");
}

function axisTitle(text: string, x: number, y: number, rotate = false): string {
  const transform = rotate ? ` transform="rotate(-90 ${n(x)} ${n(y)})"` : "";
  return `<text class="axis-title" x="${n(x)}" y="${n(y)}" text-anchor="middle"${transform}>${h(text)}</text>`;
}

export interface CommitPoint {
  run_id: string;
  /** Short sha shown on the x axis. */
  label: string;
  created_at: string;
  mean: number | null;
  resolved_rate: number | null;
  current: boolean;
}

/**
 * Mean reward per run, oldest to newest: one `circle.point` per run with a reward (the current
 * run also has class `current`), a line through them, and short shas under the axis (thinned
 * to about a dozen labels, always including the current run).
 */
export function rewardOverCommitsChart(points: readonly CommitPoint[]): string {
  const f = WIDE;
  const count = points.length;
  const x = (i: number) => (count <= 1 ? f.left + f.plotW / 2 : f.left + (f.plotW * i) / (count - 1));
  const y = (v: number) => f.top + f.plotH * (1 - v);
  const drawn = points.map((p, i) => ({ p, i })).filter(({ p }) => p.mean !== null);
  const out = [
    svgOpen(
      f,
      "chart-reward-over-commits",
      `Mean reward over ${count} ${count === 1 ? "run" : "runs"}, oldest to newest`,
      ` data-points="${drawn.length}"`,
    ),
    yAxis(f, 1, 4, (v) => v.toFixed(2)),
    axisTitle("mean reward", 14, f.top + f.plotH / 2, true),
  ];
  if (drawn.length > 1) {
    const path = drawn.map(({ p, i }) => `${n(x(i))},${n(y(p.mean!))}`).join(" ");
    out.push(`<polyline class="line" points="${path}"/>`);
  }
  const step = Math.max(1, Math.ceil(count / 12));
  points.forEach((p, i) => {
    const label = i % step === 0 || p.current || i === count - 1;
    if (!label) return;
    const lx = x(i);
    const ly = f.top + f.plotH + 14;
    out.push(
      `<text class="tick${p.current ? " current" : ""}" x="${n(lx)}" y="${n(ly)}" text-anchor="end" transform="rotate(-35 ${n(lx)} ${n(ly)})">${h(p.label)}</text>`,
    );
  });
  for (const { p, i } of drawn) {
    const tip = `${p.label} · ${p.created_at} · mean reward ${p.mean!.toFixed(3)}${p.resolved_rate === null ? "" : ` · resolved ${(p.resolved_rate * 100).toFixed(1)}%`}${p.current ? " · this run" : ""}`;
    out.push(
      `<circle class="point${p.current ? " current" : ""}" cx="${n(x(i))}" cy="${n(y(p.mean!))}" r="${p.current ? 6 : 4}" data-commit="${h(p.label)}" data-run="${h(p.run_id)}" data-reward="${p.mean!.toFixed(3)}"><title>${h(tip)}</title></circle>`,
    );
  }
  if (drawn.length === 0) {
    out.push(
      `<text class="empty" x="${n(f.left + f.plotW / 2)}" y="${n(f.top + f.plotH / 2)}" text-anchor="middle">no rewarded runs yet</text>`,
    );
  }
  out.push("</svg>");
  return out.join("");
}

export const REWARD_BINS = 10;

/** Counts of rewards in [0, 0.1), [0.1, 0.2), …, [0.9, 1.0]; 1.0 falls in the last bin. */
export function rewardHistogram(rewards: readonly number[]): number[] {
  const bins = new Array<number>(REWARD_BINS).fill(0);
  for (const r of rewards) {
    // The epsilon keeps 0.3 (0.30000000000000004 × 10 and friends) in its own bin.
    const bin = Math.min(REWARD_BINS - 1, Math.max(0, Math.floor(r * REWARD_BINS + 1e-9)));
    bins[bin]!++;
  }
  return bins;
}

/**
 * The distribution of per-rollout rewards as shares of rewarded rollouts: one `rect.bar` per
 * bin for this run and, with a base, one `line.base-mark` per bin at the base's share.
 */
export function rewardDistributionChart(current: readonly number[], base: readonly number[] | null): string {
  const f = HALF;
  const bins = rewardHistogram(current);
  const baseBins = base ? rewardHistogram(base) : null;
  const share = (count: number, total: number) => (total === 0 ? 0 : count / total);
  const shares = bins.map((c) => share(c, current.length));
  const baseShares = baseBins?.map((c) => share(c, base!.length)) ?? [];
  const top = Math.max(0.25, ...shares, ...baseShares);
  const max = Math.min(1, Math.ceil(top * 4) / 4);
  // Round labels: 5% steps up to 25%, 10% up to 50%, 25% above.
  const ticks = max <= 0.25 ? 5 : max <= 0.5 ? 5 : max * 4;
  const slot = f.plotW / REWARD_BINS;
  const y = (v: number) => f.top + f.plotH * (1 - v / max);
  const out = [
    svgOpen(
      f,
      "chart-reward-distribution",
      `Distribution of ${current.length} rewarded rollouts over ${REWARD_BINS} reward bins`,
      ` data-rollouts="${current.length}"`,
    ),
    yAxis(f, max, ticks, (v) => `${Math.round(v * 100)}%`),
    axisTitle("share of rollouts", 14, f.top + f.plotH / 2, true),
    axisTitle("reward", f.left + f.plotW / 2, f.height - 8),
  ];
  bins.forEach((count, i) => {
    const lo = i / REWARD_BINS;
    const hi = (i + 1) / REWARD_BINS;
    const top = y(shares[i]!);
    const label = `${lo.toFixed(1)}–${hi.toFixed(1)}${i === REWARD_BINS - 1 ? " (inclusive)" : ""}: ${count} ${count === 1 ? "rollout" : "rollouts"} (${(shares[i]! * 100).toFixed(1)}%)${baseBins ? `; base ${baseBins[i]} (${(baseShares[i]! * 100).toFixed(1)}%)` : ""}`;
    out.push(
      `<rect class="bar" x="${n(f.left + slot * i + 3)}" y="${n(top)}" width="${n(slot - 6)}" height="${n(f.top + f.plotH - top)}" data-bin="${i}" data-count="${count}"><title>${h(label)}</title></rect>`,
      `<text class="tick" x="${n(f.left + slot * i)}" y="${n(f.top + f.plotH + 16)}" text-anchor="middle">${lo.toFixed(1)}</text>`,
    );
  });
  out.push(
    `<text class="tick" x="${n(f.left + f.plotW)}" y="${n(f.top + f.plotH + 16)}" text-anchor="middle">1.0</text>`,
  );
  if (baseBins) {
    baseBins.forEach((count, i) => {
      const by = y(baseShares[i]!);
      out.push(
        `<line class="base-mark" x1="${n(f.left + slot * i + 1)}" x2="${n(f.left + slot * (i + 1) - 1)}" y1="${n(by)}" y2="${n(by)}" data-bin="${i}" data-count="${count}"/>`,
      );
    });
  }
  out.push(
    legend(f, [["bar", "this run"], ...(baseBins ? [["base-mark", "base"] as [string, string]] : [])]),
  );
  out.push("</svg>");
  return out.join("");
}

function legend(f: Frame, items: ReadonlyArray<readonly [string, string]>): string {
  let x = f.left + f.plotW;
  const out: string[] = [];
  for (const [cls, label] of [...items].reverse()) {
    x -= label.length * 7 + 26;
    out.push(
      `<rect class="swatch key-${h(cls)}" x="${n(x)}" y="6" width="12" height="12"/>`,
      `<text class="legend" x="${n(x + 16)}" y="16">${h(label)}</text>`,
    );
  }
  return `<g class="legend-items">${out.join("")}</g>`;
}

export interface DifficultyBar {
  bucket: string;
  /** Resolved in at least one attempt. */
  resolved: number;
  /** Rewarded but never resolved. */
  unresolved: number;
  /** No rewarded attempt (infra errors only, or not run). */
  no_reward: number;
  mean_reward: number | null;
}

/**
 * Scenarios per difficulty bucket, stacked by outcome: one `g.bucket` per bucket (empty ones
 * too, so the mix reads the same run to run) holding a `rect.segment` per non-empty outcome.
 */
export function difficultyMixChart(bars: readonly DifficultyBar[]): string {
  const f = HALF;
  const totals = bars.map((b) => b.resolved + b.unresolved + b.no_reward);
  const top = Math.max(1, ...totals);
  const ticks = Math.min(4, top);
  const max = Math.ceil(top / ticks) * ticks;
  const slot = f.plotW / Math.max(1, bars.length);
  const barWidth = Math.min(96, slot * 0.6);
  const scale = (v: number) => (f.plotH * v) / max;
  const out = [
    svgOpen(
      f,
      "chart-difficulty-mix",
      `Scenarios per difficulty bucket, by outcome, over ${bars.length} buckets`,
      ` data-buckets="${bars.length}"`,
    ),
    yAxis(f, max, ticks, (v) => String(Math.round(v))),
    axisTitle("scenarios", 14, f.top + f.plotH / 2, true),
  ];
  bars.forEach((bar, i) => {
    const total = totals[i]!;
    const x = f.left + slot * i + (slot - barWidth) / 2;
    let base = f.top + f.plotH;
    const segments: string[] = [];
    for (const [cls, count] of [
      ["resolved", bar.resolved],
      ["unresolved", bar.unresolved],
      ["no-reward", bar.no_reward],
    ] as const) {
      if (count === 0) continue;
      const height = scale(count);
      base -= height;
      segments.push(
        `<rect class="segment ${cls}" x="${n(x)}" y="${n(base)}" width="${n(barWidth)}" height="${n(height)}" data-count="${count}"/>`,
      );
    }
    const tip = `${bar.bucket}: ${total} ${total === 1 ? "scenario" : "scenarios"}, ${bar.resolved} resolved, ${bar.unresolved} unresolved, ${bar.no_reward} without a reward${bar.mean_reward === null ? "" : `; mean reward ${bar.mean_reward.toFixed(3)}`}`;
    out.push(
      `<g class="bucket" data-bucket="${h(bar.bucket)}" data-scenarios="${total}"><title>${h(tip)}</title>${segments.join("")}`,
      `<text class="total" x="${n(x + barWidth / 2)}" y="${n(base - 6)}" text-anchor="middle">${total}</text>`,
      `<text class="tick" x="${n(x + barWidth / 2)}" y="${n(f.top + f.plotH + 18)}" text-anchor="middle">${h(bar.bucket)}</text></g>`,
    );
  });
  out.push(
    legend(f, [
      ["resolved", "resolved"],
      ["unresolved", "unresolved"],
      ["no-reward", "no reward"],
    ]),
  );
  out.push("</svg>");
  return out.join("");
}
