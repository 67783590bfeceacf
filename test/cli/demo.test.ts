import { execFile } from "node:child_process";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { CLI } from "../helpers/cli.js";
import { tempDir } from "../helpers/fixture-repo.js";

const run = promisify(execFile);

describe("repogym demo", () => {
  it("mines the bundled sample repository into proven scenarios", async () => {
    await using dir = await tempDir();
    await using cache = await tempDir();
    const out = join(dir.path, "demo");
    const env = { ...process.env, REPOGYM_CACHE_DIR: cache.path };
    const { stdout } = await run(process.execPath, [CLI, "demo", "--out", out], { cwd: dir.path, env });
    const written = Number(/scenarios written\s+(\d+)/.exec(stdout)?.[1]);
    expect(written).toBeGreaterThanOrEqual(8);
    expect((await readdir(join(out, "scenarios"))).length).toBe(written);
    // The gold patches score 1, doing nothing scores 0, on the same sampled scenarios.
    expect(stdout).toMatch(/oracle\s+reward 1\.00\s+resolved 100%/);
    expect(stdout).toMatch(/noop\s+reward 0\.00\s+resolved 0%/);
    // Every scenario the demo wrote is re-proven from its own patches.
    const validate = await run(
      process.execPath,
      [CLI, "validate", out, "--repo", join(out, "sample-lib"), "--runs", "1", "--jobs", "2"],
      {
        cwd: dir.path,
        env,
      },
    );
    expect(validate.stdout).toContain(`${written}/${written} scenarios proven`);
  });

  it("refuses to wipe a folder that is not a demo folder", async () => {
    await using dir = await tempDir();
    const out = join(dir.path, "precious");
    await mkdir(out);
    await writeFile(join(out, "notes.txt"), "keep me");
    const error = await run(process.execPath, [CLI, "demo", "--out", out], { cwd: dir.path }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(error).toMatchObject({ code: 2 });
    expect((error as { stderr: string }).stderr).toContain("is not a repogym demo folder");
    expect(await readdir(out)).toEqual(["notes.txt"]);
  });
});
