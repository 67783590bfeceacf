import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import {
  listScenarioIds,
  readScenario,
  readSuite,
  scenarioPath,
  writeScenario,
} from "../../core/suite-store.js";
import { tempDir } from "../helpers/fixture-repo.js";
import { sampleScenario } from "../helpers/sample-scenario.js";

describe("suite store", () => {
  it("writes one JSON file per scenario and reads it back", async () => {
    await using dir = await tempDir();
    const scenario = sampleScenario();
    const file = await writeScenario(dir.path, scenario);
    expect(file).toBe(scenarioPath(dir.path, scenario.instance_id));
    expect(await readScenario(file)).toEqual(scenario);
    expect(await listScenarioIds(dir.path)).toEqual([scenario.instance_id]);
    // No temp files are left beside it.
    expect(await readdir(join(dir.path, "scenarios"))).toEqual([`${scenario.instance_id}.json`]);
  });

  it("refuses to write an invalid scenario and leaves nothing behind", async () => {
    await using dir = await tempDir();
    await expect(writeScenario(dir.path, sampleScenario({ FAIL_TO_PASS: [] }))).rejects.toThrow(
      /FAIL_TO_PASS/,
    );
    expect(await listScenarioIds(dir.path)).toEqual([]);
  });

  it("names the file and field of a malformed scenario", async () => {
    await using dir = await tempDir();
    await mkdir(join(dir.path, "scenarios"), { recursive: true });
    const bad = { ...sampleScenario(), base_commit: "nope" };
    const file = join(dir.path, "scenarios", "acme__lib-0123456789.json");
    await writeFile(file, JSON.stringify(bad));
    const error = await readSuite(dir.path).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain("base_commit");
    expect((error as Error).message).toContain("40-character commit sha");
  });

  it("says when a scenario file is not JSON", async () => {
    await using dir = await tempDir();
    await mkdir(join(dir.path, "scenarios"), { recursive: true });
    await writeFile(join(dir.path, "scenarios", "x__y-1.json"), "{ not json");
    await expect(readSuite(dir.path)).rejects.toThrow(/x__y-1\.json: not valid JSON/);
  });

  it("rejects the wrong schema version", async () => {
    await using dir = await tempDir();
    await mkdir(join(dir.path, "scenarios"), { recursive: true });
    const file = join(dir.path, "scenarios", "x__y-1.json");
    await writeFile(file, JSON.stringify({ ...sampleScenario(), schema: "repogym/scenario@9" }));
    await expect(readScenario(file)).rejects.toThrow(/field schema/);
  });

  it("overwrites atomically", async () => {
    await using dir = await tempDir();
    const file = await writeScenario(dir.path, sampleScenario());
    await writeScenario(dir.path, sampleScenario({ problem_statement: "Second\n" }));
    expect(JSON.parse(await readFile(file, "utf8")).problem_statement).toBe("Second\n");
  });

  it("rejects test files that point outside the repository or look like options", async () => {
    await using dir = await tempDir();
    for (const bad of ["../etc/passwd", "/abs/a.test.js", "--config=evil.js", "test/../../x.js"]) {
      const scenario = sampleScenario();
      scenario.environment.test_files = [bad];
      await expect(writeScenario(dir.path, scenario)).rejects.toThrow(
        /environment\.test_files\[0\]: expected a relative path/,
      );
    }
  });
});
