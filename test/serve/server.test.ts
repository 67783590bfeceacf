import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HealthSchema, type ScoredItem } from "../../cli/serve/protocol.js";
import type { Rollout } from "../../core/rollout.js";
import { readRollouts } from "../../runner/rollout-store.js";
import { runSuite } from "../../runner/run-loop.js";
import { useMinedFixture } from "../runner/run-fixture.js";
import {
  descendants,
  hangingPatch,
  type PatchKind,
  patchOf,
  post,
  processesWith,
  request,
  results,
  startServer,
  waitFor,
} from "./serve-fixture.js";

const KINDS: PatchKind[] = ["gold", "empty", "broken"];

/** What decides a reward: equal between `repogym score` and the service. */
const scoring = (r: Rollout) => ({
  status: r.status,
  reward: r.reward,
  resolved: r.resolved,
  tests: r.tests,
  scores: r.scores,
  model_patch: r.model_patch,
});

describe("repogym serve on a mined node:test suite", () => {
  const scope = useMinedFixture();
  /** `repogym score`'s records (runSuite with the replay agent), by kind and instance. */
  const reference = new Map<string, Rollout>();

  const scoreLikeTheCli = async () => {
    if (reference.size > 0) return reference;
    for (const kind of KINDS) {
      const predictions = join(scope.work, `${kind}.jsonl`);
      await writeFile(
        predictions,
        scope.fixture.scenarios
          .map((s) =>
            JSON.stringify({
              instance_id: s.instance_id,
              model_name_or_path: "m",
              model_patch: patchOf(s, kind),
            }),
          )
          .join("\n"),
      );
      const run = await runSuite(scope.options({ agentSpec: { name: "replay", predictions } }));
      for (const r of (await readRollouts(run.rolloutsFile)).rollouts)
        reference.set(`${kind} ${r.instance_id}`, r);
    }
    return reference;
  };

  it("holds a concurrent load: every item comes back once, 429s are retried, rewards equal repogym score", async () => {
    const expected = await scoreLikeTheCli();
    expect([...expected.values()].map((r) => [r.status, r.reward])).toEqual([
      ["scored", 1],
      ["scored", 1],
      ["scored", 0],
      ["scored", 0],
      ["agent_error", 0],
      ["agent_error", 0],
    ]);
    await using server = await startServer(scope, { concurrency: 2, maxQueued: 3, maxBatch: 3 });
    const { scenarios } = scope.fixture;
    // 40 clients at once, batches of 1 to 3 items over both scenarios and every kind of patch.
    const batches = Array.from({ length: 40 }, (_, b) =>
      Array.from({ length: 1 + (b % 3) }, (_, i) => {
        const scenario = scenarios[(b + i) % scenarios.length]!;
        const kind = KINDS[(b * 7 + i) % KINDS.length]!;
        return {
          instance_id: scenario.instance_id,
          patch: patchOf(scenario, kind),
          model_name_or_path: "m",
          request_id: `b${b}-i${i}`,
          kind,
        };
      }),
    );
    let refused = 0;
    const retryAfter: number[] = [];
    const client = async (batch: (typeof batches)[number]) => {
      const items = batch.map(({ kind: _, ...item }) => item);
      for (;;) {
        const reply = await post(server.url, { items });
        if (reply.status !== 429) return reply;
        refused++;
        const seconds = Number(reply.headers.get("retry-after"));
        expect(Number.isInteger(seconds) && seconds >= 1, `Retry-After ${seconds}`).toBe(true);
        expect(reply.body).toMatchObject({ error: expect.stringMatching(/^busy: /), retry_after_s: seconds });
        retryAfter.push(seconds);
        await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      }
    };
    const started = performance.now();
    const replies = await Promise.all(batches.map(client));
    const seconds = (performance.now() - started) / 1000;

    const seen = new Map<string, ScoredItem>();
    replies.forEach((reply, b) => {
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      const records = results(reply);
      expect(records).toHaveLength(batches[b]!.length);
      // One run id per request; attempts count the scenario's items within the request.
      expect(new Set(records.map((r) => r.run_id)).size).toBe(1);
      records.forEach((record, i) => {
        const item = batches[b]![i]!;
        expect(record.request_id).toBe(item.request_id);
        expect(record.instance_id).toBe(item.instance_id);
        expect(record.agent).toEqual({ name: "replay", model: "m" });
        expect(seen.has(item.request_id), `duplicate ${item.request_id}`).toBe(false);
        seen.set(item.request_id, record);
        expect(scoring(record), `${item.request_id} (${item.kind})`).toEqual(
          scoring(expected.get(`${item.kind} ${item.instance_id}`)!),
        );
      });
    });
    const sent = batches.flat().map((item) => item.request_id);
    expect([...seen.keys()].sort()).toEqual(sent.sort());
    expect(refused).toBeGreaterThan(0);
    const health = HealthSchema.parse((await request(`${server.url}/healthz`)).body);
    expect(health).toMatchObject({ status: "ok", inflight: 0, queued: 0, scenarios: 2 });
    console.log(
      `serve load test: ${batches.length} requests, ${sent.length} items in ${seconds.toFixed(1)} s ` +
        `(${(sent.length / seconds).toFixed(1)} rewards/s), ${refused} answered 429 ` +
        `(Retry-After ${Math.min(...retryAfter)}-${Math.max(...retryAfter)} s)`,
    );
  });

  it("scores repeated items of one scenario as attempts 1, 2, ... and echoes numeric request ids", async () => {
    await using server = await startServer(scope);
    const [first] = scope.fixture.scenarios;
    const reply = await post(server.url, {
      items: [
        { instance_id: first!.instance_id, patch: first!.patch, request_id: 1 },
        { instance_id: first!.instance_id, patch: null, request_id: 2 },
        { instance_id: first!.instance_id, patch: first!.patch },
      ],
    });
    expect(reply.status).toBe(200);
    const records = results(reply);
    expect(records.map((r) => [r.request_id, r.attempt, r.reward, r.agent.model])).toEqual([
      [1, 1, 1, "serve"],
      [2, 2, 0, "serve"],
      [undefined, 3, 1, "serve"],
    ]);
    expect("request_id" in records[2]!).toBe(false);
    // The rollout folders went with the request.
    expect(records.every((r) => Object.keys(r.logs).length === 0)).toBe(true);
  });

  it("refuses malformed requests with the reason, and starts nothing", async () => {
    await using server = await startServer(scope, { maxBodyBytes: 8 * 1024 });
    const id = scope.fixture.scenarios[0]!.instance_id;
    const cases: Array<[string, Promise<Awaited<ReturnType<typeof post>>>, number, RegExp]> = [
      ["bad JSON", post(server.url, "{items: ["), 400, /^body: not valid JSON/],
      [
        "no items",
        post(server.url, { patches: [] }),
        400,
        /^field items: .*; field \(root\): Unrecognized key/,
      ],
      ["wrong type", post(server.url, { items: [{ instance_id: id, patch: 42 }] }), 400, /items\[0\]\.patch/],
      [
        "unknown instance",
        post(server.url, {
          items: [
            { instance_id: id, patch: "" },
            { instance_id: "acme__calc-nope", patch: "" },
          ],
        }),
        400,
        /^field items\[1\]\.instance_id: no scenario "acme__calc-nope"/,
      ],
      [
        "too many items",
        post(server.url, { items: Array.from({ length: 4 }, () => ({ instance_id: id, patch: "" })) }),
        400,
        /^field items: at most 3 items per request, got 4/,
      ],
      [
        "timeout over the limit",
        post(server.url, { items: [{ instance_id: id, patch: "" }], timeout_s: 3600 }),
        400,
        /^field timeout_s: at most 60/,
      ],
      [
        "oversized body",
        post(server.url, { items: [{ instance_id: id, patch: "x".repeat(20_000) }] }),
        413,
        /^body: larger than 8192 bytes/,
      ],
      [
        "wrong path",
        request(`${server.url}/v1/scores`, { method: "POST", body: "{}" }),
        404,
        /no such endpoint/,
      ],
      [
        "wrong method",
        request(`${server.url}/v1/score`),
        405,
        /^GET is not allowed on \/v1\/score; use POST$/,
      ],
    ];
    for (const [name, pending, status, message] of cases) {
      const reply = await pending;
      expect(reply.status, name).toBe(status);
      expect(reply.body.error, name).toMatch(message);
      expect(reply.headers.get("content-type")).toBe("application/json; charset=utf-8");
      if (status === 405) expect(reply.headers.get("allow")).toBe("POST");
    }
    const health = HealthSchema.parse((await request(`${server.url}/healthz`)).body);
    expect(health).toEqual({
      status: "ok",
      version: "test",
      scenarios: 2,
      inflight: 0,
      queued: 0,
      capacity: { concurrency: 2, queue: 4, max_batch: 3, max_body_bytes: 8192, max_timeout_s: 60 },
    });
    expect((await request(`${server.url}/readyz`)).body).toEqual({ ready: true });
  });

  it("answers 504 at the deadline with what finished; cut rollouts leave no process behind", async () => {
    await using server = await startServer(scope, { concurrency: 1, maxQueued: 4 });
    const [first, second] = scope.fixture.scenarios;
    const marker = `repogym-hang-${randomBytes(4).toString("hex")}`;
    const started = performance.now();
    const pending = post(server.url, {
      items: [
        { instance_id: first!.instance_id, patch: first!.patch, request_id: "done" },
        {
          instance_id: second!.instance_id,
          patch: hangingPatch(scope.fixture.repo, second!, marker),
          request_id: "cut",
        },
        { instance_id: first!.instance_id, patch: first!.patch, request_id: "never started" },
      ],
      timeout_s: 3,
    });
    // The hanging test run is there before the deadline...
    expect(await waitFor(() => processesWith(marker).length > 0, 3_000)).toBe(true);
    const reply = await pending;
    const elapsed = performance.now() - started;
    expect(reply.status).toBe(504);
    expect(reply.body.error).toMatch(/time limit \(3 s\) passed with 1 of 3 items finished/);
    expect(elapsed).toBeLessThan(10_000);
    const records = results(reply);
    expect(records.map((r) => [r.request_id, r.status, r.reward])).toEqual([
      ["done", "scored", 1],
      ["cut", "infra_error", null],
      ["never started", "infra_error", null],
    ]);
    expect(records[1]!.reason).toMatch(/cut by the request's time limit \(3 s\)/);
    // ...and killed with its whole process group after it; the slot comes back.
    expect(await waitFor(() => processesWith(marker).length === 0, 5_000)).toBe(true);
    let health = HealthSchema.parse((await request(`${server.url}/healthz`)).body);
    for (let i = 0; i < 100 && health.inflight > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      health = HealthSchema.parse((await request(`${server.url}/healthz`)).body);
    }
    expect(health).toMatchObject({ inflight: 0, queued: 0 });
    // The service scores the next request as if nothing happened.
    const next = await post(server.url, {
      items: [{ instance_id: second!.instance_id, patch: second!.patch }],
    });
    expect(results(next).map((r) => [r.status, r.reward])).toEqual([["scored", 1]]);
  });

  it("leaves no process behind", async () => {
    expect(await waitFor(() => descendants().length === 0, 5_000)).toBe(true);
  });
});
