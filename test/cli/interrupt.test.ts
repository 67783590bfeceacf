import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI } from "../helpers/cli.js";
import { FixtureRepo, tempDir } from "../helpers/fixture-repo.js";

describe("interrupting repogym mine", () => {
  it("stops on SIGINT, kills the test runners it started, and records the run as interrupted", async () => {
    await using repo = await FixtureRepo.create();
    await using out = await tempDir();
    await using cache = await tempDir();
    const marker = `slow-${randomBytes(4).toString("hex")}`;
    await repo.commit("init", {
      "package.json": JSON.stringify({ type: "module", scripts: { test: "node --test" } }),
      "src/a.js": "export const a = 1;\n",
    });
    await repo.commit("Slow fix", {
      "src/a.js": "export const a = 2;\n",
      [`test/${marker}.test.js`]:
        'import { test } from "node:test";\ntest("waits", () => new Promise((r) => setTimeout(r, 60_000)));\n',
    });
    const child = spawn(process.execPath, [CLI, "mine", repo.path, "--out", out.path], {
      env: { ...process.env, REPOGYM_CACHE_DIR: cache.path },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    await new Promise<void>((resolve) => {
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes("candidates to validate")) resolve();
      });
    });
    // Wait until the test runner for the slow test is running, then interrupt.
    for (let i = 0; i < 300 && !running(marker); i++) await new Promise((r) => setTimeout(r, 100));
    expect(running(marker)).toBe(true);
    child.kill("SIGINT");
    const code = await exited;
    expect(code).toBe(130);
    expect(stderr).toContain("SIGINT received; stopping");
    expect(running(marker)).toBe(false);
    expect(stdout).toContain("interrupted");
    const report = JSON.parse(await readFile(join(out.path, "mine-report.json"), "utf8"));
    expect(report.interrupted).toBe(true);
    expect(report.scenarios).toEqual([]);
    // The interrupted candidate is not recorded as a skip: the next run tries it again.
    expect(report.skipped.map((s: { reason: string }) => s.reason)).toEqual(["root-commit"]);
  });
});

function running(marker: string): boolean {
  return (
    execFileSync("sh", ["-c", `pgrep -f '[${marker[0]}]${marker.slice(1)}' || true`], {
      encoding: "utf8",
    }).trim() !== ""
  );
}
