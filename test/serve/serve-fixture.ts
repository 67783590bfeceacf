import { readdirSync, readFileSync } from "node:fs";
import { ScoreResponseSchema } from "../../cli/serve/protocol.js";
import { createRewardServer, type ServeLimits } from "../../cli/serve/server.js";
import type { Scenario } from "../../core/scenario.js";
import { createRolloutRunner } from "../../runner/run-loop.js";
import { detectSandbox } from "../../runner/sandbox.js";
import type { FixtureRepo } from "../helpers/fixture-repo.js";
import type { MinedFixtureScope } from "../runner/run-fixture.js";

export const DEFAULT_LIMITS: ServeLimits = {
  concurrency: 2,
  maxQueued: 4,
  maxBatch: 3,
  maxBodyBytes: 64 * 1024,
  maxTimeoutS: 60,
};

/** The reward service over the mined fixture, listening on a free loopback port. */
export async function startServer(scope: MinedFixtureScope, limits: Partial<ServeLimits> = {}) {
  const f = scope.fixture;
  const runner = createRolloutRunner({
    repo: f.repo.path,
    config: f.config,
    cacheDir: f.cache,
    hostEnv: process.env,
    timeoutMs: 30_000,
    sandbox: await detectSandbox(),
  });
  const server = createRewardServer({
    scenarios: f.scenarios,
    runner,
    limits: { ...DEFAULT_LIMITS, ...limits },
    version: "test",
  });
  const { url } = await server.listen(0, "127.0.0.1");
  return { url, close: () => server.close(), [Symbol.asyncDispose]: () => server.close() };
}

export interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export async function request(url: string, init: RequestInit = {}): Promise<Reply> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
}

export function post(url: string, body: unknown): Promise<Reply> {
  return request(`${url}/v1/score`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** A 200 or 504 body, checked against the wire schema. */
export function results(reply: Reply) {
  return ScoreResponseSchema.parse(reply.body).results;
}

export type PatchKind = "gold" | "empty" | "broken";

export function patchOf(scenario: Scenario, kind: PatchKind): string {
  if (kind === "gold") return scenario.patch;
  if (kind === "empty") return "";
  return "this is not a diff\n";
}

/**
 * A patch whose code blocks the scenario's test run in a child process that has `marker` on its
 * command line, so a test can see whether it outlived the rollout.
 */
export function hangingPatch(repo: FixtureRepo, scenario: Scenario, marker: string): string {
  const first = repo.git("show", `${scenario.base_commit}:src/calc.js`).split("\n")[0]!;
  const line = `import { spawnSync } from "node:child_process"; spawnSync(process.execPath, ["-e", "setTimeout(() => {}, 60000)", "${marker}"]);`;
  return [
    "diff --git a/src/calc.js b/src/calc.js",
    "--- a/src/calc.js",
    "+++ b/src/calc.js",
    "@@ -1,1 +1,2 @@",
    `+${line}`,
    ` ${first}`,
    "",
  ].join("\n");
}

/** Processes (not zombies) whose command line contains `marker`. */
export function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      if (cmdline.includes(marker) && state !== "Z") found.push(Number(entry));
    } catch {
      // Gone while looking.
    }
  }
  return found;
}

/** Live descendants of this process (children of children included), zombies left out. */
export function descendants(root: number = process.pid): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z") continue;
      const parent = Number(fields[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // Gone while looking.
    }
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      walk(child);
    }
  };
  walk(root);
  return found;
}

export async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return check();
}
