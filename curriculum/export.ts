/**
 * `repogym export`: a suite and its runs -> curriculum files. Three steps, the middle one pure:
 * load (suite, run folders, trajectories), plan (curriculum rules, then every format's files,
 * the card and the manifest as data), write (into a staging folder beside --out, swapped into
 * place at the end, so --out holds either the old export or the whole new one).
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { ConfigError, describeError } from "../core/errors.js";
import type { Scenario } from "../core/scenario.js";
import { type CardFormat, renderCard } from "./card.js";
import {
  type ExportContext,
  type ExportRollout,
  type ExportRun,
  type ExportScenario,
  plural,
  rolloutKey,
  scenarioRef,
} from "./context.js";
import { bySplit, type ExportFile, splitName } from "./files.js";
import { FORMATS, type FormatName } from "./formats.js";
import { type LoadedRun, loadRuns, loadSuite, readTrajectory, type TrajectoryRead } from "./load.js";
import { type Column, type Row, tableFiles } from "./parquet.js";
import { createdAfter, isInformative, type SplitOptions, solveRates, splitScenarios } from "./solve-rate.js";

export const EXPORT_SCHEMA = "repogym/export@1";
export const MANIFEST_FILE = "manifest.json";

export interface CurriculumOptions {
  /** Keep only scenarios with a solve rate strictly between 0 and 1 (needs runs). */
  informative: boolean;
  /** Keep only scenarios whose change was made after this time. */
  after?: Date;
  split?: SplitOptions;
}

export interface Curriculum {
  scenarios: ExportScenario[];
  rollouts: ExportRollout[];
  runs: ExportRun[];
  scenariosInSuite: number;
  notes: string[];
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The curriculum rules, in order: solve rates over every run's rollouts (before any filter, so
 * a rate never depends on which other scenarios were kept), `--after`, `--informative`, then
 * the split of what is left. Pure.
 */
export function buildCurriculum(
  suite: readonly Scenario[],
  runs: readonly LoadedRun[],
  options: CurriculumOptions,
): Curriculum {
  if (options.informative && runs.length === 0) {
    throw new ConfigError(
      "--informative keeps scenarios by their solve rate, which comes from rollouts: pass the runs with --runs",
    );
  }
  const notes: string[] = runs.flatMap((r) => r.notes);
  const known = new Set(suite.map((s) => s.instance_id));
  const all = runs.flatMap((run) => run.rollouts.map((rollout) => ({ run, rollout })));
  const strangers = all.filter(({ rollout }) => !known.has(rollout.instance_id));
  if (strangers.length > 0) {
    const ids = [...new Set(strangers.map((s) => s.rollout.instance_id))].sort();
    notes.push(
      `${plural(strangers.length, "rollout")} of scenarios not in the suite left out (${ids.slice(0, 5).join(", ")}${ids.length > 5 ? ", ..." : ""})`,
    );
  }
  const stats = solveRates(
    suite.map((s) => s.instance_id),
    all.map(({ rollout }) => rollout),
  );
  let kept = [...suite].sort((a, b) => byText(a.instance_id, b.instance_id));
  if (options.after) {
    const after = options.after;
    const before = kept.length;
    kept = kept.filter((s) => createdAfter(s, after));
    if (kept.length < before) {
      notes.push(
        `${plural(before - kept.length, "scenario")} made on or before ${after.toISOString()} left out (--after)`,
      );
    }
  }
  if (options.informative) {
    const before = kept.length;
    kept = kept.filter((s) => isInformative(stats.get(s.instance_id)!));
    if (kept.length < before) {
      notes.push(
        `${plural(before - kept.length, "scenario")} with a solve rate of 0, 1 or none left out (--informative)`,
      );
    }
  }
  const splits = options.split ? splitScenarios(kept, options.split) : undefined;
  const scenarios: ExportScenario[] = kept.map((scenario) => {
    const s = stats.get(scenario.instance_id)!;
    const withRate: Scenario =
      s.solve_rate === null
        ? scenario
        : { ...scenario, difficulty: { ...scenario.difficulty, solve_rate: s.solve_rate } };
    return { scenario: withRate, stats: s, split: splits?.get(scenario.instance_id) };
  });
  const splitOf = new Map(scenarios.map((s) => [s.scenario.instance_id, s.split]));
  const rollouts: ExportRollout[] = all
    .filter(({ rollout }) => splitOf.has(rollout.instance_id))
    .map(({ run, rollout }) => ({ rollout, runDir: run.dir, split: splitOf.get(rollout.instance_id) }))
    .sort(
      (a, b) =>
        byText(a.rollout.run_id, b.rollout.run_id) ||
        byText(a.rollout.instance_id, b.rollout.instance_id) ||
        a.rollout.attempt - b.rollout.attempt,
    );
  const exportRuns: ExportRun[] = runs.map((run) => ({
    run_id: run.info.run_id,
    dir: run.dir,
    agent: run.info.agent,
    attempts: run.info.attempts,
    rollouts: rollouts.filter((r) => r.rollout.run_id === run.info.run_id).length,
  }));
  return { scenarios, rollouts, runs: exportRuns, scenariosInSuite: suite.length, notes };
}

export const CURRICULUM_COLUMNS: Column[] = [
  { name: "instance_id", type: "string" },
  { name: "repo", type: "string" },
  { name: "scenario", type: "string" },
  { name: "source_kind", type: "string" },
  { name: "source_sha", type: "string" },
  { name: "base_commit", type: "string" },
  { name: "created_at", type: "string" },
  { name: "framework", type: "string" },
  { name: "fail_to_pass", type: "int" },
  { name: "pass_to_pass", type: "int" },
  { name: "lines", type: "int" },
  { name: "rollouts", type: "int" },
  { name: "resolved", type: "int" },
  { name: "solve_rate", type: "double", nullable: true },
  { name: "bucket", type: "string" },
  { name: "split", type: "string", nullable: true },
];

function curriculumRow(item: ExportScenario): Row {
  const s = item.scenario;
  return {
    instance_id: s.instance_id,
    repo: s.repo,
    scenario: scenarioRef(s.instance_id, item.split),
    source_kind: s.source.kind,
    source_sha: s.source.sha,
    base_commit: s.base_commit,
    created_at: s.created_at,
    framework: s.environment.framework,
    fail_to_pass: s.FAIL_TO_PASS.length,
    pass_to_pass: s.PASS_TO_PASS.length,
    lines: s.difficulty.lines,
    rollouts: item.stats.rollouts,
    resolved: item.stats.resolved,
    solve_rate: item.stats.solve_rate,
    bucket: item.stats.bucket,
    split: item.split ?? null,
  };
}

export interface Manifest {
  schema: typeof EXPORT_SCHEMA;
  tool_version: string;
  created_at: string;
  suite: string;
  runs: ExportRun[];
  formats: Record<string, { summary: string }>;
  filters: { informative: boolean; after: string | null; split: SplitOptions | null };
  counts: { scenarios_in_suite: number; scenarios: number; rollouts: number; train?: number; test?: number };
  notes: string[];
  files: string[];
}

export interface PlanOptions extends CurriculumOptions {
  formats: readonly FormatName[];
  suiteDir: string;
  toolVersion: string;
  createdAt: string;
  trajectories?: ReadonlyMap<string, TrajectoryRead>;
}

export interface ExportPlan {
  files: ExportFile[];
  manifest: Manifest;
}

/** Every file of the export, as data. Pure. */
export function planExport(curriculum: Curriculum, options: PlanOptions): ExportPlan {
  const split = options.split !== undefined;
  const ctx: ExportContext = {
    scenarios: curriculum.scenarios,
    rollouts: curriculum.rollouts,
    runs: curriculum.runs,
    split,
    trajectories: options.trajectories ?? new Map(),
    toolVersion: options.toolVersion,
  };
  const files: ExportFile[] = [];
  const notes = [...curriculum.notes];
  for (const item of curriculum.scenarios) {
    files.push({
      path: scenarioRef(item.scenario.instance_id, item.split),
      content: `${JSON.stringify(item.scenario, null, 2)}\n`,
    });
  }
  for (const { split: side, items } of bySplit(curriculum.scenarios, (s) => s.split, split)) {
    files.push(
      ...tableFiles(
        splitName("curriculum", side),
        items.map(curriculumRow),
        CURRICULUM_COLUMNS,
        options.toolVersion,
      ),
    );
  }
  const cardFormats: CardFormat[] = [];
  const formats: Manifest["formats"] = {};
  for (const name of options.formats) {
    const format = FORMATS[name];
    const output = format.build(ctx);
    if (format.fromRollouts && curriculum.runs.length === 0) {
      output.notes.push(`${name}: no runs given (--runs), so it holds no rows`);
    }
    files.push(...output.files);
    notes.push(...output.notes);
    formats[name] = { summary: output.summary };
    cardFormats.push({ name, description: format.description, summary: output.summary });
  }
  // Tables with rows, for the card's dataset configs (a config of empty files loads nothing useful).
  const filled = new Set(
    files.filter((f) => f.path.endsWith(".jsonl") && f.content.length > 0).map((f) => tableName(f.path)),
  );
  const tables = [...new Set(files.filter((f) => f.path.endsWith(".parquet")).map((f) => tableName(f.path)))]
    .filter((table) => filled.has(table))
    .sort()
    .map((config) => ({
      config: config.replaceAll("/", "-"),
      files: files
        .filter((f) => f.path.endsWith(".parquet") && tableName(f.path) === config)
        .map((f) => ({ split: /\.(train|test)\.parquet$/.exec(f.path)?.[1] ?? "train", path: f.path })),
    }));
  const manifest: Manifest = {
    schema: EXPORT_SCHEMA,
    tool_version: options.toolVersion,
    created_at: options.createdAt,
    suite: options.suiteDir,
    runs: curriculum.runs,
    formats,
    filters: {
      informative: options.informative,
      after: options.after?.toISOString() ?? null,
      split: options.split ?? null,
    },
    counts: {
      scenarios_in_suite: curriculum.scenariosInSuite,
      scenarios: curriculum.scenarios.length,
      rollouts: curriculum.rollouts.length,
      ...(split
        ? {
            train: curriculum.scenarios.filter((s) => s.split === "train").length,
            test: curriculum.scenarios.filter((s) => s.split === "test").length,
          }
        : {}),
    },
    notes,
    files: [],
  };
  files.push({
    path: "README.md",
    content: renderCard({
      toolVersion: options.toolVersion,
      createdAt: options.createdAt,
      suiteDir: options.suiteDir,
      scenariosInSuite: curriculum.scenariosInSuite,
      scenarios: curriculum.scenarios,
      rollouts: curriculum.rollouts,
      runs: curriculum.runs,
      formats: cardFormats,
      filters: {
        informative: options.informative,
        ...(options.after ? { after: options.after.toISOString() } : {}),
        ...(options.split ? { split: options.split } : {}),
      },
      tables,
      notes,
    }),
  });
  manifest.files = [...files.map((f) => f.path), MANIFEST_FILE].sort(byText);
  files.push({ path: MANIFEST_FILE, content: `${JSON.stringify(manifest, null, 2)}\n` });
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.path)) throw new Error(`two export files at ${file.path}`);
    seen.add(file.path);
  }
  return { files, manifest };
}

/** A Parquet file's table: its path without the split and extension (`rl/rollouts`). */
function tableName(path: string): string {
  return path.replace(/(\.(train|test))?\.(parquet|jsonl)$/, "");
}

type OutState = "missing" | "empty" | "export" | "file" | "other";

async function outState(outDir: string): Promise<OutState> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(outDir);
  } catch {
    return "missing";
  }
  if (!info.isDirectory()) return "file";
  const entries = await readdir(outDir);
  if (entries.length === 0) return "empty";
  try {
    const manifest = JSON.parse(await readFile(join(outDir, MANIFEST_FILE), "utf8")) as { schema?: unknown };
    return manifest.schema === EXPORT_SCHEMA ? "export" : "other";
  } catch {
    return "other";
  }
}

/**
 * Refuses an --out that has something in it, unless --force and it is a previous export
 * (it has repogym's manifest.json): --force never deletes a folder repogym did not write.
 */
export async function checkOutDir(outDir: string, force: boolean): Promise<void> {
  const state = await outState(outDir);
  if (state === "missing" || state === "empty") return;
  if (state === "export" && force) return;
  if (state === "file") throw new ConfigError("the export folder is a file; choose another --out", outDir);
  if (state === "export") {
    throw new ConfigError(
      "the export folder is not empty (a previous export): pass --force to replace it",
      outDir,
    );
  }
  throw new ConfigError(
    "the export folder is not empty and is not a repogym export; choose another --out (--force only replaces a previous export)",
    outDir,
  );
}

/** Writes the files into a staging folder beside outDir, then swaps it into place. */
export async function writeExport(
  files: readonly ExportFile[],
  outDir: string,
  force: boolean,
): Promise<void> {
  const out = resolve(outDir);
  await checkOutDir(out, force);
  const parent = dirname(out);
  const stage = join(parent, `.${basename(out)}.export-${randomBytes(4).toString("hex")}`);
  try {
    await mkdir(stage, { recursive: true });
  } catch (error) {
    throw new ConfigError(`cannot write the export here: ${describeError(error)}`, parent);
  }
  try {
    for (const file of files) {
      if (file.path.startsWith("/") || file.path.split("/").includes("..")) {
        throw new Error(`export file outside the export folder: ${file.path}`);
      }
      const target = join(stage, file.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.content, { mode: file.executable ? 0o755 : 0o644 });
    }
    const state = await outState(out);
    if (state === "empty") await rmdir(out);
    if (state === "export") {
      const old = join(parent, `.${basename(out)}.old-${randomBytes(4).toString("hex")}`);
      await rename(out, old);
      await rename(stage, out);
      await rm(old, { recursive: true, force: true });
    } else {
      await checkOutDir(out, force);
      await rename(stage, out);
    }
  } catch (error) {
    await rm(stage, { recursive: true, force: true });
    throw error;
  }
}

export interface ExportOptions extends CurriculumOptions {
  suiteDir: string;
  runDirs: readonly string[];
  outDir: string;
  formats: readonly FormatName[];
  force: boolean;
  toolVersion: string;
  now?: Date;
}

export interface ExportResult {
  outDir: string;
  manifest: Manifest;
}

/** Trajectories of the resolved rollouts (what SFT exports), read from their run folders. */
async function loadTrajectories(rollouts: readonly ExportRollout[]): Promise<Map<string, TrajectoryRead>> {
  const reads = new Map<string, TrajectoryRead>();
  for (const { rollout, runDir } of rollouts) {
    if (!rollout.resolved) continue;
    reads.set(rolloutKey(rollout), await readTrajectory(runDir, rollout.instance_id, rollout.attempt));
  }
  return reads;
}

/** Load, plan, write. */
export async function exportCurriculum(options: ExportOptions): Promise<ExportResult> {
  const outDir = resolve(options.outDir);
  const suiteDir = resolve(options.suiteDir);
  if (options.formats.length === 0) throw new ConfigError("no format to export");
  const suite = await loadSuite(suiteDir);
  const runs = await loadRuns(options.runDirs);
  await checkOutDir(outDir, options.force);
  const curriculum = buildCurriculum(suite, runs, options);
  const trajectories = options.formats.includes("sft")
    ? await loadTrajectories(curriculum.rollouts)
    : undefined;
  const plan = planExport(curriculum, {
    ...options,
    suiteDir,
    createdAt: (options.now ?? new Date()).toISOString(),
    ...(trajectories ? { trajectories } : {}),
  });
  await writeExport(plan.files, outDir, options.force);
  return { outDir, manifest: plan.manifest };
}
