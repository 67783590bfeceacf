import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../core/errors.js";
import { createCommandAgent, renderCommand } from "../../../runner/agents/command.js";
import { agentHome } from "../../../runner/agents/environment.js";
import { tempDir } from "../../helpers/fixture-repo.js";
import { alive } from "../../helpers/processes.js";
import { makeContext, readLog } from "./context.js";

async function eventuallyDead(pid: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe("renderCommand", () => {
  it("replaces every placeholder with one shell-quoted word", () => {
    const line = renderCommand("run {problem_file} {workspace} {instance_id} {output_dir} {attempt}", {
      problem_file: `/tmp/a b/it's "here".md`,
      workspace: "/tmp/ws",
      instance_id: "acme__lib-123",
      output_dir: "/tmp/out dir",
      attempt: "0",
    });
    expect(line).toBe(`run '/tmp/a b/it'\\''s "here".md' /tmp/ws acme__lib-123 '/tmp/out dir' 0`);
  });

  it("leaves the shell's own parameter expansion alone", () => {
    const values = { problem_file: "p", workspace: "w", instance_id: "i", output_dir: "o", attempt: "1" };
    const home = ["$", "{HOME}"].join("");
    expect(renderCommand(`echo "${home}" {attempt}`, values)).toBe(`echo "${home}" 1`);
    expect(() => createCommandAgent({ name: "shell", template: `echo ${home}` })).not.toThrow();
  });
});

describe("createCommandAgent", () => {
  it("rejects an unknown placeholder at creation, naming it and the known ones", () => {
    const create = () => createCommandAgent({ name: "mine", template: "my-agent --task {problem}" });
    expect(create).toThrow(ConfigError);
    expect(create).toThrow(/agent "mine": unknown placeholder \{problem\}.*\{problem_file\}.*\{attempt\}/);
  });

  it("rejects a placeholder inside the template's own quotes", () => {
    expect(() => createCommandAgent({ name: "q", template: 'cat "{problem_file}"' })).toThrow(
      /\{problem_file\} is inside quotes/,
    );
    expect(() => createCommandAgent({ name: "q", template: "cat '{workspace}/x'" })).toThrow(
      /\{workspace\} is inside quotes/,
    );
    expect(() => createCommandAgent({ name: "q", template: 'agent "$(cat {problem_file})"' })).not.toThrow();
  });

  it("rejects an empty template and bad variable names", () => {
    expect(() => createCommandAgent({ name: "e", template: "  " })).toThrow(/empty/);
    expect(() => createCommandAgent({ name: "e", template: "true", envNames: ["NOT-A-NAME"] })).toThrow(
      /"NOT-A-NAME" is not an environment variable name/,
    );
  });

  it("passes awkward paths through as single arguments, and the problem text without evaluating it", async () => {
    await using dir = await tempDir();
    const problem = 'Fix `add`: $(touch pwned) it\'s "wrong"\n';
    const context = await makeContext(dir.path, { problem });
    const agent = createCommandAgent({
      name: "args",
      template:
        "printf '%s\\n' {problem_file} {workspace} {instance_id} {output_dir} {attempt} > {output_dir}/args.txt; " +
        'printf %s "$(cat {problem_file})" > {output_dir}/problem.txt',
    });
    const outcome = await agent.run(context);
    expect(outcome.status).toBe("completed");
    const args = await readFile(join(context.outputDir, "args.txt"), "utf8");
    expect(args.split("\n").slice(0, -1)).toEqual([
      context.problemFile,
      context.workspace,
      context.scenario.instance_id,
      context.outputDir,
      "2",
    ]);
    expect(await readFile(join(context.outputDir, "problem.txt"), "utf8")).toBe(problem.trimEnd());
    expect(existsSync(join(context.workspace, "pwned"))).toBe(false);
  });

  it("runs in the workspace and logs stdout and stderr with the command line", async () => {
    await using dir = await tempDir();
    const context = await makeContext(dir.path);
    const agent = createCommandAgent({ name: "pwd", template: "pwd; echo to-stderr >&2" });
    expect(await agent.run(context)).toMatchObject({ status: "completed", exitCode: 0 });
    const log = await readLog(context);
    expect(log).toContain("[repogym] $ pwd; echo to-stderr >&2\n");
    expect(log).toContain(`${context.workspace}\n`);
    expect(log).toContain("to-stderr\n");
    expect(log.endsWith("[repogym] exited with code 0\n")).toBe(true);
  });

  it("shows the agent only the named host variables, PATH, its own HOME and REPOGYM_*", async () => {
    await using dir = await tempDir();
    const context = await makeContext(dir.path, {
      hostEnv: {
        ...process.env,
        AGENT_TEST_VISIBLE: "visible value",
        AGENT_TEST_HIDDEN: "hidden value",
        HOME: homedir(),
      },
      names: ["AGENT_TEST_VISIBLE", "AGENT_TEST_UNSET"],
    });
    const agent = createCommandAgent({ name: "env", template: "env > {output_dir}/env.txt" });
    expect((await agent.run(context)).status).toBe("completed");

    const seen = new Map(
      (await readFile(join(context.outputDir, "env.txt"), "utf8"))
        .split("\n")
        .filter((line) => line.includes("="))
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)] as const),
    );
    const expected = [
      "AGENT_TEST_VISIBLE",
      "PATH",
      "HOME",
      "REPOGYM_PROBLEM_FILE",
      "REPOGYM_OUTPUT_DIR",
      "REPOGYM_WORKSPACE",
      "REPOGYM_INSTANCE_ID",
      "REPOGYM_ATTEMPT",
    ];
    // What the shell itself adds.
    const shellOwn = ["PWD", "OLDPWD", "SHLVL", "_"];
    for (const name of expected) expect(seen.has(name), name).toBe(true);
    expect([...seen.keys()].filter((name) => !expected.includes(name) && !shellOwn.includes(name))).toEqual(
      [],
    );
    expect(seen.get("AGENT_TEST_VISIBLE")).toBe("visible value");
    expect(seen.has("AGENT_TEST_HIDDEN")).toBe(false);
    expect(seen.get("REPOGYM_PROBLEM_FILE")).toBe(context.problemFile);
    expect(seen.get("REPOGYM_OUTPUT_DIR")).toBe(context.outputDir);
    expect(seen.get("REPOGYM_WORKSPACE")).toBe(context.workspace);
    expect(seen.get("REPOGYM_INSTANCE_ID")).toBe(context.scenario.instance_id);
    expect(seen.get("REPOGYM_ATTEMPT")).toBe("2");
    expect(seen.get("HOME")).toBe(agentHome(context.outputDir));
    expect(seen.get("HOME")).not.toBe(homedir());
  });

  it("gives the agent a fresh, writable HOME inside the output folder", async () => {
    await using dir = await tempDir();
    const context = await makeContext(dir.path);
    const agent = createCommandAgent({ name: "home", template: 'ls -A "$HOME"; touch "$HOME/.probe"' });
    expect((await agent.run(context)).status).toBe("completed");
    expect(existsSync(join(agentHome(context.outputDir), ".probe"))).toBe(true);
    expect(await readLog(context)).toBe(
      `[repogym] $ ls -A "$HOME"; touch "$HOME/.probe"\n[repogym] exited with code 0\n`,
    );
  });

  it("masks secret values in the log", async () => {
    await using dir = await tempDir();
    const context = await makeContext(dir.path, {
      hostEnv: { ...process.env, AGENT_TEST_API_KEY: "sk-live-0123456789" },
      names: ["AGENT_TEST_API_KEY"],
    });
    const agent = createCommandAgent({ name: "leaky", template: 'echo "key is $AGENT_TEST_API_KEY"' });
    await agent.run(context);
    const log = await readLog(context);
    expect(log).toContain("key is ***\n");
    expect(log).not.toContain("sk-live-0123456789");
  });

  it("kills the whole process group on timeout, background children included", async () => {
    await using dir = await tempDir();
    const context = await makeContext(dir.path, { timeoutMs: 300 });
    const agent = createCommandAgent({
      name: "slow",
      template: "sleep 100 & echo $! > {output_dir}/child.pid; echo started; wait",
    });
    const outcome = await agent.run(context);
    expect(outcome).toMatchObject({ status: "timeout", reason: "timed out after 300 ms" });
    const child = Number((await readFile(join(context.outputDir, "child.pid"), "utf8")).trim());
    expect(child).toBeGreaterThan(0);
    expect(await eventuallyDead(child)).toBe(true);
    const log = await readLog(context);
    expect(log).toContain("started\n");
    expect(log.endsWith("[repogym] timed out after 300 ms\n")).toBe(true);
  });

  it("caps huge output in the log, keeping head and tail", async () => {
    await using dir = await tempDir();
    const context = await makeContext(dir.path);
    const agent = createCommandAgent({
      name: "chatty",
      template: "echo HEAD; yes 0123456789 | head -c 2000000; echo TAIL",
      maxOutputBytes: 10_000,
    });
    expect((await agent.run(context)).status).toBe("completed");
    const log = await readLog(context);
    expect(log.length).toBeLessThan(12_000);
    expect(log).toContain("HEAD\n");
    expect(log).toContain("[... output truncated by repogym ...]");
    expect(log.endsWith("TAIL\n[repogym] exited with code 0\n")).toBe(true);
  });

  it("reports a non-zero exit as an agent error with its code", async () => {
    await using dir = await tempDir();
    const context = await makeContext(dir.path);
    const outcome = await createCommandAgent({ name: "fails", template: "echo nope; exit 3" }).run(context);
    expect(outcome).toMatchObject({ status: "agent_error", reason: "exited with code 3", exitCode: 3 });
    expect((await readLog(context)).endsWith("nope\n[repogym] exited with code 3\n")).toBe(true);
  });

  it("says when the agent's command is not found", async () => {
    await using dir = await tempDir();
    const context = await makeContext(dir.path);
    const outcome = await createCommandAgent({ name: "missing", template: "repogym-no-such-agent-cli" }).run(
      context,
    );
    expect(outcome).toMatchObject({ status: "agent_error", exitCode: 127 });
    expect(outcome.status === "agent_error" && outcome.reason).toMatch(
      /^exited with code 127 \(command not found/,
    );
  });

  it("reports death by a signal as an agent error", async () => {
    await using dir = await tempDir();
    const context = await makeContext(dir.path);
    const outcome = await createCommandAgent({ name: "killed", template: "kill -9 $$" }).run(context);
    expect(outcome).toMatchObject({ status: "agent_error", reason: "killed by SIGKILL", exitCode: null });
  });
});
