import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { ROLLOUT_SCHEMA, type Rollout, RolloutSchema } from "../../core/rollout.js";
import { type Scenario, ScenarioSchema } from "../../core/scenario.js";
import { writeScenario } from "../../core/suite-store.js";
import { type RunInfo, RunInfoSchema, rolloutDir } from "../../runner/run-loop.js";
import { tempDir } from "../helpers/fixture-repo.js";
import { sampleScenario } from "../helpers/sample-scenario.js";

/** A scenario record checked against the schema, numbered so ids, shas and dates differ. */
export function scenario(n: number, overrides: Partial<Scenario> = {}): Scenario {
  const hex = n.toString(16).padStart(10, "0");
  const base = sampleScenario();
  return ScenarioSchema.parse({
    ...base,
    instance_id: `acme__lib-${hex}`,
    base_commit: hex.padStart(40, "a"),
    environment_setup_commit: hex.padStart(40, "a"),
    source: { kind: "commit", sha: hex.padStart(40, "b") },
    created_at: new Date(Date.UTC(2024, n - 1, 15, 12)).toISOString(),
    problem_statement: `Fix problem ${n}\n\nThese tests fail: "quoted" and back\\slash.\n`,
    patch: `diff --git a/src/a${n}.js b/src/a${n}.js\n--- a/src/a${n}.js\n+++ b/src/a${n}.js\n@@ -1 +1 @@\n-old\n+new ${n}\n`,
    test_patch: `diff --git a/test/a${n}.test.js b/test/a${n}.test.js\nnew file mode 100644\n--- /dev/null\n+++ b/test/a${n}.test.js\n@@ -0,0 +1 @@\n+test ${n}\n`,
    FAIL_TO_PASS: [`test/a${n}.test.js > a > works ${n}`, `test/a${n}.test.js > a > "quoted" ${n}`],
    PASS_TO_PASS: [`test/a${n}.test.js > a > kept`],
    difficulty: { ...base.difficulty, lines: n * 7 },
    ...overrides,
  });
}

export interface RolloutFields {
  run_id: string;
  instance_id: string;
  attempt: number;
  reward: number | null;
  resolved?: boolean;
  status?: Rollout["status"];
  agent?: Rollout["agent"];
  model_patch?: string;
}

/** A rollout record checked against the schema. */
export function rollout(fields: RolloutFields): Rollout {
  const resolved = fields.resolved ?? fields.reward === 1;
  return RolloutSchema.parse({
    schema: ROLLOUT_SCHEMA,
    run_id: fields.run_id,
    instance_id: fields.instance_id,
    attempt: fields.attempt,
    agent: fields.agent ?? { name: "command", model: "model-a" },
    status: fields.status ?? (fields.reward === null ? "infra_error" : "scored"),
    reward: fields.reward,
    resolved,
    scores: fields.reward === null ? [] : [{ scorer: "tests", weight: 1, score: fields.reward, details: {} }],
    tests: {
      FAIL_TO_PASS: resolved ? { success: ["f2p"], failure: [] } : { success: [], failure: ["f2p"] },
      PASS_TO_PASS: { success: ["p2p"], failure: [] },
    },
    model_patch:
      fields.model_patch ??
      `diff --git a/src/x.js b/src/x.js\n+${fields.run_id} ${fields.instance_id} attempt ${fields.attempt}\n`,
    durations: { setup_ms: 1, agent_ms: 2, score_ms: 3 },
    logs: {},
    finished_at: new Date(Date.UTC(2025, 0, 1, 0, fields.attempt)).toISOString(),
  });
}

export async function writeSuite(dir: string, scenarios: readonly Scenario[]): Promise<void> {
  for (const s of scenarios) await writeScenario(dir, s);
}

export interface RunFixture {
  info: RunInfo;
  rollouts: Rollout[];
  /** trajectory.json contents by `<instance_id>/<attempt>`. */
  trajectories?: Record<string, unknown>;
  /** Appended to rollouts.jsonl as is (a record cut short, say). */
  tail?: string;
}

export function runInfo(run_id: string, agent: string, attempts: number, scenarios: string[]): RunInfo {
  return RunInfoSchema.parse({
    run_id,
    agent,
    attempts,
    scenarios,
    seed: null,
    created_at: "2025-01-01T00:00:00Z",
  });
}

/** A run folder as `repogym run` leaves it: run.json, rollouts.jsonl, rollouts/<id>/<attempt>/. */
export async function writeRun(dir: string, run: RunFixture): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "run.json"), `${JSON.stringify(run.info, null, 2)}\n`);
  const lines = run.rollouts.map((r) => `${JSON.stringify(r)}\n`).join("");
  await writeFile(join(dir, "rollouts.jsonl"), lines + (run.tail ?? ""));
  for (const [key, trajectory] of Object.entries(run.trajectories ?? {})) {
    const [id, attempt] = key.split("/") as [string, string];
    const folder = rolloutDir(dir, id, Number(attempt));
    await mkdir(folder, { recursive: true });
    await writeFile(
      join(folder, "trajectory.json"),
      typeof trajectory === "string" ? trajectory : JSON.stringify(trajectory),
    );
  }
}

/**
 * Six scenarios and two runs with mixed outcomes:
 * - s1 solved 3/4 (easy), s2 1/4 (hard), s3 0/4 (unsolved, tests hidden), s4 2/4 (medium; mocha
 *   with a flaky test, which Harbor and Runloop cannot grade), s5 1/3 (one infra error), s6 untried;
 * - s5 and s6 come from the same commit (a pull request and its squash commit);
 * - run A: agent "command" with model-a, 3 attempts, trajectories for some resolved rollouts;
 * - run B: noop, 1 attempt, a record of an unknown scenario and a last line cut short.
 */
export function curriculumFixture() {
  const s = [
    scenario(1),
    scenario(2),
    scenario(3, { task: { tests_visible: false } }),
    scenario(4, {
      environment: { ...sampleScenario().environment, framework: "mocha", test_files: ["test/a4.test.js"] },
      validation: { ...sampleScenario().validation, flaky: ["test/a4.test.js > a > flaky"] },
    }),
    scenario(5, { source: { kind: "pull_request", sha: "c".repeat(40), pull_number: 5 } }),
    scenario(6, { source: { kind: "commit", sha: "c".repeat(40) } }),
  ];
  const id = (n: number) => s[n - 1]!.instance_id;
  const a = "run-a";
  const rA = (n: number, attempt: number, reward: number | null) =>
    rollout({ run_id: a, instance_id: id(n), attempt, reward });
  const runA: RunFixture = {
    info: runInfo(
      a,
      "command",
      3,
      s.map((x) => x.instance_id),
    ),
    rollouts: [
      rA(1, 1, 1),
      rA(1, 2, 1),
      rA(1, 3, 1),
      rA(2, 1, 1),
      rA(2, 2, 0),
      rA(2, 3, 0),
      rA(3, 1, 0),
      rA(3, 2, 0),
      rA(3, 3, 0),
      rA(4, 1, 1),
      rA(4, 2, 1),
      rA(4, 3, 0),
      rA(5, 1, 1),
      rA(5, 2, 0),
      rA(5, 3, null),
    ],
    trajectories: {
      // mini-swe-agent's shape: messages with a system prompt and the task.
      [`${id(1)}/1`]: {
        trajectory_format: "mini-swe-agent-1",
        messages: [
          { role: "system", content: "You are a helpful assistant." },
          { role: "user", content: "Fix problem 1" },
          { role: "assistant", content: [{ type: "text", text: "Let me look." }] },
          { role: "user", content: "output" },
          { role: "assistant", content: "Done." },
        ],
      },
      // ATIF (Harbor): steps with tool calls and observations; no user step.
      [`${id(1)}/2`]: {
        schema_version: "ATIF-v1.2",
        steps: [
          { step_id: 1, source: "system", message: "system prompt" },
          {
            step_id: 2,
            source: "agent",
            message: "I will run the tests.",
            tool_calls: [{ tool_call_id: "c1", function_name: "bash", arguments: { command: "npm test" } }],
            observation: { results: [{ source_call_id: "c1", content: "1 failing" }] },
          },
          { step_id: 3, source: "agent", message: "Fixed." },
        ],
      },
      [`${id(1)}/3`]: "not json",
      [`${id(2)}/1`]: { unknown: "shape" },
      [`${id(4)}/1`]: [
        { role: "user", content: "Fix problem 4" },
        { role: "assistant", content: "patched" },
      ],
    },
  };
  const b = "run-b";
  const runB: RunFixture = {
    info: runInfo(
      b,
      "noop",
      1,
      s.slice(0, 5).map((x) => x.instance_id),
    ),
    rollouts: [
      ...[1, 2, 3, 4, 5].map((n) =>
        rollout({
          run_id: b,
          instance_id: id(n),
          attempt: 1,
          reward: 0,
          agent: { name: "noop" },
          model_patch: "",
        }),
      ),
      rollout({
        run_id: b,
        instance_id: "acme__gone-0000000001",
        attempt: 1,
        reward: 0,
        agent: { name: "noop" },
      }),
    ],
    tail: '{"schema":"repogym/rollout@1","run_id":"run-b","inst',
  };
  return { scenarios: s, runs: [runA, runB], id };
}

/**
 * The fixture written to a temporary folder for the enclosing describe block: the suite at
 * `suite`, run i at `runs[i]` (paths inside the folder). The folder is removed after the block;
 * `path` is readable from the block's own beforeAll on.
 */
export function fixtureFolder(
  fixture: { scenarios: readonly Scenario[]; runs: readonly RunFixture[] },
  runs: readonly string[],
): { readonly path: string } {
  let work: (AsyncDisposable & { path: string }) | undefined;
  beforeAll(async () => {
    work = await tempDir();
    await writeSuite(join(work.path, "suite"), fixture.scenarios);
    for (const [i, run] of runs.entries()) await writeRun(join(work.path, run), fixture.runs[i]!);
  });
  afterAll(async () => {
    await work?.[Symbol.asyncDispose]();
  });
  return {
    get path() {
      if (!work) throw new Error("the fixture folder is written in beforeAll");
      return work.path;
    },
  };
}
