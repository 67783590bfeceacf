import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { ScenarioSchema } from "../../core/scenario.js";
import { readSuite } from "../../core/suite-store.js";
import { EXPORT_SCHEMA, exportCurriculum, type Manifest } from "../../curriculum/export.js";
import { FORMAT_NAMES } from "../../curriculum/formats.js";
import { loadPredictions } from "../../runner/agents/replay.js";
import { checkExport, readTable } from "./check-export.js";
import { curriculumFixture, fixtureFolder, writeRun, writeSuite } from "./fixtures.js";
import {
  CurriculumRowSchema,
  HarborTaskConfigSchema,
  PreferenceRowSchema,
  RlGroupSchema,
  RlRolloutSchema,
  RunloopScenarioCreateSchema,
  SftRowSchema,
  SwebenchInstanceReportSchema,
  SwebenchInstanceSchema,
  SwebenchPredictionSchema,
  SwebenchRunReportSchema,
} from "./format-schemas.js";
import { isExecutable, listFiles, readJson, readJsonl, readParquet } from "./read-back.js";

describe("export of a suite and two runs, every format", () => {
  const fixture = curriculumFixture();
  const work = fixtureFolder(fixture, ["runs/a", "runs/b"]);
  let out: string;
  let manifest: Manifest;
  const suite = () => join(work.path, "suite");
  const runDirs = () => [join(work.path, "runs", "a"), join(work.path, "runs", "b")];

  beforeAll(async () => {
    out = join(work.path, "out");
    const result = await exportCurriculum({
      suiteDir: suite(),
      runDirs: runDirs(),
      outDir: out,
      formats: [...FORMAT_NAMES],
      informative: false,
      force: false,
      toolVersion: "repogym test",
      now: new Date("2025-02-01T00:00:00Z"),
    });
    manifest = result.manifest;
  });

  it("writes exactly the files its manifest lists, each one valid in its format", async () => {
    expect(await readJson(join(out, "manifest.json"))).toEqual(manifest);
    const checked = await checkExport(out);
    expect(checked.harborTasks).toHaveLength(5);
    expect(checked.runloopScenarios).toBe(5);
    expect(manifest.schema).toBe(EXPORT_SCHEMA);
    expect(await listFiles(out)).toEqual(manifest.files);
    expect(manifest.counts).toEqual({ scenarios_in_suite: 6, scenarios: 6, rollouts: 20 });
    expect(Object.keys(manifest.formats)).toEqual([...FORMAT_NAMES]);
  });

  it("notes what it left out: the cut record, the unknown scenario, ungradable and unreadable inputs", () => {
    const notes = manifest.notes.join("\n");
    expect(notes).toMatch(/line 7 was cut short/);
    expect(notes).toMatch(/1 rollout of scenarios not in the suite left out \(acme__gone-0000000001\)/);
    expect(notes).toMatch(/harbor: acme__lib-0000000004 left out: mocha is graded by exit code/);
    expect(notes).toMatch(/runloop: acme__lib-0000000004 left out/);
    expect(notes).toMatch(/sft: 1 resolved rollout left out: trajectory.json is not JSON/);
    expect(notes).toMatch(/sft: 1 resolved rollout left out: the trajectory is neither/);
    expect(notes).toMatch(/rl: 1 rollout with an infrastructure error/);
  });

  it("keeps the scenarios as a suite with the empirical solve rate in their difficulty", async () => {
    const scenarios = await readSuite(join(out, "suite"));
    expect(scenarios.map((s) => [s.instance_id, s.difficulty.solve_rate])).toEqual([
      [fixture.id(1), 0.75],
      [fixture.id(2), 0.25],
      [fixture.id(3), 0],
      [fixture.id(4), 0.5],
      [fixture.id(5), 1 / 3],
      [fixture.id(6), undefined],
    ]);
    for (const s of scenarios) expect(ScenarioSchema.parse(s)).toEqual(s);
    const rows = await readTable(out, "curriculum", CurriculumRowSchema);
    expect(rows.map((r) => [r.bucket, r.rollouts, r.resolved])).toEqual([
      ["easy", 4, 3],
      ["hard", 4, 1],
      ["unsolved", 4, 0],
      ["medium", 4, 2],
      ["medium", 3, 1],
      ["untried", 0, 0],
    ]);
  });

  it("swebench: instances in SWE-bench's fields and encodings, as JSONL, a JSON array and Parquet", async () => {
    const instances = await readTable(out, "swebench/instances", SwebenchInstanceSchema);
    expect(await readJson(join(out, "swebench/instances.json"))).toEqual(instances);
    expect(instances).toHaveLength(6);
    const first = instances[0]!;
    const source = fixture.scenarios[0]!;
    expect(JSON.parse(first.FAIL_TO_PASS)).toEqual(source.FAIL_TO_PASS);
    // Python's json.dumps separators, as the SWE-bench datasets have them.
    expect(first.FAIL_TO_PASS).toBe(
      '["test/a1.test.js > a > works 1", "test/a1.test.js > a > \\"quoted\\" 1"]',
    );
    expect(first.PASS_TO_PASS).toBe('["test/a1.test.js > a > kept"]');
    expect(first.created_at).toBe("2024-01-15T12:00:00Z");
    expect(first.patch).toBe(source.patch);
    expect(first.test_patch).toBe(source.test_patch);
  });

  it("swebench: predictions and reports per evaluation run (one per attempt), readable by repogym's replay", async () => {
    const files = manifest.files.filter((f) => f.startsWith("swebench/predictions/"));
    expect(files).toEqual([
      "swebench/predictions/run-a.attempt1.jsonl",
      "swebench/predictions/run-a.attempt2.jsonl",
      "swebench/predictions/run-a.attempt3.jsonl",
      "swebench/predictions/run-b.jsonl",
    ]);
    for (const file of files) {
      const rows = (await readJsonl(join(out, file))).map((r) => SwebenchPredictionSchema.parse(r));
      expect(rows.length).toBeGreaterThan(0);
      expect((await loadPredictions(join(out, file))).size).toBe(rows.length);
    }
    const a1 = (await readJsonl(join(out, "swebench/predictions/run-a.attempt1.jsonl"))) as Array<{
      model_name_or_path: string;
    }>;
    expect(a1[0]!.model_name_or_path).toBe("command/model-a");

    const report = SwebenchRunReportSchema.parse(
      await readJson(join(out, "swebench/command__model-a.run-a.attempt3.json")),
    );
    expect(report.total_instances).toBe(6);
    expect(report.resolved_ids).toEqual([fixture.id(1)]);
    expect(report.unresolved_ids).toEqual([fixture.id(2), fixture.id(3), fixture.id(4)]);
    expect(report.error_ids).toEqual([fixture.id(5)]);
    expect(report.incomplete_ids).toEqual([fixture.id(6)]);
    const noop = SwebenchRunReportSchema.parse(await readJson(join(out, "swebench/noop.run-b.json")));
    expect(noop.empty_patch_instances).toBe(5);

    const reports = manifest.files.filter((f) => f.endsWith("/report.json"));
    expect(reports.length).toBe(15);
    for (const file of reports) {
      const parsed = SwebenchInstanceReportSchema.parse(await readJson(join(out, file)));
      const [id, entry] = Object.entries(parsed)[0]!;
      expect(file).toBe(
        `swebench/logs/run_evaluation/${file.split("/")[3]}/command__model-a/${id}/report.json`,
      );
      expect(entry.tests_status === undefined).toBe(!entry.patch_successfully_applied);
    }
  });

  it("runloop: scenario-create bodies that match the published types, weights summing to 1, metadata strings", async () => {
    const lines = await readJsonl(join(out, "runloop/scenarios.jsonl"));
    expect(lines).toHaveLength(5);
    for (const line of lines) {
      const body = RunloopScenarioCreateSchema.parse(line);
      expect(await readJson(join(out, `runloop/scenarios/${body.name}.json`))).toEqual(line);
      expect(Object.values(body.metadata ?? {}).every((v) => typeof v === "string")).toBe(true);
    }
    const three = RunloopScenarioCreateSchema.parse(
      lines.find((l) => (l as { name: string }).name === fixture.id(3)),
    );
    expect(three.metadata?.tests_visible).toBe("false");
    // Hidden tests are not in the devbox before scoring: the launch command does not carry them.
    expect(three.environment_parameters?.launch_parameters?.launch_commands?.join("")).not.toContain(
      "test/a3.test.js",
    );
    expect(three.reference_output).toBe(fixture.scenarios[2]!.patch);
  });

  it("harbor: task folders with task.toml, instruction, environment, verifier and solution", async () => {
    const tasks = [
      ...new Set(manifest.files.filter((f) => f.startsWith("harbor/")).map((f) => f.split("/")[1])),
    ];
    expect(tasks).toEqual([1, 2, 3, 5, 6].map((n) => fixture.id(n)));
    for (const task of tasks) {
      const dir = join(out, "harbor", task!);
      const config = HarborTaskConfigSchema.parse(parseToml(await readFile(join(dir, "task.toml"), "utf8")));
      expect(config.metadata.instance_id).toBe(task);
      expect(await isExecutable(join(dir, "tests/test.sh"))).toBe(true);
      expect(await isExecutable(join(dir, "solution/solve.sh"))).toBe(true);
      const dockerfile = await readFile(join(dir, "environment/Dockerfile"), "utf8");
      expect(dockerfile).toMatch(/^FROM node:20-bookworm$/m);
      // Everything the Dockerfile copies is in its build context.
      for (const copied of /^COPY (.+) \/repogym\/$/m.exec(dockerfile)![1]!.split(" ")) {
        expect(manifest.files).toContain(`harbor/${task}/environment/${copied}`);
      }
    }
    const one = parseToml(await readFile(join(out, "harbor", fixture.id(1), "task.toml"), "utf8"));
    expect(one.metadata).toMatchObject({
      difficulty: "easy",
      bucket: "easy",
      solve_rate: 0.75,
      grading: "per-test",
    });
    const six = parseToml(await readFile(join(out, "harbor", fixture.id(6), "task.toml"), "utf8"));
    expect(six.metadata).toMatchObject({ difficulty: "unknown", bucket: "untried" });
    expect((six.metadata as Record<string, unknown>).solve_rate).toBeUndefined();
    // Hidden tests stay out of the agent's image.
    expect(manifest.files).not.toContain(`harbor/${fixture.id(3)}/environment/test.patch`);
    expect(manifest.files).toContain(`harbor/${fixture.id(3)}/tests/test.patch`);
  });

  it("rl: a row per rewarded rollout with its group's mean, deviation and advantage", async () => {
    const rows = await readTable(out, "rl/rollouts", RlRolloutSchema);
    expect(rows).toHaveLength(19);
    const two = rows.filter((r) => r.instance_id === fixture.id(2));
    // Rewards 1, 0, 0 (run A) and 0 (run B): mean 1/4, sample deviation 1/2.
    expect(two.map((r) => r.reward)).toEqual([1, 0, 0, 0]);
    for (const r of two) {
      expect(r.group_mean).toBeCloseTo(0.25);
      expect(r.group_std).toBeCloseTo(0.5);
      expect(r.advantage).toBeCloseTo((r.reward - 0.25) / 0.5);
    }
    const three = rows.filter((r) => r.instance_id === fixture.id(3));
    expect(three.every((r) => r.advantage === 0 && r.group_std === 0)).toBe(true);
    expect(rows.find((r) => r.id === `run-a/${fixture.id(1)}/1`)).toMatchObject({
      prompt: fixture.scenarios[0]!.problem_statement,
      scenario: `suite/scenarios/${fixture.id(1)}.json`,
      agent: "command",
      model: "model-a",
    });
    const groups = await readTable(out, "rl/groups", RlGroupSchema);
    expect(groups.map((g) => [g.instance_id, g.size, g.informative])).toEqual([
      [fixture.id(1), 4, true],
      [fixture.id(2), 4, true],
      [fixture.id(3), 4, false],
      [fixture.id(4), 4, true],
      [fixture.id(5), 3, true],
    ]);
    for (const g of groups) {
      const members = rows.filter((r) => r.instance_id === g.instance_id);
      expect(g.advantages.reduce((a, b) => a + b, 0)).toBeCloseTo(0);
      expect(members.map((m) => m.advantage)).toEqual(g.advantages);
    }
  });

  it("sft: chat messages from the trajectories of resolved rollouts, in both shapes read", async () => {
    const rows = await readTable(out, "sft/messages", SftRowSchema);
    expect(rows.map((r) => r.id)).toEqual([
      `run-a/${fixture.id(1)}/1`,
      `run-a/${fixture.id(1)}/2`,
      `run-a/${fixture.id(4)}/1`,
    ]);
    expect(rows[0]!.messages[2]).toEqual({ role: "assistant", content: "Let me look." });
    // ATIF without a user step: the problem statement is put after the system prompt.
    expect(rows[1]!.messages.map((m) => m.role)).toEqual([
      "system",
      "user",
      "assistant",
      "tool",
      "assistant",
    ]);
    expect(rows[1]!.messages[1]!.content).toBe(fixture.scenarios[0]!.problem_statement);
    expect(rows[1]!.messages[2]!.content).toContain('"function_name":"bash"');
  });

  it("preference: chosen beats rejected within a scenario, never the same patch", async () => {
    const rows = await readTable(out, "preference/pairs", PreferenceRowSchema);
    // s1: 3 resolved x 1 noop; s2: 1 x 3; s4: 2 x 2; s5: 1 x 2; s3 (all 0) and s6 (untried) none.
    expect(rows).toHaveLength(3 + 3 + 4 + 2);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    for (const r of rows)
      expect(r.prompt).toBe(
        fixture.scenarios.find((s) => s.instance_id === r.instance_id)!.problem_statement,
      );
  });

  it("card: counts, difficulty histogram, sources, time range, licence, and configs that name real files", async () => {
    const card = await readFile(join(out, "README.md"), "utf8");
    const [, front, body] = card.split(/^---$/m);
    const meta = parseYaml(front!) as {
      license: string;
      configs: Array<{ config_name: string; data_files: Array<{ path: string }> }>;
    };
    expect(meta.license).toBe("other");
    for (const config of meta.configs) {
      for (const file of config.data_files) expect(manifest.files).toContain(file.path);
    }
    expect(meta.configs.map((c) => c.config_name)).toEqual([
      "curriculum",
      "preference-pairs",
      "rl-groups",
      "rl-rollouts",
      "sft-messages",
      "swebench-instances",
    ]);
    expect(body).toContain("6 scenarios, 20 rollouts from 2 runs");
    expect(body).toMatch(/\| easy \| 1 \|/);
    expect(body).toMatch(/\| medium \| 2 \|/);
    expect(body).toMatch(/\| untried \| 1 \|/);
    expect(body).toContain("| acme/lib | 6 |");
    expect(body).toContain("changes made 2024-01-15 to 2024-06-15");
    expect(body).toMatch(/## Licence[\s\S]*licence/);
    expect(body).toContain("5 commits, 1 pull request");
  });
});

describe("export filters and split", () => {
  const fixture = curriculumFixture();
  const work = fixtureFolder(fixture, ["a", "b"]);
  const run = (
    name: string,
    options: { informative?: boolean; after?: Date; split?: { ratio: number; seed: number } },
  ) =>
    exportCurriculum({
      suiteDir: join(work.path, "suite"),
      runDirs: [join(work.path, "a"), join(work.path, "b")],
      outDir: join(work.path, name),
      formats: [...FORMAT_NAMES],
      informative: options.informative ?? false,
      ...(options.after ? { after: options.after } : {}),
      ...(options.split ? { split: options.split } : {}),
      force: false,
      toolVersion: "repogym test",
    });

  it("--informative keeps only scenarios with a solve rate strictly between 0 and 1; rates use every rollout", async () => {
    const { manifest } = await run("informative", { informative: true });
    const ids = (await readSuite(join(work.path, "informative", "suite"))).map((s) => s.instance_id);
    expect(ids).toEqual([1, 2, 4, 5].map(fixture.id));
    expect(manifest.filters.informative).toBe(true);
    const rl = (await readJsonl(join(work.path, "informative", "rl/rollouts.jsonl"))) as Array<{
      instance_id: string;
    }>;
    expect(new Set(rl.map((r) => r.instance_id))).toEqual(new Set(ids));
  });

  it("--after keeps only changes made after the date, and is combined with --informative", async () => {
    const { manifest } = await run("after", { informative: true, after: new Date("2024-03-15T12:00:00Z") });
    const ids = (await readSuite(join(work.path, "after", "suite"))).map((s) => s.instance_id);
    // s3 was made at exactly that time: not after it.
    expect(ids).toEqual([4, 5].map(fixture.id));
    expect(manifest.notes.join("\n")).toMatch(
      /3 scenarios made on or before 2024-03-15T12:00:00.000Z left out/,
    );
  });

  it("--split writes train and test halves of every table, a commit on one side only", async () => {
    const { manifest } = await run("split", { split: { ratio: 0.5, seed: 3 } });
    const out = join(work.path, "split");
    await checkExport(out);
    const train = (await readSuite(join(out, "suite/train"))).map((s) => s.instance_id);
    const test = (await readSuite(join(out, "suite/test"))).map((s) => s.instance_id);
    expect([...train, ...test].sort()).toEqual(fixture.scenarios.map((s) => s.instance_id));
    expect(train.includes(fixture.id(5))).toBe(train.includes(fixture.id(6)));
    expect(manifest.counts.train! + manifest.counts.test!).toBe(6);
    for (const base of [
      "rl/rollouts",
      "rl/groups",
      "sft/messages",
      "preference/pairs",
      "swebench/instances",
      "curriculum",
    ]) {
      for (const side of ["train", "test"] as const) {
        const rows = (await readJsonl(join(out, `${base}.${side}.jsonl`))) as Array<{
          instance_id: string;
          split?: string;
        }>;
        expect((await readParquet(join(out, `${base}.${side}.parquet`))).rows).toEqual(rows);
        const sideIds = side === "train" ? train : test;
        for (const row of rows) {
          expect(sideIds).toContain(row.instance_id);
          if ("split" in row) expect(row.split).toBe(side);
        }
      }
    }
    const harborTrain = await listFiles(join(out, "harbor/train"));
    for (const id of train.filter((id) => id !== fixture.id(4)))
      expect(harborTrain).toContain(`${id}/task.toml`);
    expect(manifest.files.some((f) => f.startsWith("harbor/test/"))).toBe(true);
    // The same seed gives the same split; the card says so.
    const again = await run("split-again", { split: { ratio: 0.5, seed: 3 } });
    expect(again.manifest.counts).toEqual(manifest.counts);
    expect(
      (await readSuite(join(work.path, "split-again", "suite/train"))).map((s) => s.instance_id),
    ).toEqual(train);
    expect(await readFile(join(out, "README.md"), "utf8")).toMatch(/split 0.5 \/ 0.5 with seed 3/);
  });

  it("without runs: scenario formats are whole, rollout formats empty, and the card says why", async () => {
    const { manifest } = await exportCurriculum({
      suiteDir: join(work.path, "suite"),
      runDirs: [],
      outDir: join(work.path, "no-runs"),
      formats: [...FORMAT_NAMES],
      informative: false,
      force: false,
      toolVersion: "repogym test",
    });
    expect(manifest.counts).toEqual({ scenarios_in_suite: 6, scenarios: 6, rollouts: 0 });
    await checkExport(join(work.path, "no-runs"));
    expect(await readJsonl(join(work.path, "no-runs", "rl/rollouts.jsonl"))).toEqual([]);
    expect((await readParquet(join(work.path, "no-runs", "rl/rollouts.parquet"))).rows).toEqual([]);
    expect(manifest.notes.join("\n")).toMatch(/rl: no runs given/);
    expect(manifest.files.filter((f) => f.startsWith("swebench/predictions/"))).toEqual([]);
  });
});

describe("export refuses bad input with one clear error", () => {
  const fixture = curriculumFixture();
  const work = fixtureFolder(fixture, ["runs/a"]);
  const options = (overrides: Partial<Parameters<typeof exportCurriculum>[0]> = {}) => ({
    suiteDir: join(work.path, "suite"),
    runDirs: [join(work.path, "runs", "a")],
    outDir: join(work.path, "out"),
    formats: ["rl" as const],
    informative: false,
    force: false,
    toolVersion: "repogym test",
    ...overrides,
  });

  it("names a missing suite, an empty one, and a run folder without run.json", async () => {
    await expect(exportCurriculum(options({ suiteDir: join(work.path, "nope") }))).rejects.toThrow(
      `${join(work.path, "nope")}: no such suite folder`,
    );
    await expect(exportCurriculum(options({ suiteDir: join(work.path, "runs") }))).rejects.toThrow(
      /no scenarios in the suite/,
    );
    await expect(exportCurriculum(options({ runDirs: [join(work.path, "runs")] }))).rejects.toThrow(
      `${join(work.path, "runs")}: not a run folder: it has no run.json (it holds run folders: a; pass those, e.g. --runs ${join(work.path, "runs", "*")})`,
    );
    await expect(exportCurriculum(options({ runDirs: [join(work.path, "gone")] }))).rejects.toThrow(
      /no such run folder/,
    );
  });

  it("names the file and line of a malformed rollout record, and a run.json with a bad field", async () => {
    const bad = join(work.path, "bad-run");
    await writeRun(bad, fixture.runs[0]!);
    const file = join(bad, "rollouts.jsonl");
    const lines = (await readFile(file, "utf8")).split("\n");
    lines[1] = lines[1]!.replace('"reward":1', '"reward":7');
    await writeFile(file, lines.join("\n"));
    await expect(exportCurriculum(options({ runDirs: [bad] }))).rejects.toThrow(`${file}:2: field reward`);
    lines[1] = "{not json";
    await writeFile(file, lines.join("\n"));
    await expect(exportCurriculum(options({ runDirs: [bad] }))).rejects.toThrow(
      `${file}:2: not a JSON rollout record`,
    );
    await writeFile(join(bad, "run.json"), JSON.stringify({ ...fixture.runs[0]!.info, run_id: "../escape" }));
    await expect(exportCurriculum(options({ runDirs: [bad] }))).rejects.toThrow(
      /run.json: field run_id: expected letters/,
    );
    await writeFile(join(bad, "run.json"), JSON.stringify({ ...fixture.runs[0]!.info, attempts: 0 }));
    await expect(exportCurriculum(options({ runDirs: [bad] }))).rejects.toThrow(/run.json: field attempts/);
  });

  it("refuses --informative without runs, the same run twice, and a run without rollouts.jsonl", async () => {
    await expect(exportCurriculum(options({ runDirs: [], informative: true }))).rejects.toThrow(
      /--informative keeps scenarios by their solve rate, which comes from rollouts: pass the runs with --runs/,
    );
    await expect(
      exportCurriculum(
        options({ runDirs: [join(work.path, "runs", "a"), join(work.path, "runs", "a", ".")] }),
      ),
    ).rejects.toThrow(/run run-a is given twice/);
    const empty = join(work.path, "empty-run");
    await writeRun(empty, { info: fixture.runs[0]!.info, rollouts: [] });
    const { rm } = await import("node:fs/promises");
    await rm(join(empty, "rollouts.jsonl"));
    await expect(exportCurriculum(options({ runDirs: [empty] }))).rejects.toThrow(/the run recorded nothing/);
  });

  it("never writes into a folder that is not empty; --force replaces only a previous export", async () => {
    const out = join(work.path, "taken");
    await writeSuite(join(out, "mine"), [fixture.scenarios[0]!]);
    await expect(exportCurriculum(options({ outDir: out }))).rejects.toThrow(
      /not empty and is not a repogym export/,
    );
    await expect(exportCurriculum(options({ outDir: out, force: true }))).rejects.toThrow(
      /--force only replaces a previous export/,
    );
    expect(await listFiles(out)).toEqual([`mine/scenarios/${fixture.id(1)}.json`]);

    await writeFile(join(work.path, "a-file"), "x");
    await expect(
      exportCurriculum(options({ outDir: join(work.path, "a-file"), force: true })),
    ).rejects.toThrow(/the export folder is a file/);

    const previous = join(work.path, "previous");
    await exportCurriculum(options({ outDir: previous }));
    await expect(exportCurriculum(options({ outDir: previous }))).rejects.toThrow(
      /pass --force to replace it/,
    );
    const replaced = await exportCurriculum(
      options({ outDir: previous, force: true, formats: ["swebench"] }),
    );
    expect(await listFiles(previous)).toEqual(replaced.manifest.files);
    // No staging or old folders are left beside it.
    expect((await listFiles(work.path)).filter((f) => /\.(export|old)-/.test(f))).toEqual([]);
  });
});
