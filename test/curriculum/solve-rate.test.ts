import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import type { Scenario } from "../../core/scenario.js";
import { buildCurriculum } from "../../curriculum/export.js";
import type { LoadedRun } from "../../curriculum/load.js";
import {
  bucketOf,
  createdAfter,
  groupByCommit,
  isInformative,
  parseDate,
  solveRates,
  splitScenarios,
} from "../../curriculum/solve-rate.js";
import { rollout, runInfo, scenario } from "./fixtures.js";

const rated = (instance_id: string, reward: number | null, resolved = reward === 1) => ({
  instance_id,
  reward,
  resolved,
});

describe("solve rates and buckets", () => {
  it("counts every rewarded rollout of a scenario, whichever run; infra errors count as nothing", () => {
    const stats = solveRates(
      ["a", "b", "c"],
      [
        rated("a", 1),
        rated("a", 0),
        rated("a", null),
        rated("a", 0.5, false),
        rated("b", null),
        rated("x", 1),
      ],
    );
    expect(stats.get("a")).toEqual({
      instance_id: "a",
      rollouts: 3,
      resolved: 1,
      solve_rate: 1 / 3,
      bucket: "medium",
    });
    expect(stats.get("b")).toEqual({
      instance_id: "b",
      rollouts: 0,
      resolved: 0,
      solve_rate: null,
      bucket: "untried",
    });
    expect(stats.get("c")?.bucket).toBe("untried");
    expect(stats.has("x")).toBe(false);
  });

  it("buckets: unsolved at 0, hard below 1/3, medium below 2/3, easy from 2/3", () => {
    expect([null, 0, 0.01, 0.25, 1 / 3, 0.5, 0.66, 2 / 3, 0.9, 1].map(bucketOf)).toEqual([
      "untried",
      "unsolved",
      "hard",
      "hard",
      "medium",
      "medium",
      "medium",
      "easy",
      "easy",
      "easy",
    ]);
  });

  it("informative means strictly between 0 and 1; untried is not informative", () => {
    expect([null, 0, 1e-9, 0.5, 1 - 1e-9, 1].map((solve_rate) => isInformative({ solve_rate }))).toEqual([
      false,
      false,
      true,
      true,
      true,
      false,
    ]);
  });
});

describe("--after", () => {
  it("accepts dates and date-times, refuses anything else", () => {
    expect(parseDate("2024-06-01").toISOString()).toBe("2024-06-01T00:00:00.000Z");
    expect(parseDate("2024-06-01T12:30:00+02:00").toISOString()).toBe("2024-06-01T10:30:00.000Z");
    for (const bad of ["yesterday", "2024-13-01", "06/01/2024", "", "1717200000"]) {
      expect(() => parseDate(bad)).toThrow(ConfigError);
    }
  });

  it("keeps changes made strictly after the date, comparing instants across time zones", () => {
    const after = parseDate("2024-06-01T00:00:00Z");
    const at = (created_at: string) => createdAfter({ instance_id: "x", created_at }, after);
    expect(at("2024-06-01T00:00:00Z")).toBe(false);
    expect(at("2024-06-01T00:00:01Z")).toBe(true);
    expect(at("2024-06-01T01:00:00+02:00")).toBe(false);
    expect(at("2024-05-31T23:30:00-01:00")).toBe(true);
    expect(() => at("last week")).toThrow(/x: created_at is not a date/);
  });
});

describe("--split", () => {
  const suite = Array.from({ length: 40 }, (_, i) => scenario(i + 1));
  const ids = suite.map((s) => s.instance_id);
  const side = (split: Map<string, string>, wanted: string) => ids.filter((id) => split.get(id) === wanted);

  it("is deterministic for a seed, whatever the order of the input, and changes with the seed", () => {
    const a = splitScenarios(suite, { ratio: 0.75, seed: 7 });
    const b = splitScenarios([...suite].reverse(), { ratio: 0.75, seed: 7 });
    expect([...b].sort()).toEqual([...a].sort());
    const other = splitScenarios(suite, { ratio: 0.75, seed: 8 });
    expect(side(other, "test")).not.toEqual(side(a, "test"));
    expect(side(a, "train")).toHaveLength(30);
    expect(side(a, "test")).toHaveLength(10);
  });

  it("never puts two scenarios of one commit on both sides, for any seed and ratio", () => {
    // Ten commits with four scenarios each (a PR, its squash commit, two mutations).
    const grouped = suite.map((s, i) => ({
      ...s,
      source: { ...s.source, sha: `${"c".repeat(39)}${i % 10}` },
    }));
    for (let seed = 0; seed < 50; seed++) {
      for (const ratio of [0.1, 0.5, 0.8, 0.95]) {
        const split = splitScenarios(grouped, { ratio, seed });
        for (const members of groupByCommit(grouped).values()) {
          expect(new Set(members.map((id) => split.get(id))).size).toBe(1);
        }
        expect(new Set(split.values())).toEqual(new Set(["train", "test"]));
      }
    }
  });

  it("a line of consecutive commits is not one group: a base commit is not a source commit's group", () => {
    // Each scenario's base is the previous scenario's source commit, as in a linear history.
    const chain = suite.map((s, i) => ({
      ...s,
      base_commit: i === 0 ? s.base_commit : suite[i - 1]!.source.sha,
    }));
    expect(groupByCommit(chain).size).toBe(40);
    const split = splitScenarios(chain, { ratio: 0.5, seed: 1 });
    expect(side(split, "train")).toHaveLength(20);
  });

  it("keeps both sides non-empty with two commits or more, even at extreme ratios; one commit trains", () => {
    const two = [scenario(1), scenario(2)];
    for (const ratio of [0.01, 0.99]) {
      expect(new Set(splitScenarios(two, { ratio, seed: 0 }).values())).toEqual(new Set(["train", "test"]));
    }
    const big = [
      scenario(1),
      ...Array.from({ length: 9 }, (_, i) => scenario(i + 2, { source: scenario(1).source })),
    ];
    const mostlyOne = [...big, scenario(20)];
    const split = splitScenarios(mostlyOne, { ratio: 0.5, seed: 4 });
    expect(new Set(split.values())).toEqual(new Set(["train", "test"]));
    expect(new Set(splitScenarios([scenario(1)], { ratio: 0.5, seed: 0 }).values())).toEqual(
      new Set(["train"]),
    );
  });

  it("refuses ratios outside (0, 1)", () => {
    for (const ratio of [0, 1, -0.5, 2, Number.NaN]) {
      expect(() => splitScenarios(suite, { ratio, seed: 0 })).toThrow(/between 0 and 1/);
    }
  });

  it("adding scenarios moves only a few old ones across", () => {
    const before = splitScenarios(suite.slice(0, 30), { ratio: 0.8, seed: 11 });
    const after = splitScenarios(suite, { ratio: 0.8, seed: 11 });
    const moved = [...before].filter(([id, s]) => after.get(id) !== s);
    expect(moved.length).toBeLessThanOrEqual(3);
  });
});

describe("buildCurriculum", () => {
  const run = (run_id: string, rollouts: ReturnType<typeof rollout>[]): LoadedRun => ({
    dir: `/runs/${run_id}`,
    info: runInfo(run_id, "command", 2, []),
    rollouts,
    notes: [],
  });
  const suite: Scenario[] = [scenario(1), scenario(2), scenario(3)];
  const r = (run_id: string, n: number, attempt: number, reward: number) =>
    rollout({ run_id, instance_id: suite[n - 1]!.instance_id, attempt, reward });

  it("rates scenarios before filtering, so a filter never changes another scenario's rate", () => {
    const runs = [
      run("a", [r("a", 1, 1, 1), r("a", 1, 2, 0), r("a", 2, 1, 1), r("a", 2, 2, 1), r("a", 3, 1, 0)]),
    ];
    const all = buildCurriculum(suite, runs, { informative: false });
    const informative = buildCurriculum(suite, runs, { informative: true });
    expect(informative.scenarios.map((s) => s.scenario.instance_id)).toEqual([suite[0]!.instance_id]);
    expect(informative.scenarios[0]!.stats).toEqual(all.scenarios[0]!.stats);
    expect(informative.rollouts.map((x) => x.rollout.instance_id)).toEqual([
      suite[0]!.instance_id,
      suite[0]!.instance_id,
    ]);
    expect(informative.runs[0]!.rollouts).toBe(2);
  });

  it("writes the solve rate into the scenario's difficulty only when rollouts measured it", () => {
    const c = buildCurriculum(suite, [run("a", [r("a", 1, 1, 1)])], { informative: false });
    expect(c.scenarios.map((s) => s.scenario.difficulty.solve_rate)).toEqual([1, undefined, undefined]);
    expect(suite[0]!.difficulty.solve_rate).toBeUndefined();
  });

  it("refuses --informative without runs", () => {
    expect(() => buildCurriculum(suite, [], { informative: true })).toThrow(/pass the runs with --runs/);
  });
});
