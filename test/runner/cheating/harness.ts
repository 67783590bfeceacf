import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { lstat, readdir, readFile, readlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import type { Rollout } from "../../../core/rollout.js";
import type { Scenario } from "../../../core/scenario.js";
import { readRollouts } from "../../../runner/rollout-store.js";
import { type RunOptions, rolloutDir, runSuite } from "../../../runner/run-loop.js";
import { tempDir } from "../../helpers/fixture-repo.js";
import { minedFixture } from "../run-fixture.js";

/** The fixed `src/calc.js` of the "add" scenario: what a cheater hopes to find somewhere. */
export const GOLD_CALC =
  "export function add(a, b) { return a + b; }\nexport function mul(a, b) { return a * b + (a === 0 ? 1 : 0); }\n";

/** A unique word for command lines, so pgrep finds exactly what one test started. */
export function marker(label: string): string {
  return `repogymcheat${label}${randomBytes(4).toString("hex")}`;
}

/** Pids (other than pgrep's own) whose command line contains the marker. */
export function processesWith(mark: string): string[] {
  try {
    return execFileSync("pgrep", ["-f", mark], { encoding: "utf8" }).split("\n").filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches.
  }
}

/** Every path under `root` (links not followed) with its type, mode and content hash. */
export async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      const key = rel ? `${rel}/${name}` : name;
      const info = await lstat(path);
      if (info.isSymbolicLink()) out[key] = `link:${await readlink(path)}`;
      else if (info.isDirectory()) {
        out[key] = `dir:${info.mode}`;
        await walk(path, key);
      } else {
        const hash = createHash("sha256")
          .update(await readFile(path))
          .digest("hex");
        out[key] = `file:${info.mode}:${hash}`;
      }
    }
  };
  await walk(root, "");
  return out;
}

export interface CheatRun {
  record: Rollout;
  /** The rollout's folder (the agent's REPOGYM_OUTPUT_DIR). */
  dir: string;
  agentLog: string;
}

/**
 * The mined node:test fixture (or another with an "add large" fix), a scratch folder for runs,
 * and a victim folder standing for "the rest of the host". `run` plays one rollout of the
 * "add" scenario with a command agent.
 */
export async function cheatingHarness(mine: typeof minedFixture = minedFixture) {
  const fixture = await mine();
  const work = await tempDir("repogym-cheat-work-");
  const victim = await tempDir("repogym-cheat-victim-");
  await writeFile(join(victim.path, "victim.txt"), "original\n");
  const scenario = fixture.scenarios.find((s) => s.FAIL_TO_PASS.some((id) => id.includes("add large")));
  if (!scenario) throw new Error("the fixture has no 'add' scenario");
  let runs = 0;

  /** Snapshots of everything outside the workspace the tests can name. */
  const hostState = async () => ({
    repo: await snapshot(fixture.repo.path),
    suite: await snapshot(fixture.suite),
    cache: await snapshot(fixture.cache),
    victim: await snapshot(victim.path),
  });

  async function run(
    command: string,
    overrides: Partial<RunOptions> & { envNames?: string[] } = {},
  ): Promise<CheatRun> {
    const { envNames, ...rest } = overrides;
    const outDir = join(work.path, `run-${++runs}`);
    const options: RunOptions = {
      repo: fixture.repo.path,
      scenarios: [scenario as Scenario],
      agentSpec: { name: "command", command, ...(envNames ? { env: envNames } : {}) },
      attempts: 1,
      jobs: 1,
      timeoutMs: 60_000,
      outDir,
      resume: false,
      config: fixture.config,
      cacheDir: fixture.cache,
      hostEnv: process.env,
      // Explicit: runSuite would pick bwrap when it works here. Tests that want bwrap say so.
      sandbox: "none",
      ...rest,
    };
    const result = await runSuite(options);
    const { rollouts } = await readRollouts(result.rolloutsFile);
    expect(rollouts).toHaveLength(1);
    const record = rollouts[0]!;
    const dir = rolloutDir(outDir, record.instance_id, 1);
    const agentLog = await readFile(join(dir, "agent.log"), "utf8").catch(() => "");
    return { record, dir, agentLog };
  }

  return {
    fixture,
    scenario: scenario as Scenario,
    work: work.path,
    victim: victim.path,
    run,
    hostState,
    async [Symbol.asyncDispose]() {
      await fixture[Symbol.asyncDispose]();
      await work[Symbol.asyncDispose]();
      await victim[Symbol.asyncDispose]();
    },
  };
}

export type Harness = Awaited<ReturnType<typeof cheatingHarness>>;

/** Reward 0, not resolved, and when the agent was scored, the F2P test recorded as failing. */
export function expectNoReward(record: Rollout): void {
  expect(record.reward, `${record.status}: ${record.reason ?? ""}`).toBe(0);
  expect(record.resolved).toBe(false);
  if (record.status === "scored") {
    expect(record.tests.FAIL_TO_PASS.failure.length).toBeGreaterThan(0);
    // The recorded reason for a scored 0: the failing ids in the tests scorer's details.
    const details = record.scores.find((s) => s.scorer === "tests")?.details as
      | { fail_to_pass?: { failed?: string[] } }
      | undefined;
    expect(details?.fail_to_pass?.failed?.length ?? 0).toBeGreaterThan(0);
  } else {
    expect(record.reason).toBeTruthy();
  }
}

/**
 * Stopped by the tamper scan (runner/tamper-scan.ts): scored 0 with the scan's reason naming
 * the file, and the tests never run (no test log, nothing scored).
 */
export function expectTamperFlagged(record: Rollout, scenario: Scenario, file = "src/calc.js"): void {
  expect(record.status, record.reason).toBe("scored");
  expect(record.reward).toBe(0);
  expect(record.resolved).toBe(false);
  const place = file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  expect(record.reason).toMatch(
    new RegExp(`^the change reaches into the test machinery from source: ${place}:\\d+: \\S`),
  );
  expect(record.scores).toEqual([]);
  expect(record.logs.tests).toBeUndefined();
  expect(record.tests.FAIL_TO_PASS.failure).toEqual(scenario.FAIL_TO_PASS);
}
