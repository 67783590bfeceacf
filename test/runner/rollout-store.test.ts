import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import { ROLLOUT_SCHEMA, type Rollout } from "../../core/rollout.js";
import { appendRollout, readRollouts, repairRollouts } from "../../runner/rollout-store.js";
import { tempDir } from "../helpers/fixture-repo.js";

function rollout(attempt: number): Rollout {
  return {
    schema: ROLLOUT_SCHEMA,
    run_id: "run-1",
    instance_id: "acme__lib-0123456789",
    attempt,
    agent: { name: "noop" },
    status: "scored",
    reward: 0,
    resolved: false,
    scores: [],
    tests: { FAIL_TO_PASS: { success: [], failure: ["t"] }, PASS_TO_PASS: { success: [], failure: [] } },
    model_patch: "",
    durations: { setup_ms: 1, agent_ms: 2, score_ms: 3 },
    logs: {},
    finished_at: "2024-01-01T00:00:00.000Z",
  };
}

describe("rollout store", () => {
  it("appends one line per record, concurrent appends intact", async () => {
    await using dir = await tempDir();
    const file = join(dir.path, "sub", "rollouts.jsonl");
    await Promise.all(Array.from({ length: 20 }, (_, i) => appendRollout(file, rollout(i + 1))));
    const text = await readFile(file, "utf8");
    expect(text.endsWith("\n")).toBe(true);
    expect(text.trimEnd().split("\n")).toHaveLength(20);
    const { rollouts, truncated } = await readRollouts(file);
    expect(truncated).toBeUndefined();
    expect(rollouts.map((r) => r.attempt).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it("rejects an invalid record without writing it", async () => {
    await using dir = await tempDir();
    const file = join(dir.path, "rollouts.jsonl");
    await expect(appendRollout(file, { ...rollout(1), reward: 2 })).rejects.toThrow(/field reward/);
    expect(await readRollouts(file)).toEqual({ rollouts: [] });
  });

  it("drops a last line cut short, and repair truncates back to the last complete line", async () => {
    await using dir = await tempDir();
    const file = join(dir.path, "rollouts.jsonl");
    await appendRollout(file, rollout(1));
    const whole = await readFile(file, "utf8");
    await writeFile(file, `${whole}${JSON.stringify(rollout(2)).slice(0, 40)}`);
    const read = await readRollouts(file);
    expect(read.rollouts).toHaveLength(1);
    expect(read.truncated).toMatchObject({ line: 2, offset: Buffer.byteLength(whole) });
    await repairRollouts(file);
    expect(await readFile(file, "utf8")).toBe(whole);
    await appendRollout(file, rollout(2));
    expect((await readRollouts(file)).rollouts.map((r) => r.attempt)).toEqual([1, 2]);
  });

  it("drops an unparsable last line that ends in a newline", async () => {
    await using dir = await tempDir();
    const file = join(dir.path, "rollouts.jsonl");
    await appendRollout(file, rollout(1));
    const whole = await readFile(file, "utf8");
    await writeFile(file, `${whole}{"schema":\n`);
    const read = await repairRollouts(file);
    expect(read.truncated?.line).toBe(2);
    expect(await readFile(file, "utf8")).toBe(whole);
  });

  it("a malformed line in the middle is a ConfigError naming file:line", async () => {
    await using dir = await tempDir();
    const file = join(dir.path, "rollouts.jsonl");
    await writeFile(file, `${JSON.stringify(rollout(1))}\nnot json\n${JSON.stringify(rollout(2))}\n`);
    const error = await readRollouts(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`${file}:2`);
    await writeFile(
      file,
      `${JSON.stringify({ ...rollout(1), status: "great" })}\n${JSON.stringify(rollout(2))}\n`,
    );
    await expect(readRollouts(file)).rejects.toThrow(`${file}:1: field status`);
  });
});
