import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { collectArtifacts, parseUsage } from "../../../runner/agents/artifacts.js";
import { tempDir } from "../../helpers/fixture-repo.js";

describe("parseUsage", () => {
  it("reads tokens and cost", () => {
    expect(parseUsage('{"input_tokens": 1200, "output_tokens": 340, "cost_usd": 0.0125}')).toEqual({
      usage: { input_tokens: 1200, output_tokens: 340, cost_usd: 0.0125 },
      notes: [],
    });
  });

  it("tolerates missing fields and ignores unknown ones", () => {
    expect(parseUsage('{"cost_usd": 0.5, "model": "x"}')).toEqual({ usage: { cost_usd: 0.5 }, notes: [] });
    expect(parseUsage("{}")).toEqual({ notes: [] });
  });

  it("drops fields that are not non-negative numbers, with a note", () => {
    const parsed = parseUsage('{"input_tokens": "12", "output_tokens": -1, "cost_usd": 2}');
    expect(parsed.usage).toEqual({ cost_usd: 2 });
    expect(parsed.notes).toEqual([
      'usage.json: input_tokens ignored: expected a non-negative number, got "12"',
      "usage.json: output_tokens ignored: expected a non-negative number, got -1",
    ]);
  });

  it("ignores invalid JSON and non-objects with a note", () => {
    expect(parseUsage("{tokens: 3")).toEqual({
      notes: [expect.stringMatching(/^usage\.json ignored: invalid JSON/)],
    });
    expect(parseUsage("[1, 2]")).toEqual({ notes: ["usage.json ignored: expected a JSON object"] });
  });
});

describe("collectArtifacts", () => {
  it("finds trajectory.json and reads usage.json in the output folder", async () => {
    await using dir = await tempDir();
    await writeFile(join(dir.path, "trajectory.json"), '{"steps": []}');
    await writeFile(join(dir.path, "usage.json"), '{"input_tokens": 10, "output_tokens": 5}');
    expect(await collectArtifacts(dir.path)).toEqual({
      trajectory: join(dir.path, "trajectory.json"),
      usage: { input_tokens: 10, output_tokens: 5 },
      notes: [],
    });
  });

  it("is empty when the agent left nothing, and never fails on a bad usage.json", async () => {
    await using dir = await tempDir();
    expect(await collectArtifacts(dir.path)).toEqual({ notes: [] });
    expect(await collectArtifacts(join(dir.path, "missing"))).toEqual({ notes: [] });

    await writeFile(join(dir.path, "usage.json"), "not json");
    const artifacts = await collectArtifacts(dir.path);
    expect(artifacts.usage).toBeUndefined();
    expect(artifacts.notes).toHaveLength(1);
    expect(artifacts.notes[0]).toMatch(/^usage\.json ignored: invalid JSON/);
  });

  it("ignores a trajectory.json that is not a file", async () => {
    await using dir = await tempDir();
    await mkdir(join(dir.path, "trajectory.json"));
    expect(await collectArtifacts(dir.path)).toEqual({ notes: [] });
  });
});
