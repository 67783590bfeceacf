import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Rollout } from "../../core/rollout.js";
import { readRollouts } from "../../runner/rollout-store.js";
import { type RunEvent, type RunOptions, runSuite, sampleIds } from "../../runner/run-loop.js";
import { shellQuote } from "../../runner/shell.js";
import { useMinedFixture } from "./run-fixture.js";

describe("runSuite on a mined node:test suite", () => {
  const scope = useMinedFixture();
  const options = (overrides: Partial<RunOptions>) => scope.options(overrides);

  const byInstance = (records: Rollout[]) =>
    Object.fromEntries(records.map((r) => [`${r.instance_id}#${r.attempt}`, r]));

  it("mined two scenarios", () => {
    expect(scope.fixture.scenarios).toHaveLength(2);
  });

  it("oracle resolves every scenario with reward 1; noop scores 0", async () => {
    const oracle = await runSuite(options({ agentSpec: { name: "oracle" } }));
    const records = (await readRollouts(oracle.rolloutsFile)).rollouts;
    expect(records).toHaveLength(2);
    for (const r of records) {
      expect(r.status, r.reason).toBe("scored");
      expect(r.reward).toBe(1);
      expect(r.resolved).toBe(true);
      expect(r.model_patch).toContain("src/calc.js");
      expect(r.logs.agent).toBeDefined();
      expect(r.logs.tests).toBeDefined();
    }
    expect(oracle.summary.reward.mean).toBe(1);
    expect(oracle.summary.resolved_rate).toBe(1);
    expect(oracle.summary.pass_at_k).toEqual([{ k: 1, value: 1, scenarios: 2 }]);

    const noop = await runSuite(options({ agentSpec: { name: "noop" } }));
    const noopRecords = (await readRollouts(noop.rolloutsFile)).rollouts;
    expect(noopRecords.map((r) => [r.status, r.reward, r.resolved])).toEqual([
      ["scored", 0, false],
      ["scored", 0, false],
    ]);
    expect(noop.summary.reward).toEqual({ mean: 0, std: 0 });
  });

  it("replaying the gold patches equals the oracle", async () => {
    const predictions = join(scope.work, "gold.jsonl");
    await writeFile(
      predictions,
      scope.fixture.scenarios
        .map((s) =>
          JSON.stringify({ instance_id: s.instance_id, model_name_or_path: "gold", model_patch: s.patch }),
        )
        .join("\n"),
    );
    const oracle = await runSuite(options({ agentSpec: { name: "oracle" } }));
    const replay = await runSuite(options({ agentSpec: { name: "replay", predictions } }));
    const a = byInstance((await readRollouts(oracle.rolloutsFile)).rollouts);
    const b = byInstance((await readRollouts(replay.rolloutsFile)).rollouts);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const key of Object.keys(a)) {
      expect(b[key]!.reward).toBe(a[key]!.reward);
      expect(b[key]!.resolved).toBe(a[key]!.resolved);
      expect(b[key]!.tests).toEqual(a[key]!.tests);
      expect(b[key]!.model_patch).toBe(a[key]!.model_patch);
      expect(b[key]!.scores).toEqual(a[key]!.scores);
    }
  });

  it("an agent that edits the failing tests to pass gets 0 (tests are restored)", async () => {
    // Inline, not a script file: the sandboxed agent sees nothing outside its workspace.
    const script = [
      'import { writeFileSync } from "node:fs";',
      "writeFileSync('test/calc.test.js', [",
      "  'import { test } from \"node:test\";',",
      "  'test(\"add small\", () => {});',",
      "  'test(\"add large\", () => {});',",
      "  'test(\"mul zero\", () => {});',",
      "].join('\\n') + '\\n');",
      "",
    ].join("\n");
    const result = await runSuite(
      options({ agentSpec: { name: "command", command: `node -e ${shellQuote(script)}` } }),
    );
    const records = (await readRollouts(result.rolloutsFile)).rollouts;
    expect(records).toHaveLength(2);
    for (const r of records) {
      expect(r.status, r.reason).toBe("scored");
      expect(r.model_patch).toContain("test/calc.test.js");
      expect(r.reward).toBe(0);
      expect(r.resolved).toBe(false);
      expect(r.tests.FAIL_TO_PASS.failure.length).toBeGreaterThan(0);
    }
  });

  it("an agent that deletes the test file gets 0", async () => {
    const result = await runSuite(options({ agentSpec: { name: "command", command: "rm -rf test" } }));
    const records = (await readRollouts(result.rolloutsFile)).rollouts;
    expect(records.map((r) => [r.status, r.reward, r.resolved])).toEqual([
      ["scored", 0, false],
      ["scored", 0, false],
    ]);
    expect(records[0]!.model_patch).toContain("deleted file mode");
  });

  it("an agent past its time limit is a timeout with reward 0; a failing agent an agent_error", async () => {
    const slow = await runSuite(
      options({ agentSpec: { name: "command", command: "sleep 30" }, timeoutMs: 500 }),
    );
    const timedOut = (await readRollouts(slow.rolloutsFile)).rollouts;
    expect(timedOut.map((r) => [r.status, r.reward, r.resolved])).toEqual([
      ["timeout", 0, false],
      ["timeout", 0, false],
    ]);
    expect(timedOut[0]!.reason).toMatch(/timed out/);
    const failing = await runSuite(options({ agentSpec: { name: "command", command: "exit 4" } }));
    const errors = (await readRollouts(failing.rolloutsFile)).rollouts;
    expect(errors.map((r) => [r.status, r.reward])).toEqual([
      ["agent_error", 0],
      ["agent_error", 0],
    ]);
    expect(failing.summary.reward.mean).toBe(0);
  });

  it("a test runner that crashes while scoring is an infra_error with a null reward", async () => {
    const config = {
      ...scope.fixture.config,
      environment: { ...scope.fixture.config.environment, test_command: "node -e 'process.exit(3)'" },
    };
    const result = await runSuite(options({ agentSpec: { name: "oracle" }, config }));
    const records = (await readRollouts(result.rolloutsFile)).rollouts;
    expect(records).toHaveLength(2);
    for (const r of records) {
      expect(r.status).toBe("infra_error");
      expect(r.reward).toBeNull();
      expect(r.resolved).toBe(false);
      expect(r.reason).toMatch(/tests could not be run/);
    }
    expect(result.summary.status.infra_error).toBe(2);
    expect(result.summary.rewarded).toBe(0);
    expect(result.summary.reward.mean).toBeNull();
    expect(result.summary.resolved_rate).toBeNull();
  });

  it("an agent whose change makes the test runner hang scores 0, not an infra error", async () => {
    // The starting state runs its tests; only the agent's change breaks the run.
    const hang = await runSuite(
      options({
        agentSpec: { name: "command", command: "printf 'while (true) {}\\n' >> src/calc.js" },
        config: { ...scope.fixture.config, timeouts: { ...scope.fixture.config.timeouts, test_ms: 3_000 } },
      }),
    );
    const records = (await readRollouts(hang.rolloutsFile)).rollouts;
    expect(records.map((r) => [r.status, r.reward, r.resolved])).toEqual([
      ["scored", 0, false],
      ["scored", 0, false],
    ]);
    expect(records[0]!.reason).toMatch(/the agent's change broke the test run/);
    expect(hang.summary.status.infra_error).toBe(0);
    expect(hang.summary.reward.mean).toBe(0);
  });

  it("resumes a killed run: exactly one record per (scenario, attempt)", async () => {
    const outDir = join(scope.work, "resumed");
    const first = await runSuite(options({ agentSpec: { name: "oracle" }, attempts: 2, outDir }));
    expect(first.summary.rollouts).toBe(4);
    expect(first.summary.pass_at_k.map((p) => p.value)).toEqual([1, 1]);

    // A kill mid-write: the last record gone, the one before it cut in half.
    const text = await readFile(first.rolloutsFile, "utf8");
    const lines = text.trimEnd().split("\n");
    const kept = lines.slice(0, -2).join("\n");
    const cut = lines[lines.length - 2]!.slice(0, 50);
    await writeFile(first.rolloutsFile, `${kept}\n${cut}`);
    const before = await readRollouts(first.rolloutsFile);
    expect(before.rollouts).toHaveLength(2);
    expect(before.truncated?.line).toBe(3);

    const events: RunEvent[] = [];
    const second = await runSuite(
      options({
        agentSpec: { name: "oracle" },
        attempts: 2,
        outDir,
        resume: true,
        onEvent: (e) => events.push(e),
      }),
    );
    expect(second.run_id).toBe(first.run_id);
    const start = events.find((e) => e.type === "start");
    expect(start).toMatchObject({ done: 2, total: 4, truncated: { line: 3 } });
    expect(events.filter((e) => e.type === "rollout-done")).toHaveLength(2);
    const after = await readRollouts(second.rolloutsFile);
    expect(after.truncated).toBeUndefined();
    const keys = after.rollouts.map((r) => `${r.instance_id}#${r.attempt}`).sort();
    expect(keys).toEqual(
      scope.fixture.scenarios.flatMap((s) => [`${s.instance_id}#1`, `${s.instance_id}#2`]).sort(),
    );
    expect(second.summary.rollouts).toBe(4);
    expect(second.interrupted).toBe(false);

    // A run already recorded is not overwritten by accident.
    await expect(runSuite(options({ agentSpec: { name: "oracle" }, outDir }))).rejects.toThrow(/--resume/);
  });

  it("samples scenarios deterministically by seed", async () => {
    const ids = ["a__b-1", "a__b-2", "a__b-3", "a__b-4", "a__b-5"];
    expect(sampleIds(ids, 2, 42)).toEqual(sampleIds([...ids].reverse(), 2, 42));
    expect(sampleIds(ids, 5, 1)).toEqual(ids);
    const result = await runSuite(options({ agentSpec: { name: "noop" }, sample: 1, seed: 3 }));
    const info = JSON.parse(await readFile(join(result.outDir, "run.json"), "utf8"));
    expect(info.seed).toBe(3);
    expect(info.scenarios).toEqual(
      sampleIds(
        scope.fixture.scenarios.map((s) => s.instance_id),
        1,
        3,
      ),
    );
    expect(result.summary.rollouts).toBe(1);
  });
});
