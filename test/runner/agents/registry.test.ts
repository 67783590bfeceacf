import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../core/errors.js";
import { type CommandAgent, createAgent, getPreset, knownAgentNames } from "../../../runner/agents/index.js";
import { tempDir } from "../../helpers/fixture-repo.js";

describe("createAgent", () => {
  it("builds the built-in agents, which see no host variables", async () => {
    for (const name of ["noop", "oracle"]) {
      const agent = await createAgent({ name, env: ["SOME_KEY"] });
      expect(agent).toMatchObject({ name, envNames: [] });
    }
  });

  it("rejects an unknown agent, listing the known ones", async () => {
    await expect(createAgent({ name: "devin" })).rejects.toThrow(ConfigError);
    await expect(createAgent({ name: "devin" })).rejects.toThrow(
      'unknown agent "devin"; known agents: noop, oracle, replay, command, claude, codex, aider, gemini, mini-swe-agent',
    );
    expect(knownAgentNames()).toContain("mini-swe-agent");
  });

  it("builds a command agent from its template, with the variables it names", async () => {
    const agent = (await createAgent({
      name: "command",
      command: "my-agent {problem_file}",
      env: ["MY_AGENT_KEY"],
      model: "my-model",
      version: "1.2.3",
    })) as CommandAgent;
    expect(agent).toMatchObject({
      name: "command",
      template: "my-agent {problem_file}",
      envNames: ["MY_AGENT_KEY"],
      model: "my-model",
      version: "1.2.3",
    });
  });

  it("requires a template for command and a file for replay", async () => {
    await expect(createAgent({ name: "command" })).rejects.toThrow(
      'agent "command": needs a command line template (command)',
    );
    await expect(createAgent({ name: "replay" })).rejects.toThrow('agent "replay": needs a predictions file');
    await expect(createAgent({ name: "command", command: "x {nope}" })).rejects.toThrow(
      /unknown placeholder \{nope\}/,
    );
  });

  it("builds a preset, adding configured variables and allowing its template to be replaced", async () => {
    const preset = getPreset("claude");
    const plain = (await createAgent({ name: "claude" })) as CommandAgent;
    expect(plain).toMatchObject({ name: "claude", template: preset.template, network: true });
    expect(plain.envNames).toEqual(preset.envNames);

    const custom = (await createAgent({
      name: "claude",
      command: 'claude -p "$(cat {problem_file})" --model opus',
      env: ["HTTPS_PROXY", "ANTHROPIC_API_KEY"],
    })) as CommandAgent;
    expect(custom.template).toBe('claude -p "$(cat {problem_file})" --model opus');
    expect(custom.envNames).toEqual([...preset.envNames, "HTTPS_PROXY"]);
  });

  it("rejects variables an agent may not be given", async () => {
    await expect(createAgent({ name: "aider", env: ["HOME"] })).rejects.toThrow(
      /agent "aider": HOME cannot be passed/,
    );
  });

  it("loads a replay agent's predictions", async () => {
    await using dir = await tempDir();
    const file = join(dir.path, "preds.jsonl");
    await writeFile(file, '{"instance_id": "a__b-1", "model_name_or_path": "m", "model_patch": ""}\n');
    expect(await createAgent({ name: "replay", predictions: file })).toMatchObject({
      name: "replay",
      model: "m",
      envNames: [],
    });
    await writeFile(file, '{"instance_id": "a__b-1"}\n');
    await expect(createAgent({ name: "replay", predictions: file })).rejects.toThrow(
      `${file}:1: field model_name_or_path: missing`,
    );
  });
});
