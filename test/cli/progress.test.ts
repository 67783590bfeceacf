import { describe, expect, it } from "vitest";
import { createMineProgress, formatOutcomeLine } from "../../cli/progress.js";
import type { MineEvent } from "../../scenario-gen/mine.js";

function capture(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 100, write: (t: string) => chunks.push(t) > 0 } };
}

const events: MineEvent[] = [
  { type: "scanned", commits: 10, candidates: [], skipped: [] },
  { type: "candidate-start", index: 0, total: 2, sha: "a".repeat(40), subject: "Fix a" },
  {
    type: "candidate-done",
    index: 0,
    total: 2,
    durationMs: 1500,
    outcome: {
      kind: "scenario",
      sha: "a".repeat(40),
      subject: "Fix a",
      instanceId: "o__r-aaaaaaaaaa",
      file: "f",
      failToPass: 2,
      passToPass: 5,
      flaky: 1,
      durationMs: 1500,
    },
  },
  { type: "candidate-start", index: 1, total: 2, sha: "b".repeat(40), subject: "Fix b" },
  {
    type: "candidate-done",
    index: 1,
    total: 2,
    durationMs: 200,
    outcome: {
      kind: "skip",
      sha: "b".repeat(40),
      subject: "Fix b",
      reason: "no-fail-to-pass",
      detail: "same results",
    },
  },
];

describe("mine progress", () => {
  it("prints one plain line per candidate outside a terminal", () => {
    const { chunks, stream } = capture(false);
    const progress = createMineProgress(stream);
    for (const e of events)
      progress({ ...e, ...(e.type === "scanned" ? { candidates: new Array(2) } : {}) } as MineEvent);
    const text = chunks.join("");
    expect(text).not.toContain("\r");
    expect(text.trim().split("\n")).toEqual([
      "Scanned 10 commits: 2 candidates to validate",
      "[1/2] aaaaaaaaaa scenario o__r-aaaaaaaaaa (2 F2P, 5 P2P, 1 flaky dropped) 1.5s",
      "[2/2] bbbbbbbbbb skip no-fail-to-pass: same results 0.2s",
    ]);
  });

  it("redraws a live bar in place on a terminal", () => {
    const { chunks, stream } = capture(true);
    const progress = createMineProgress(stream);
    for (const e of events)
      progress({ ...e, ...(e.type === "scanned" ? { candidates: new Array(2) } : {}) } as MineEvent);
    const text = chunks.join("");
    expect(text).toContain("\r\x1b[2K");
    expect(text).toMatch(/0\/2 candidates, 0 scenarios/);
    expect(text).toMatch(/1\/2 candidates, 1 scenarios/);
    expect(text).toContain("aaaaaaaaaa Fix a");
    // Finished lines stay in the scrollback.
    expect(text).toContain("[2/2] bbbbbbbbbb skip no-fail-to-pass");
  });

  it("names the kept log of a failed candidate", () => {
    const line = formatOutcomeLine(
      {
        kind: "skip",
        sha: "c".repeat(40),
        subject: "s",
        reason: "install-failed",
        detail: "npm ci failed",
        log: "/x/logs/c.log",
      },
      4,
      10,
      3000,
    );
    expect(line).toBe("[ 5/10] cccccccccc skip install-failed: npm ci failed 3.0s [log: /x/logs/c.log]");
  });
});
