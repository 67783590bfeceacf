import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repogym } from "../helpers/cli.js";
import { curriculumFixture, fixtureFolder } from "./fixtures.js";
import { listFiles } from "./read-back.js";

describe("repogym export (the built CLI)", () => {
  const fixture = curriculumFixture();
  const work = fixtureFolder(fixture, ["runs/a", "runs/b"]);

  it("exports every format with a split and prints what it wrote", async () => {
    const args = [
      "export",
      "--format",
      "all",
      "--suite",
      "suite",
      "--runs",
      "runs/a",
      "runs/b",
      "--out",
      "out",
    ];
    const result = await repogym([...args, "--split", "0.5", "--seed", "3", "--informative"], work.path);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      `Exported 4 of 6 scenarios (train 2, test 2) and 16 rollouts to ${join(work.path, "out")}`,
    );
    expect(result.stdout).toMatch(/^ {2}swebench {3}4 task instances, 4 evaluation runs$/m);
    expect(result.stdout).toMatch(/notes on what was left out: see README.md/);
    expect(await listFiles(join(work.path, "out"))).toContain("rl/rollouts.train.parquet");

    const again = await repogym([...args, "--split", "--json"], work.path);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/pass --force to replace it/);
    const forced = await repogym([...args, "--split", "--json", "--force"], work.path);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout).filters).toEqual({
      informative: false,
      after: null,
      split: { ratio: 0.8, seed: 0 },
    });
  });

  it("answers bad input with one line naming what and where", async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ["--format", "rl,csv", "--suite", "suite", "--out", "x"],
        /^repogym: unknown format "csv"; known formats: all, swebench/,
      ],
      [["--format", "rl", "--suite", "nope", "--out", "x"], /^repogym: .*nope: no such suite folder/],
      [
        ["--format", "rl", "--suite", "suite", "--runs", "runs", "--out", "x"],
        /^repogym: .*runs: not a run folder: it has no run.json \(it holds run folders: a, b;/,
      ],
      [
        ["--format", "rl", "--suite", "suite", "--informative", "--out", "x"],
        /^repogym: --informative keeps scenarios by their solve rate/,
      ],
      [
        ["--format", "rl", "--suite", "suite", "--seed", "4", "--out", "x"],
        /^repogym: --seed is for --split/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await repogym(["export", ...args], work.path);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
    const usage: Array<[string[], RegExp]> = [
      [
        ["--format", "rl", "--suite", "suite", "--split", "1.5", "--out", "x"],
        /expected the train share between 0 and 1/,
      ],
      [
        ["--format", "rl", "--suite", "suite", "--after", "soon", "--out", "x"],
        /expected a date such as 2024-06-01/,
      ],
      [["--format", "rl", "--suite", "suite"], /required option '-o, --out <dir>' not specified/],
    ];
    for (const [args, message] of usage) {
      const result = await repogym(["export", ...args], work.path);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(message);
    }
  });
});
