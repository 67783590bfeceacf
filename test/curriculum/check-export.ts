/**
 * Reads a whole export folder back and checks every file against its format's schema: no file
 * is left unchecked. Used on the exports the tests make and, with REPOGYM_REAL_EXPORTS, on
 * exports of suites mined from real repositories (real-exports.test.ts).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { expect } from "vitest";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ScenarioSchema } from "../../core/scenario.js";
import { EXPORT_SCHEMA } from "../../curriculum/export.js";
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

const split = "(?:\\.(?:train|test))?";

/** Tables: JSONL rows checked against the schema, the Parquet twin read back to the same rows. */
const TABLES: Array<[RegExp, z.ZodType]> = [
  [new RegExp(`^curriculum${split}$`), CurriculumRowSchema],
  [new RegExp(`^swebench/instances${split}$`), SwebenchInstanceSchema],
  [new RegExp(`^rl/rollouts${split}$`), RlRolloutSchema],
  [new RegExp(`^rl/groups${split}$`), RlGroupSchema],
  [new RegExp(`^sft/messages${split}$`), SftRowSchema],
  [new RegExp(`^preference/pairs${split}$`), PreferenceRowSchema],
];

const HARBOR_FILES = [
  "task.toml",
  "instruction.md",
  "environment/Dockerfile",
  "environment/prepare.sh",
  "tests/test.sh",
  "tests/grade.mjs",
  "tests/config.json",
  "tests/test.patch",
  "solution/solve.sh",
  "solution/gold.patch",
];

function parsed<T extends z.ZodType>(schema: T, data: unknown, where: string): z.output<T> {
  const result = schema.safeParse(data);
  if (!result.success) throw new Error(`${where}: ${z.prettifyError(result.error)}`);
  return result.data;
}

/**
 * Every row of a JSONL table checked against its schema, and its Parquet twin read back to the
 * same rows and columns.
 */
export async function readTable<T extends z.ZodType>(
  out: string,
  base: string,
  schema: T,
): Promise<z.output<T>[]> {
  const rows = await readJsonl(join(out, `${base}.jsonl`));
  const parquet = await readParquet(join(out, `${base}.parquet`));
  expect(parquet.rows, `${base}.parquet against ${base}.jsonl`).toEqual(rows);
  if (rows.length > 0) {
    expect(parquet.columns, `${base}.parquet columns`).toEqual(Object.keys(rows[0] as object));
  }
  return rows.map((row, index) => parsed(schema, row, `${base}.jsonl row ${index + 1}`));
}

export interface CheckedExport {
  files: number;
  rows: Record<string, number>;
  harborTasks: string[];
  runloopScenarios: number;
}

/** Checks every file of the export folder; throws (through expect) on the first problem. */
export async function checkExport(out: string): Promise<CheckedExport> {
  const files = await listFiles(out);
  const manifest = (await readJson(join(out, "manifest.json"))) as { schema: string; files: string[] };
  expect(manifest.schema).toBe(EXPORT_SCHEMA);
  expect(files).toEqual(manifest.files);
  const checked = new Set<string>(["manifest.json"]);
  const result: CheckedExport = { files: files.length, rows: {}, harborTasks: [], runloopScenarios: 0 };

  for (const file of files.filter((f) => f.endsWith(".jsonl") || f.endsWith(".parquet"))) {
    const base = file.replace(/\.(jsonl|parquet)$/, "");
    const table = TABLES.find(([pattern]) => pattern.test(base));
    if (!table || checked.has(file)) continue;
    result.rows[base] = (await readTable(out, base, table[1])).length;
    checked.add(`${base}.jsonl`).add(`${base}.parquet`);
  }

  for (const file of files) {
    if (checked.has(file)) continue;
    const full = join(out, file);
    if (/^suite\/(?:(?:train|test)\/)?scenarios\/[^/]+\.json$/.test(file)) {
      parsed(ScenarioSchema, await readJson(full), file);
    } else if (new RegExp(`^swebench/instances${split}\\.json$`).test(file)) {
      const instances = await readJson(full);
      expect(instances).toEqual(await readJsonl(full.replace(/\.json$/, ".jsonl")));
    } else if (/^swebench\/predictions\/[^/]+\.jsonl$/.test(file)) {
      for (const [i, row] of (await readJsonl(full)).entries()) {
        parsed(SwebenchPredictionSchema, row, `${file} row ${i + 1}`);
      }
    } else if (/^swebench\/logs\/run_evaluation\/[^/]+\/[^/]+\/[^/]+\/report\.json$/.test(file)) {
      const report = parsed(SwebenchInstanceReportSchema, await readJson(full), file);
      expect(Object.keys(report)).toEqual([file.split("/")[5]]);
    } else if (/^swebench\/[^/]+\.json$/.test(file)) {
      parsed(SwebenchRunReportSchema, await readJson(full), file);
    } else if (/^runloop\/scenarios\/[^/]+\.json$/.test(file)) {
      parsed(RunloopScenarioCreateSchema, await readJson(full), file);
      result.runloopScenarios++;
    } else if (new RegExp(`^runloop/scenarios${split}\\.jsonl$`).test(file)) {
      for (const [i, row] of (await readJsonl(full)).entries()) {
        const body = parsed(RunloopScenarioCreateSchema, row, `${file} row ${i + 1}`);
        expect(await readJson(join(out, "runloop/scenarios", `${body.name}.json`))).toEqual(row);
      }
    } else if (/^harbor\/(?:(?:train|test)\/)?[^/]+\/task\.toml$/.test(file)) {
      const dir = file.slice(0, -"/task.toml".length);
      const config = parsed(HarborTaskConfigSchema, parseToml(await readFile(full, "utf8")), file);
      for (const required of HARBOR_FILES)
        expect(files, `${dir}/${required}`).toContain(`${dir}/${required}`);
      for (const script of ["tests/test.sh", "solution/solve.sh", "environment/prepare.sh"]) {
        expect(await isExecutable(join(out, dir, script)), `${dir}/${script} is executable`).toBe(true);
      }
      const tests = JSON.parse(await readFile(join(out, dir, "tests/config.json"), "utf8")) as {
        instance_id: string;
      };
      expect(tests.instance_id).toBe(config.metadata.instance_id);
      result.harborTasks.push(dir);
      for (const f of files.filter((f) => f.startsWith(`${dir}/`))) checked.add(f);
    } else if (file.startsWith("harbor/")) {
      continue; // checked with its task.toml (a file of a folder without one is caught below)
    } else if (file === "README.md") {
      const card = await readFile(full, "utf8");
      const front = parseYaml(card.split(/^---$/m)[1]!) as {
        license: string;
        configs?: Array<{ data_files: Array<{ path: string }> }>;
      };
      expect(front.license).toBe("other");
      for (const config of front.configs ?? []) {
        for (const data of config.data_files) expect(files).toContain(data.path);
      }
      for (const heading of ["## Contents", "## Difficulty", "## Sources", "## Time range", "## Licence"]) {
        expect(card).toContain(heading);
      }
    } else {
      throw new Error(`${file}: no check for this file`);
    }
    checked.add(file);
  }
  expect(files.filter((f) => !checked.has(f))).toEqual([]);
  return result;
}
