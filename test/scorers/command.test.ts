import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import { createCommandScorer, lastNumber, MAX_COMMAND_OUTPUT_BYTES } from "../../scorers/command.js";
import { ScoringInfraError } from "../../scorers/errors.js";
import { tempDir } from "../helpers/fixture-repo.js";
import { scoreContext } from "./context.js";

async function run(options: Record<string, unknown>, context: { workspace: string; timeoutMs?: number }) {
  return createCommandScorer(options).score(scoreContext(context));
}

describe("command scorer, exit-code mode", () => {
  it("scores exit 0 as 1, in the workspace and with the given environment", async () => {
    await using dir = await tempDir();
    await writeFile(join(dir.path, "marker"), "");
    const command = 'test -f marker && test "$CHECK" = yes && echo ok';
    const result = await createCommandScorer({ command }).score(
      scoreContext({ workspace: dir.path, env: { PATH: process.env.PATH, CHECK: "yes" } }),
    );
    expect(result.score).toBe(1);
    expect(result.details).toMatchObject({
      command,
      mode: "exit-code",
      exitCode: 0,
      timedOut: false,
      output: "ok\n",
      outputTruncated: false,
    });
  });

  it("scores a non-zero exit as 0 and keeps the output", async () => {
    await using dir = await tempDir();
    const result = await run({ command: "echo broken >&2; exit 3" }, { workspace: dir.path });
    expect(result.score).toBe(0);
    expect(result.details).toMatchObject({ exitCode: 3, output: "broken\n", timedOut: false });
  });

  it("scores a command that outlives the timeout 0, with details.timedOut", async () => {
    await using dir = await tempDir();
    const result = await run({ command: "sleep 30" }, { workspace: dir.path, timeoutMs: 200 });
    expect(result.score).toBe(0);
    expect(result.details).toMatchObject({ timedOut: true, error: "timed out after 200 ms" });
  });

  it("caps the output it keeps in details", async () => {
    await using dir = await tempDir();
    const result = await run(
      { command: "echo FIRST; head -c 200000 /dev/zero | tr '\\0' x; echo; echo LAST" },
      { workspace: dir.path },
    );
    expect(result.score).toBe(1);
    const output = result.details.output as string;
    expect(result.details.outputTruncated).toBe(true);
    expect(output.length).toBeLessThan(MAX_COMMAND_OUTPUT_BYTES + 200);
    expect(output.startsWith("FIRST\n")).toBe(true);
    expect(output.endsWith("LAST\n")).toBe(true);
  });

  it("throws ScoringInfraError when the command cannot start", async () => {
    await using dir = await tempDir();
    const missing = join(dir.path, "no-such-workspace");
    await expect(run({ command: "true" }, { workspace: missing })).rejects.toThrow(ScoringInfraError);
  });
});

describe("command scorer, number mode", () => {
  it("scores the last number printed on stdout", async () => {
    await using dir = await tempDir();
    const result = await run(
      { command: "echo 'checked 4 files'; echo 'score: 0.75'; echo 0.9 >&2", mode: "number" },
      { workspace: dir.path },
    );
    expect(result.score).toBe(0.75);
    expect(result.details).toMatchObject({ mode: "number", value: 0.75 });
  });

  it.each([
    ["1.5", "got 1.5"],
    ["-0.25", "got -0.25"],
    ["'3 of 4 passed'", "got 4"],
  ])("scores an out-of-range number (%s) 0 with a clear error", async (printed, message) => {
    await using dir = await tempDir();
    const result = await run({ command: `echo ${printed}`, mode: "number" }, { workspace: dir.path });
    expect(result.score).toBe(0);
    expect(result.details.error).toBe(
      `expected the last number printed on stdout to lie in [0, 1], ${message}`,
    );
  });

  it("scores 0 with a clear error when nothing numeric is printed", async () => {
    await using dir = await tempDir();
    const result = await run({ command: "echo done; echo 0.5 >&2", mode: "number" }, { workspace: dir.path });
    expect(result.score).toBe(0);
    expect(result.details.error).toBe(
      "expected the command to print a number in [0, 1] on stdout; it printed none",
    );
  });

  it("scores 0 when the command fails, whatever it printed", async () => {
    await using dir = await tempDir();
    const result = await run({ command: "echo 0.9; exit 2", mode: "number" }, { workspace: dir.path });
    expect(result.score).toBe(0);
    expect(result.details).toMatchObject({ exitCode: 2, error: "the command exited with code 2" });
  });

  it("scores a timeout 0 even after printing a number", async () => {
    await using dir = await tempDir();
    const result = await run(
      { command: "echo 1; sleep 30", mode: "number" },
      { workspace: dir.path, timeoutMs: 200 },
    );
    expect(result).toMatchObject({ score: 0, details: { timedOut: true } });
  });
});

describe("command scorer options", () => {
  it("requires a command", () => {
    expect(() => createCommandScorer({})).toThrow(ConfigError);
    expect(() => createCommandScorer({})).toThrow('scorer "command": option "command" is required');
    expect(() => createCommandScorer({ command: "  " })).toThrow(
      /option "command": expected a non-empty shell command/,
    );
  });

  it("rejects an unknown mode or option", () => {
    expect(() => createCommandScorer({ command: "true", mode: "percent" })).toThrow(
      /scorer "command": option "mode"/,
    );
    expect(() => createCommandScorer({ command: "true", timeout: 5 })).toThrow(
      'scorer "command": unknown option "timeout" (known options: command, mode)',
    );
  });
});

describe("lastNumber", () => {
  it.each([
    ["0.5", 0.5],
    ["a 1 b 2.50\n", 2.5],
    ["ratio .25.", 0.25],
    ["1e-1", 0.1],
    ["", undefined],
    ["no digits", undefined],
  ])("%j -> %s", (text, expected) => {
    expect(lastNumber(text)).toBe(expected);
  });
});
