import { describe, expect, it } from "vitest";
import type { Results } from "../../core/results.js";
import { COMMENT_MAX_LENGTH, commentMarker, isRepogymComment, renderComment } from "../../report/comment.js";
import { compareResults } from "../../report/compare.js";
import { evaluateGates } from "../../report/gates.js";
import {
  allResolved,
  baseAndCurrent,
  buildResults,
  PR,
  parsedResults,
  type ScenarioSpec,
  scenarioIds,
  sha,
} from "./build-results.js";

/** Raw HTML the renderer itself writes; anything else starting with `<` came from somewhere it should not. */
const OWN_TAGS = /<!-- repogym:comment key=[A-Za-z0-9_.-]+ -->|<\/?details>|<summary>|<\/summary>|<\/?sub>/g;

function foreignHtml(markdown: string): string[] {
  return markdown.replace(OWN_TAGS, "").match(/<[^\s]{0,20}/g) ?? [];
}

const INJECTION = {
  html: "<img src=x onerror=alert(1)>",
  link: "[click me](javascript:alert(1))",
  broken: "](javascript:alert(1))",
  mention: "@everyone",
  script: "<script>alert(1)</script>",
};

/** Results as a fork's artifact could carry them: whatever the schema lets through, aimed at the comment. */
function hostileResults(): Results {
  const commit = sha("d");
  return parsedResults({
    schema: "repogym/results@1",
    tool_version: `repogym 0.1.0 ${INJECTION.script}`,
    repo: "acme/calc",
    commit,
    ref: `main<!-- ${INJECTION.html}`,
    pull_request: {
      number: 7,
      head_sha: commit,
      base_sha: sha("b"),
      base_ref: "main</details><details open>",
    },
    run_id: "run-fork",
    created_at: "2025-03-01T12:00:00Z",
    agent: {
      name: `${INJECTION.html} ${INJECTION.mention}`,
      model: `${INJECTION.link} **bold** _it_ | pipe`,
    },
    attempts: 1,
    scenarios: [{ instance_id: "acme__calc-0a0a0a0a0a", lines: 3, files: 1 }],
    rollouts: [
      {
        instance_id: "acme__calc-0a0a0a0a0a",
        attempt: 1,
        status: "scored",
        reward: 0,
        resolved: false,
        reason: `${INJECTION.broken}\n\n# Heading\n| a | b |\n<details open>${INJECTION.mention} fixes #12 see https://evil.example/x \`code\` $\\huge{x}$ \u202eevil`,
        duration_ms: 1000,
      },
    ],
    links: { run: "https://evil.example/a)(b][c|d<e>f", artifact: "https://user:pass@evil.example/" },
  });
}

describe("comment marker", () => {
  it("is the first line, and finds the comment by its key only", () => {
    const { base, current } = baseAndCurrent();
    const body = renderComment({ comparison: compareResults(current, base), key: "nightly.v2" });
    expect(body.split("\n")[0]).toBe("<!-- repogym:comment key=nightly.v2 -->");
    expect(isRepogymComment(body, "nightly.v2")).toBe(true);
    expect(isRepogymComment(body)).toBe(false);
    expect(isRepogymComment(body, "nightly")).toBe(false);
    expect(isRepogymComment(body.replace(/\n/g, "\r\n"), "nightly.v2")).toBe(true);
    const defaultBody = renderComment({ comparison: compareResults(current, base) });
    expect(defaultBody.startsWith(`${commentMarker()}\n`)).toBe(true);
    expect(isRepogymComment(defaultBody)).toBe(true);
  });

  it("does not take a reply that quotes the marker, or a marker further down", () => {
    expect(isRepogymComment(`> ${commentMarker()}\n> quoted`)).toBe(false);
    expect(isRepogymComment(`thanks!\n${commentMarker()}`)).toBe(false);
    expect(isRepogymComment(null)).toBe(false);
    expect(isRepogymComment("")).toBe(false);
  });

  it("rejects keys that could end the HTML comment or forge another key", () => {
    for (const key of ["", "a b", "x -->", "a=b", "é", "k".repeat(65), "key=other"]) {
      expect(() => commentMarker(key)).toThrow(/comment key/);
    }
    expect(commentMarker("agent_1.nightly-2")).toBe("<!-- repogym:comment key=agent_1.nightly-2 -->");
  });
});

describe("renderComment", () => {
  it("renders a comparison with a base: headline, gates, changes, details, totals, links", () => {
    const { base, current } = baseAndCurrent();
    const comparison = compareResults(current, base);
    const body = renderComment({
      comparison,
      gates: evaluateGates(comparison, { failBelow: 0.3, maxRegression: 0.05 }),
      prScenario: {
        state: "scored",
        instance_id: "acme__calc-pr42",
        attempts: 3,
        resolved: 2,
        mean: 0.667,
        reason: "F2P test failed: rounds half up",
      },
      notes: ["shard 3/4 missing: its scenarios are not in these numbers"],
      links: { report: "https://acme.github.io/calc/repogym/" },
    });
    expect(body).toMatchSnapshot();
    expect(body).toContain("vs base `bbbbbbb`");
    expect(body).toContain("pass@1");
    expect(body).toContain("7 scenarios × 3 attempts = 21 rollouts");
    expect(body).toContain("2 infra errors, not counted in reward or resolved");
    expect(body).toContain("[HTML report](https://acme.github.io/calc/repogym/)");
    expect(body).toContain("> ⚠️ shard 3/4 missing");
    expect(body).not.toContain("Stale base");
    // Regressions first, worst first; the clear drop is beyond noise.
    const regressions = body.indexOf("📉 Regressions (2)");
    const improvements = body.indexOf("📈 Improvements (1)");
    expect(regressions).toBeGreaterThan(0);
    expect(improvements).toBeGreaterThan(regressions);
    const worst = body.indexOf("| `acme__calc-0a0a0a0a0a` | 1.000 | 0.000 | -1.000 |");
    const mild = body.indexOf("| `acme__calc-1b1b1b1b1b` |");
    expect(worst).toBeGreaterThan(regressions);
    expect(mild).toBeGreaterThan(worst);
    expect(body.slice(worst, body.indexOf("\n", worst))).toContain("**beyond noise**");
    expect(body.slice(mild, body.indexOf("\n", mild))).toContain("within noise");
    expect(foreignHtml(body)).toEqual([]);
  });

  it("says there is no base yet, and shows no change tables", () => {
    const { current } = baseAndCurrent();
    const body = renderComment({
      comparison: compareResults(current, null),
      prScenario: { state: "skipped", reason: "the PR changes no test files" },
    });
    expect(body).toMatchSnapshot();
    expect(body).toContain("No base results yet for `main`");
    expect(body).not.toContain("Regressions");
    expect(body).not.toContain("vs base");
    expect(body).toContain("Not scored: the PR changes no test files");
  });

  it("notes a stale base when the base results are from another commit than the PR's base", () => {
    const { current } = baseAndCurrent();
    const older = buildResults({
      run_id: "run-older",
      commit: "a",
      scenarios: [{ id: "acme__calc-0a0a0a0a0a", rewards: [1, 1, 1] }],
    });
    const body = renderComment({ comparison: compareResults(current, older) });
    expect(body).toContain(
      "Stale base: the base results are from `aaaaaaa`, but this PR's base is `bbbbbbb`",
    );
    expect(body).toContain("Changes are over the 1 scenario both runs share (7 now, 1 in the base).");
  });

  it("counts infra errors apart when a run has nothing but infra errors", () => {
    const current = buildResults({
      run_id: "run-broken",
      commit: "c",
      pull_request: PR,
      scenarios: [
        { id: "acme__calc-0a0a0a0a0a", rewards: [null, null], reason: "infrastructure: disk full" },
        { id: "acme__calc-1b1b1b1b1b", rewards: [null, null] },
      ],
    });
    const { base } = baseAndCurrent();
    const comparison = compareResults(current, base);
    const body = renderComment({ comparison, gates: evaluateGates(comparison, { failBelow: 0.5 }) });
    expect(body).toMatchSnapshot();
    expect(body).toContain("**Mean reward n/a**: no rollout was rewarded (all infra errors)");
    expect(body).toContain("4 infra errors, not counted in reward or resolved");
    expect(body).toContain("❌ `fail-below`: no rollout was rewarded");
    expect(body).not.toContain("Resolved 0.0%");
  });

  it("escapes everything a fork's results could use to inject markup, links or mentions", () => {
    const current = hostileResults();
    const body = renderComment({
      comparison: compareResults(current, null),
      notes: [`${INJECTION.html} from a note`, "# not a heading", "- not a list"],
      prScenario: { state: "skipped", reason: `${INJECTION.link} ${INJECTION.mention}` },
    });
    expect(body).toMatchSnapshot();
    expect(foreignHtml(body)).toEqual([]);
    expect(body).not.toMatch(/<img|<script|<details open/i);
    // Brackets are escaped, so no link can be made; only the escaped form is left.
    expect(body).not.toMatch(/(?<!\\)\]\(javascript:/);
    expect(body).not.toMatch(/(?<!\\)\[click me/);
    expect(body).toContain("\\[click me\\](javascript:alert(1))");
    expect(body).not.toMatch(/@everyone/);
    expect(body).toContain("@&#8203;everyone");
    expect(body).not.toMatch(/#12\b/);
    expect(body).not.toContain("https://evil.example/x");
    expect(body).not.toContain("\u202e");
    // The hostile links are not made into links: one has brackets in it, the other a password.
    expect(body).not.toContain("user:pass");
    expect(body).toContain("[Workflow run](https://evil.example/a%29%28b%5D%5Bc%7Cd%3Ce%3Ef)");
    // The multi-line reason stays on its table row.
    const row = body.split("\n").find((line) => line.startsWith("| `acme__calc-0a0a0a0a0a`"));
    expect(row).toBeDefined();
    expect(row).toContain(" # Heading \\| a \\| b \\| ");
    expect(body.split("\n").filter((line) => line.startsWith("#"))).toEqual([
      "### 🏋️ repogym",
      "#### Could the agent have written this PR?",
    ]);
  });

  it("stays under GitHub's limit with 3,000 scenarios and says how many it left out", () => {
    const count = 3000;
    const ids = scenarioIds(count);
    const spec = (rewards: (i: number) => number[]): ScenarioSpec[] =>
      ids.map((id, i) => ({
        id,
        rewards: rewards(i),
        reason: `F2P test failed: case ${i} expected ${i + 1} but got ${i}`,
      }));
    const base = buildResults({ run_id: "big-base", commit: "b", scenarios: spec(() => [1, 1]) });
    const current = buildResults({
      run_id: "big-pr",
      commit: "c",
      pull_request: PR,
      links: { artifact: "https://github.com/acme/calc/actions/runs/1/artifacts/2" },
      scenarios: spec((i) => (i % 3 === 0 ? [1, 1] : i % 3 === 1 ? [0, 0] : [0.5, 0])),
    });
    const comparison = compareResults(current, base);
    const body = renderComment({ comparison });
    expect(body.length).toBeLessThanOrEqual(COMMENT_MAX_LENGTH);
    expect(body.length).toBeGreaterThan(COMMENT_MAX_LENGTH * 0.9);
    expect(isRepogymComment(body)).toBe(true);
    // Details went first: no room for a per-scenario table at all once 2,000 regressions are listed,
    // so the change tables were cut to their top rows, each saying how many more there are.
    expect(body).toContain("Per-scenario details (3,000 scenarios) not shown to fit the size limit");
    expect(body).toMatch(/_[\d,]+ regressions not shown; see the \[artifact\]\(https:\/\/github\.com\//);
    expect(body).toContain("📉 Regressions (2,000)");
    const shown = body.split("\n").filter((line) => line.startsWith("| `acme__calc-")).length;
    const hidden = Number(/_([\d,]+) regressions not shown/.exec(body)![1]!.replace(/,/g, ""));
    expect(shown + hidden).toBe(2000);
    expect(shown).toBeGreaterThan(50);
    // The headline, totals and footer survive the cut.
    expect(body).toContain("3,000 scenarios × 2 attempts = 6,000 rollouts");
    expect(body).toContain("<sub>repogym 0.1.0");
  });

  it("shows as many detail rows as fit before touching the change tables", () => {
    const ids = scenarioIds(400);
    const base = allResolved(ids);
    const current = buildResults({
      run_id: "c",
      commit: "c",
      scenarios: ids.map((id, i) => ({ id, rewards: [i < 5 ? 0 : 1], reason: "x".repeat(100) })),
    });
    const body = renderComment({ comparison: compareResults(current, base), maxLength: 20_000 });
    expect(body.length).toBeLessThanOrEqual(20_000);
    expect(body).toContain("📉 Regressions (5)");
    expect(body).not.toContain("regressions not shown");
    const hidden = Number(
      /_([\d,]+) scenarios not shown; see the artifact\._/.exec(body)![1]!.replace(/,/g, ""),
    );
    const detailRows = body
      .slice(body.indexOf("<details>"))
      .split("\n")
      .filter((l) => l.startsWith("| `")).length;
    expect(detailRows + hidden).toBe(400);
    expect(detailRows).toBeGreaterThan(50);
    expect(body).toContain("</details>");
  });

  it("cuts even the shortest rendering to the limit, keeping the marker and saying so", () => {
    const { base, current } = baseAndCurrent();
    const body = renderComment({ comparison: compareResults(current, base), maxLength: 600 });
    expect(body.length).toBeLessThanOrEqual(600);
    expect(isRepogymComment(body)).toBe(true);
    expect(body).toContain("This comment was cut to fit GitHub's size limit");
  });
});
