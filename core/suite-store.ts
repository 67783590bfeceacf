import { constants } from "node:fs";
import { access, mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic-write.js";
import { ConfigError } from "./errors.js";
import { type Scenario, ScenarioSchema } from "./scenario.js";
import { parseWithSchema } from "./schema-error.js";

/** Where a suite keeps its scenarios: `<dir>/scenarios/<instance_id>.json`. */
export function scenariosDir(suiteDir: string): string {
  return join(suiteDir, "scenarios");
}

export function scenarioPath(suiteDir: string, instanceId: string): string {
  return join(scenariosDir(suiteDir), `${instanceId}.json`);
}

/** Parses and validates one scenario file's text; errors name the file and field. */
export function parseScenario(text: string, file: string): Scenario {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`not valid JSON: ${(error as Error).message}`, file);
  }
  return parseWithSchema(ScenarioSchema, data, file);
}

export async function readScenario(file: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read scenario: ${(error as Error).message}`, file);
  }
  return parseScenario(text, file);
}

/** Writes one scenario atomically, after validating it against the schema. */
export async function writeScenario(suiteDir: string, scenario: Scenario): Promise<string> {
  const file = scenarioPath(suiteDir, scenario.instance_id);
  const valid = parseWithSchema(ScenarioSchema, scenario, file);
  await writeFileAtomic(file, `${JSON.stringify(valid, null, 2)}\n`);
  return file;
}

/** Instance ids already in the suite (from file names; cheap, for skipping known commits). */
export async function listScenarioIds(suiteDir: string): Promise<string[]> {
  try {
    const names = await readdir(scenariosDir(suiteDir));
    return names
      .filter((n) => n.endsWith(".json") && !n.startsWith("."))
      .map((n) => n.slice(0, -5))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new ConfigError(`cannot read the suite: ${(error as Error).message}`, suiteDir);
  }
}

/** Creates the suite's scenarios folder up front, so a bad --out fails before any work is done. */
export async function ensureSuiteDir(suiteDir: string): Promise<void> {
  try {
    await mkdir(scenariosDir(suiteDir), { recursive: true });
    await access(scenariosDir(suiteDir), constants.W_OK);
  } catch (error) {
    throw new ConfigError(`cannot write scenarios here: ${(error as Error).message}`, suiteDir);
  }
}

/** Reads every scenario of a suite; the first malformed file stops with an error naming it. */
export async function readSuite(suiteDir: string): Promise<Scenario[]> {
  const ids = await listScenarioIds(suiteDir);
  const scenarios: Scenario[] = [];
  for (const id of ids) scenarios.push(await readScenario(scenarioPath(suiteDir, id)));
  return scenarios;
}
