import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readRollouts } from "../../runner/rollout-store.js";
import { CLI, repogym } from "../helpers/cli.js";
import { useMinedFixture } from "../runner/run-fixture.js";
import { descendants, post, request, results, waitFor } from "./serve-fixture.js";

describe("repogym serve (built CLI)", () => {
  const scope = useMinedFixture();
  const common = () => ["--suite", scope.fixture.suite, "--repo", scope.fixture.repo.path];
  const env = () => ({ ...process.env, REPOGYM_CACHE_DIR: scope.fixture.cache });

  it("scores as repogym score does, drains on SIGTERM and exits 0", async () => {
    const [first, second] = scope.fixture.scenarios;
    const predictions = [
      { instance_id: first!.instance_id, model_name_or_path: "m", model_patch: first!.patch },
      { instance_id: second!.instance_id, model_name_or_path: "m", model_patch: "" },
    ];
    const file = join(scope.work, "preds.jsonl");
    await writeFile(file, predictions.map((p) => JSON.stringify(p)).join("\n"));
    const out = join(scope.work, "score");
    const scored = await repogym(
      ["score", "--predictions", file, ...common(), "--out", out, "--json"],
      scope.work,
      env(),
    );
    expect(scored.code, scored.stderr).toBe(0);
    const byId = new Map(
      (await readRollouts(join(out, "rollouts.jsonl"))).rollouts.map((r) => [r.instance_id, r]),
    );

    const child = spawn(
      process.execPath,
      [CLI, "serve", ...common(), "--port", "0", "--concurrency", "2", "--queue", "2", "--max-batch", "4"],
      { cwd: scope.work, env: env(), stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(stderr);
        if (match) resolve(match[1]!);
      });
      child.on("close", () => reject(new Error(`serve exited: ${stderr}`)));
    });
    expect(stderr).toMatch(/\(2 scenarios, 2 rollouts at once, 2 queued, sandbox \w+\)/);

    const items = predictions.map((p) => ({
      instance_id: p.instance_id,
      patch: p.model_patch,
      model_name_or_path: p.model_name_or_path,
    }));
    const reply = await post(url, { items });
    expect(reply.status).toBe(200);
    for (const record of results(reply)) {
      const expected = byId.get(record.instance_id)!;
      expect([record.status, record.reward, record.resolved]).toEqual([
        expected.status,
        expected.reward,
        expected.resolved,
      ]);
      expect(record.tests).toEqual(expected.tests);
      expect(record.scores).toEqual(expected.scores);
      expect(record.agent).toEqual(expected.agent);
    }
    expect(results(reply).map((r) => r.reward)).toEqual([1, 0]);

    // SIGTERM while a request is in flight: it is still answered, then the process exits 0.
    const inFlight = post(url, { items });
    for (let i = 0; i < 100; i++) {
      if ((await request(`${url}/healthz`)).body.inflight !== 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill("SIGTERM");
    const last = await inFlight;
    expect(last.status).toBe(200);
    expect(results(last).map((r) => r.reward)).toEqual([1, 0]);
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/SIGTERM received; finishing the requests in flight/);
    expect(stderr).toMatch(/repogym serve: stopped\n$/);
    expect(await waitFor(() => descendants().length === 0, 5_000)).toBe(true);
  });

  it("refuses a --max-batch that could never be admitted", async () => {
    const result = await repogym(
      ["serve", ...common(), "--port", "0", "--concurrency", "1", "--queue", "2", "--max-batch", "4"],
      scope.work,
      env(),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--max-batch 4 is more than --concurrency 1 \+ --queue 2/);
  });
});
