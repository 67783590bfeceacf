import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readRollouts } from "../../runner/rollout-store.js";
import { CLI, repogym } from "../helpers/cli.js";
import { useMinedFixture } from "../runner/run-fixture.js";

describe("repogym run / score (built CLI)", () => {
  const scope = useMinedFixture();

  const common = () => ["--suite", scope.fixture.suite, "--repo", scope.fixture.repo.path];
  const env = () => ({ REPOGYM_CACHE_DIR: scope.fixture.cache });

  it("runs the oracle with progress lines and a summary", async () => {
    const out = join(scope.work, "oracle");
    const result = await repogym(
      ["run", "--agent", "oracle", ...common(), "--out", out, "-j", "2"],
      scope.work,
      env(),
    );
    expect(result.stderr).toMatch(/Run \S+: 2 rollouts/);
    expect(result.stderr).toMatch(/\[1\/2\] \S+ #1 scored reward 1\.00 resolved/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("reward        mean 1.000");
    expect(result.stdout).toContain("resolved      100.0%");
    expect(result.stdout).toContain("pass@1");
  });

  it("score equals run --agent replay on the same predictions", async () => {
    const predictions = join(scope.work, "preds.jsonl");
    const [first, second] = scope.fixture.scenarios;
    await writeFile(
      predictions,
      [
        JSON.stringify({
          instance_id: first!.instance_id,
          model_name_or_path: "m",
          model_patch: first!.patch,
        }),
        JSON.stringify({ instance_id: second!.instance_id, model_name_or_path: "m", model_patch: "" }),
        "",
      ].join("\n"),
    );
    const scoreOut = join(scope.work, "score");
    const runOut = join(scope.work, "replay");
    const scored = await repogym(
      ["score", "--predictions", predictions, ...common(), "--out", scoreOut, "--json"],
      scope.work,
      env(),
    );
    const replayed = await repogym(
      ["run", "--agent", "replay", "--predictions", predictions, ...common(), "--out", runOut, "--json"],
      scope.work,
      env(),
    );
    expect(scored.code, scored.stderr).toBe(0);
    expect(replayed.code, replayed.stderr).toBe(0);
    const a = JSON.parse(scored.stdout);
    const b = JSON.parse(replayed.stdout);
    expect(a.reward).toEqual({ mean: 0.5, std: Math.SQRT1_2 });
    const strip = (s: Record<string, unknown>) => ({ ...s, run_id: "", out: "", rollouts_file: "" });
    expect(strip(a)).toEqual(strip(b));
    const ra = (await readRollouts(join(scoreOut, "rollouts.jsonl"))).rollouts;
    const rb = (await readRollouts(join(runOut, "rollouts.jsonl"))).rollouts;
    const key = (r: (typeof ra)[number]) => ({
      id: r.instance_id,
      agent: r.agent,
      status: r.status,
      reward: r.reward,
      resolved: r.resolved,
      tests: r.tests,
      model_patch: r.model_patch,
    });
    const sort = (list: typeof ra) => list.map(key).sort((x, y) => x.id.localeCompare(y.id));
    expect(sort(ra)).toEqual(sort(rb));
  });

  it("scores only the predicted instances, as SWE-bench's harness does", async () => {
    const predictions = join(scope.work, "one.jsonl");
    const [first] = scope.fixture.scenarios;
    await writeFile(
      predictions,
      `${JSON.stringify({ instance_id: first!.instance_id, model_name_or_path: "m", model_patch: first!.patch })}\n`,
    );
    const scored = await repogym(
      ["score", "--predictions", predictions, ...common(), "--out", join(scope.work, "one"), "--json"],
      scope.work,
      env(),
    );
    expect(scored.code, scored.stderr).toBe(0);
    const summary = JSON.parse(scored.stdout);
    expect(summary.rollouts).toBe(1);
    expect(summary.reward.mean).toBe(1);
  });

  it("says when no prediction matches the suite", async () => {
    const predictions = join(scope.work, "none.jsonl");
    await writeFile(
      predictions,
      `${JSON.stringify({ instance_id: "x__y-1", model_name_or_path: "m", model_patch: "" })}\n`,
    );
    const result = await repogym(["score", "--predictions", predictions, ...common()], scope.work, env());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no prediction matches a scenario of the suite");
  });

  it("a run killed with SIGKILL midway resumes to exactly one record per (scenario, attempt)", async () => {
    const out = join(scope.work, "killed");
    const args = [
      "run",
      "--agent",
      "command",
      "--command",
      "sleep 0.3",
      ...common(),
      "--attempts",
      "3",
      "--out",
      out,
    ];
    const child = spawn(process.execPath, [CLI, ...args, "-j", "1"], {
      cwd: scope.work,
      env: { ...process.env, ...env() },
      stdio: "ignore",
    });
    const exited = new Promise((resolve) => child.on("close", resolve));
    const file = join(out, "rollouts.jsonl");
    // Kill as soon as the first records are on disk: no chance to finish or clean up.
    for (let i = 0; i < 600; i++) {
      const text = existsSync(file) ? await readFile(file, "utf8") : "";
      if (text.split("\n").length > 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
    await exited;
    const before = (await readRollouts(file)).rollouts.length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(6);

    const resumed = await repogym([...args, "--resume", "--json"], scope.work, env());
    expect(resumed.code, resumed.stderr).toBe(0);
    const records = (await readRollouts(file)).rollouts;
    const keys = records.map((r) => `${r.instance_id}#${r.attempt}`);
    expect(keys).toHaveLength(6);
    expect(new Set(keys).size).toBe(6);
  });

  it("refuses --resume without --out, with one clear line", async () => {
    const result = await repogym(["run", "--agent", "noop", ...common(), "--resume"], scope.work, env());
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe("repogym: --resume needs --out, the folder of the run to continue");
  });
});
