import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { outsideProcessScope, runProcess, withProcessScope } from "../../runner/process.js";
import { tempDir } from "../helpers/fixture-repo.js";
import { alive } from "../helpers/processes.js";

describe("runProcess", () => {
  it("returns exit code and output as values", async () => {
    await using dir = await tempDir();
    const result = await runProcess("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"], { cwd: dir.path });
    expect(result).toMatchObject({ exitCode: 3, timedOut: false, truncated: false });
    expect(result.stdout).toBe("out\n");
    expect(result.stderr).toBe("err\n");
    expect(result.output).toContain("out");
  });

  it("kills the whole process group on timeout, grandchildren included", async () => {
    await using dir = await tempDir();
    const result = await runProcess("/bin/sh", ["-c", "sleep 30 & echo $!; wait"], {
      cwd: dir.path,
      timeoutMs: 300,
    });
    expect(result.timedOut).toBe(true);
    const grandchild = Number(result.stdout.trim());
    expect(grandchild).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(grandchild)).toBe(false);
  });

  it("leaves no background process behind after a normal exit", async () => {
    await using dir = await tempDir();
    const result = await runProcess("/bin/sh", ["-c", "(sleep 31 >/dev/null 2>&1 &) ; echo started"], {
      cwd: dir.path,
    });
    expect(result.exitCode).toBe(0);
    const lingering = execFileSync("sh", ["-c", "pgrep -f '[s]leep 31' || true"], {
      encoding: "utf8",
    }).trim();
    expect(lingering).toBe("");
  });

  it("caps huge output, keeping head and tail", async () => {
    await using dir = await tempDir();
    const result = await runProcess(
      process.execPath,
      [
        "-e",
        "process.stdout.write('HEAD'); for (let i=0;i<2000;i++) process.stdout.write('x'.repeat(1000)); process.stdout.write('TAIL')",
      ],
      { cwd: dir.path, maxOutputBytes: 10_000 },
    );
    expect(result.truncated).toBe(true);
    expect(result.output.length).toBeLessThan(12_000);
    expect(result.output.startsWith("HEAD")).toBe(true);
    expect(result.output.endsWith("TAIL")).toBe(true);
  });
});

describe("withProcessScope", () => {
  it("kills the scope's process groups on abort and starts nothing more in it; other work is untouched", async () => {
    await using dir = await tempDir();
    const controller = new AbortController();
    const run = (script: string) => runProcess("/bin/sh", ["-c", script], { cwd: dir.path });
    const outside = run("sleep 0.5; echo outside");
    const scoped = withProcessScope(controller.signal, async () => {
      await new Promise((r) => setTimeout(r, 10));
      // Across an await, with a grandchild: still the scope's.
      const inner = run("sleep 37 & echo $!; wait");
      const shared = outsideProcessScope(() => run("sleep 0.5; echo shared"));
      const results = await Promise.all([inner, shared]);
      return [...results, await run("echo never")];
    });
    await new Promise((r) => setTimeout(r, 200));
    controller.abort();
    const [inner, shared, after] = await scoped;
    expect(inner!.signal).toBe("SIGKILL");
    expect(shared!.stdout).toBe("shared\n");
    expect(after!.stdout).toBe("");
    expect(after!.output).toMatch(/not started/);
    expect((await outside).stdout).toBe("outside\n");
    const grandchild = Number(inner!.stdout.trim());
    expect(grandchild).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(grandchild)).toBe(false);
  });
});
