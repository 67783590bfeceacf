import { describe, expect, it } from "vitest";
import { defaultConfig, parseConfig } from "../../core/config.js";
import { ConfigError } from "../../core/errors.js";
import { ScoreSchema } from "../../core/rollout.js";
import { composeScorers } from "../../scorers/composite.js";
import { ScoringInfraError } from "../../scorers/errors.js";
import { buildScoringContract, createScorer, SCORER_NAMES } from "../../scorers/index.js";
import type { ScorerFactory } from "../../scorers/types.js";
import { tempDir } from "../helpers/fixture-repo.js";
import { passed, scoreContext } from "./context.js";

const F2P = ["test/a.test.js > a > works"];
const GOLD = "diff --git a/src/a.js b/src/a.js\n--- a/src/a.js\n+++ b/src/a.js\n@@ -1 +1 @@\n-old\n+new\n";

function expectConfigError(action: () => unknown, message: string | RegExp) {
  expect(action).toThrow(ConfigError);
  expect(action).toThrow(message);
}

describe("registry", () => {
  it("knows the built-in scorers", () => {
    expect(SCORER_NAMES).toEqual(["tests", "patch-similarity", "command"]);
    expect(createScorer("tests").name).toBe("tests");
  });

  it("rejects an unknown name, listing the known ones", () => {
    expectConfigError(
      () => createScorer("bleu"),
      'unknown scorer "bleu"; known scorers: tests, patch-similarity, command',
    );
    expectConfigError(() => createScorer("toString"), /unknown scorer "toString"/);
  });
});

describe("buildScoringContract", () => {
  it("scores the default contract (tests = 1) from the default config", async () => {
    const contract = buildScoringContract(defaultConfig().scoring);
    const outcome = await contract.score(scoreContext({ tests: passed(...F2P) }));
    expect(outcome.reward).toBe(1);
    expect(outcome.scores).toEqual([
      {
        scorer: "tests",
        weight: 1,
        score: 1,
        details: {
          mode: "binary",
          fail_to_pass: { passed: 1, total: 1, failed: [] },
          pass_to_pass: expect.anything(),
        },
      },
    ]);
  });

  it("sums weight x score over every scorer of a contract read from config", async () => {
    await using dir = await tempDir();
    const config = parseConfig(
      [
        "scoring:",
        "  - scorer: tests",
        "    weight: 0.5",
        "    options: { partial: true }",
        "  - scorer: patch-similarity",
        "    weight: 0.3",
        "  - scorer: command",
        "    weight: 0.2",
        "    options: { command: 'echo 0.25', mode: number }",
      ].join("\n"),
      "config.yml",
    );
    const contract = buildScoringContract(config.scoring);
    const outcome = await contract.score(
      scoreContext({
        scenario: { patch: GOLD, FAIL_TO_PASS: ["t > one", "t > two"] },
        modelPatch: GOLD,
        tests: passed("t > one"),
        workspace: dir.path,
      }),
    );
    expect(outcome.scores.map(({ scorer, weight, score }) => ({ scorer, weight, score }))).toEqual([
      { scorer: "tests", weight: 0.5, score: 0.5 },
      { scorer: "patch-similarity", weight: 0.3, score: 1 },
      { scorer: "command", weight: 0.2, score: 0.25 },
    ]);
    expect(outcome.reward).toBeCloseTo(0.5 * 0.5 + 0.3 + 0.2 * 0.25, 12);
    for (const score of outcome.scores) expect(ScoreSchema.parse(score)).toEqual(score);
  });

  it("does not let float noise in the weights push a perfect reward off 1", async () => {
    const tenths = Array.from({ length: 10 }, () => ({ scorer: "tests", weight: 0.1, options: {} }));
    const outcome = await buildScoringContract(tenths).score(scoreContext({ tests: passed(...F2P) }));
    expect(outcome.reward).toBe(1);
  });

  it("runs zero-weight scorers and records them without changing the reward", async () => {
    const contract = buildScoringContract([
      { scorer: "tests", weight: 1, options: {} },
      { scorer: "patch-similarity", weight: 0, options: {} },
    ]);
    const outcome = await contract.score(scoreContext({ tests: passed(...F2P), modelPatch: GOLD }));
    expect(outcome.reward).toBe(1);
    expect(outcome.scores[1]).toMatchObject({ scorer: "patch-similarity", weight: 0, score: 0 });
  });

  it("rejects weights that do not sum to 1, naming the weights and their sum", () => {
    expectConfigError(
      () =>
        buildScoringContract([
          { scorer: "tests", weight: 0.5, options: {} },
          { scorer: "patch-similarity", weight: 0.3, options: {} },
        ]),
      "scoring: scorer weights must sum to 1, but tests 0.5 + patch-similarity 0.3 = 0.8",
    );
    expectConfigError(
      () =>
        buildScoringContract([
          { scorer: "tests", weight: 0.7, options: {} },
          { scorer: "tests", weight: 0.7, options: { partial: true } },
        ]),
      "scoring: scorer weights must sum to 1, but tests 0.7 + tests 0.7 = 1.4",
    );
  });

  it("accepts weights within 1e-9 of 1", () => {
    const entries = [0.1, 0.2, 0.7].map((weight) => ({ scorer: "tests", weight, options: {} }));
    expect(buildScoringContract(entries).entries).toHaveLength(3);
  });

  it("rejects an unknown scorer, naming the entry and listing the known ones", () => {
    expectConfigError(
      () => buildScoringContract([{ scorer: "bleu", weight: 1, options: {} }]),
      'scoring[0]: unknown scorer "bleu"; known scorers: tests, patch-similarity, command',
    );
    expectConfigError(
      () => buildScoringContract([{ scorer: "composite", weight: 1, options: {} }]),
      /the scoring list itself is the composite/,
    );
  });

  it("rejects bad options, naming the entry, scorer and option", () => {
    expectConfigError(
      () =>
        buildScoringContract([
          { scorer: "tests", weight: 0.5, options: {} },
          { scorer: "command", weight: 0.5, options: { mode: "number" } },
        ]),
      'scoring[1]: scorer "command": option "command" is required',
    );
  });

  it("rejects an empty contract", () => {
    expectConfigError(() => buildScoringContract([]), "scoring: expected at least one scorer");
  });

  it("turns a missing test run into ScoringInfraError, never a reward", async () => {
    const contract = buildScoringContract([
      { scorer: "patch-similarity", weight: 0.5, options: {} },
      { scorer: "tests", weight: 0.5, options: {} },
    ]);
    const scoring = contract.score(scoreContext({ modelPatch: GOLD, scenario: { patch: GOLD } }));
    await expect(scoring).rejects.toThrow(ScoringInfraError);
    await expect(scoring).rejects.toMatchObject({ scorer: "tests" });
  });
});

describe("composeScorers", () => {
  const factories: Record<string, ScorerFactory> = {
    crash: () => ({
      name: "crash",
      score: async () => {
        throw new TypeError("boom");
      },
    }),
    greedy: () => ({ name: "greedy", score: async () => ({ score: 1.5, details: {} }) }),
    nan: () => ({ name: "nan", score: async () => ({ score: Number.NaN, details: {} }) }),
  };

  it("turns a scorer that throws into ScoringInfraError naming it", async () => {
    const contract = composeScorers([{ scorer: "crash", weight: 1, options: {} }], factories);
    const scoring = contract.score(scoreContext());
    await expect(scoring).rejects.toThrow(ScoringInfraError);
    await expect(scoring).rejects.toThrow('scorer "crash" failed: boom');
  });

  it.each([
    ["greedy", "1.5"],
    ["nan", "NaN"],
  ])("refuses a score outside [0, 1] from %s instead of clamping it", async (name, shown) => {
    const contract = composeScorers([{ scorer: name, weight: 1, options: {} }], factories);
    await expect(contract.score(scoreContext())).rejects.toThrow(
      `scorer "${name}" returned ${shown}, outside [0, 1]`,
    );
  });

  it("lists the names of the registry it was given", () => {
    expectConfigError(
      () => composeScorers([{ scorer: "tests", weight: 1, options: {} }], factories),
      'unknown scorer "tests"; known scorers: crash, greedy, nan',
    );
  });
});
