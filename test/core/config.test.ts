import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultConfig, loadConfig, parseConfig } from "../../core/config.js";
import { ConfigError } from "../../core/errors.js";
import { tempDir } from "../helpers/fixture-repo.js";

describe("config", () => {
  it("has sensible defaults when there is no file", async () => {
    await using dir = await tempDir();
    const config = await loadConfig(dir.path);
    expect(config).toEqual(defaultConfig());
    expect(config.validation.runs).toBe(3);
    expect(config.timeouts.test_ms).toBeGreaterThan(0);
  });

  it("reads overrides from .repogym/config.yml", async () => {
    await using dir = await tempDir();
    await mkdir(join(dir.path, ".repogym"));
    await writeFile(
      join(dir.path, ".repogym/config.yml"),
      "paths:\n  tests: ['checks/**']\nenvironment:\n  framework: mocha\n  setup: ['npm run build']\nvalidation:\n  runs: 5\n",
    );
    const config = await loadConfig(dir.path);
    expect(config.paths.tests).toEqual(["checks/**"]);
    expect(config.environment.framework).toBe("mocha");
    expect(config.environment.setup).toEqual(["npm run build"]);
    expect(config.validation.runs).toBe(5);
    expect(config.limits.max_source_files).toBe(20);
  });

  it("names the file, the field and what was expected", () => {
    const error = catchError(() => parseConfig("timeouts:\n  test_ms: soon\n", "/r/.repogym/config.yml"));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain("/r/.repogym/config.yml");
    expect(error.message).toContain("timeouts.test_ms");
    expect(error.message).toMatch(/expected number/i);
  });

  it("rejects unknown keys so typos surface", () => {
    const error = catchError(() => parseConfig("environment:\n  framwork: jest\n", "c.yml"));
    expect(error.message).toContain("environment");
    expect(error.message).toContain("framwork");
  });

  it("rejects an unknown framework with the known ones", () => {
    const error = catchError(() => parseConfig("environment:\n  framework: jasmine\n", "c.yml"));
    expect(error.message).toContain("environment.framework");
    expect(error.message).toContain("vitest");
  });

  it("reports YAML syntax errors with a line", () => {
    const error = catchError(() => parseConfig("paths:\n  tests: [unclosed\n", "c.yml"));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/c\.yml: invalid YAML at line \d+/);
  });

  it("rejects a top level that is not a mapping", () => {
    expect(() => parseConfig("- a\n- b\n", "c.yml")).toThrow(/expected a mapping/);
  });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}
