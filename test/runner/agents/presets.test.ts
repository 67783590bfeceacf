import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../core/errors.js";
import { renderCommand } from "../../../runner/agents/command.js";
import { createAgent } from "../../../runner/agents/index.js";
import { getPreset, PRESET_NAMES, PRESETS } from "../../../runner/agents/presets.js";
import { tempDir } from "../../helpers/fixture-repo.js";
import { makeContext } from "./context.js";

const values = {
  problem_file: `/runs/run 1/it's "problem".md`,
  workspace: "/runs/run 1/workspace",
  instance_id: "acme__lib-0123456789",
  output_dir: "/runs/run 1/out",
  attempt: "0",
};

const PROBLEM = 'Fix `add`: it subtracts. $(rm -rf /) "quoted" and it\'s\nmultiline\n';

interface Expected {
  command: string;
  /** The executable the command runs. */
  bin: string;
  /** Its arguments; PROBLEM_TEXT, PROBLEM_FILE and OUTPUT_DIR stand for the rollout's. */
  argv: string[];
  stdin?: "PROBLEM_TEXT";
  env?: Record<string, string>;
}

const EXPECTED: Record<string, Expected> = {
  claude: {
    command: `claude -p "$(cat '/runs/run 1/it'\\''s "problem".md')" --output-format json --permission-mode acceptEdits --allowedTools Bash Edit Write Read Glob Grep LS TodoWrite`,
    bin: "claude",
    argv: [
      "-p",
      "PROBLEM_TEXT",
      "--output-format",
      "json",
      "--permission-mode",
      "acceptEdits",
      "--allowedTools",
      "Bash",
      "Edit",
      "Write",
      "Read",
      "Glob",
      "Grep",
      "LS",
      "TodoWrite",
    ],
  },
  codex: {
    command: `codex exec --full-auto --output-last-message '/runs/run 1/out'/last-message.md < '/runs/run 1/it'\\''s "problem".md'`,
    bin: "codex",
    argv: ["exec", "--full-auto", "--output-last-message", "OUTPUT_DIR/last-message.md"],
    stdin: "PROBLEM_TEXT",
  },
  aider: {
    command: `aider --message-file '/runs/run 1/it'\\''s "problem".md' --yes-always --no-auto-commits --no-gitignore --no-check-update --analytics-disable --no-pretty --no-stream --input-history-file '/runs/run 1/out'/aider.input.history --chat-history-file '/runs/run 1/out'/aider.chat.history.md`,
    bin: "aider",
    argv: [
      "--message-file",
      "PROBLEM_FILE",
      "--yes-always",
      "--no-auto-commits",
      "--no-gitignore",
      "--no-check-update",
      "--analytics-disable",
      "--no-pretty",
      "--no-stream",
      "--input-history-file",
      "OUTPUT_DIR/aider.input.history",
      "--chat-history-file",
      "OUTPUT_DIR/aider.chat.history.md",
    ],
  },
  gemini: {
    command: `gemini -p "$(cat '/runs/run 1/it'\\''s "problem".md')" --approval-mode yolo --output-format json`,
    bin: "gemini",
    argv: ["-p", "PROBLEM_TEXT", "--approval-mode", "yolo", "--output-format", "json"],
  },
  "mini-swe-agent": {
    command: `MSWEA_CONFIGURED=true mini --yolo --exit-immediately --task "$(cat '/runs/run 1/it'\\''s "problem".md')" --output '/runs/run 1/out'/trajectory.json`,
    bin: "mini",
    argv: [
      "--yolo",
      "--exit-immediately",
      "--task",
      "PROBLEM_TEXT",
      "--output",
      "OUTPUT_DIR/trajectory.json",
    ],
    env: { MSWEA_CONFIGURED: "true" },
  },
};

/** A stand-in for the CLI that records how it was called. */
async function writeStub(binDir: string, name: string): Promise<void> {
  const file = join(binDir, name);
  await writeFile(
    file,
    `#!${process.execPath}
const fs = require("node:fs");
const record = {
  argv: process.argv.slice(2),
  stdin: fs.readFileSync(0, "utf8"),
  cwd: process.cwd(),
  MSWEA_CONFIGURED: process.env.MSWEA_CONFIGURED,
};
fs.writeFileSync(process.env.REPOGYM_OUTPUT_DIR + "/${name}.call.json", JSON.stringify(record));
`,
  );
  await chmod(file, 0o755);
}

describe("agent presets", () => {
  it("has an expectation for every preset", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...PRESET_NAMES].sort());
  });

  for (const preset of PRESETS) {
    const expected = EXPECTED[preset.name]!;

    it(`${preset.name}: renders the documented command line`, () => {
      expect(renderCommand(preset.template, values)).toBe(expected.command);
      expect(preset.network).toBe(true);
      expect(preset.description).not.toBe("");
      expect(preset.docs).toMatch(/^https:\/\//);
      expect(preset.envNames.length).toBeGreaterThan(0);
    });

    it(`${preset.name}: the CLI receives exactly the expected arguments`, async () => {
      await using dir = await tempDir();
      const binDir = join(dir.path, "bin");
      await mkdir(binDir);
      await writeStub(binDir, expected.bin);
      const context = await makeContext(dir.path, {
        problem: PROBLEM,
        hostEnv: { ...process.env, PATH: `${binDir}:${process.env.PATH ?? ""}` },
        names: [...preset.envNames],
      });
      const agent = await createAgent({ name: preset.name });
      expect(agent.name).toBe(preset.name);

      const outcome = await agent.run(context);
      expect(outcome.status).toBe("completed");

      const call = JSON.parse(await readFile(join(context.outputDir, `${expected.bin}.call.json`), "utf8"));
      const substitute = (arg: string) =>
        arg === "PROBLEM_TEXT"
          ? PROBLEM.trimEnd()
          : arg.replace("PROBLEM_FILE", context.problemFile).replace("OUTPUT_DIR", context.outputDir);
      expect(call.argv).toEqual(expected.argv.map(substitute));
      expect(call.stdin).toBe(expected.stdin === "PROBLEM_TEXT" ? PROBLEM : "");
      expect(call.cwd).toBe(context.workspace);
      expect(call.MSWEA_CONFIGURED).toBe(expected.env?.MSWEA_CONFIGURED);
    });
  }

  it("names the known presets for an unknown one", () => {
    expect(() => getPreset("cursor")).toThrow(ConfigError);
    expect(() => getPreset("cursor")).toThrow(
      'unknown agent preset "cursor"; known presets: claude, codex, aider, gemini, mini-swe-agent',
    );
  });

  it("asks for the API keys each CLI reads", () => {
    expect(getPreset("claude").envNames).toContain("ANTHROPIC_API_KEY");
    expect(getPreset("codex").envNames).toContain("OPENAI_API_KEY");
    expect(getPreset("aider").envNames).toEqual(
      expect.arrayContaining(["ANTHROPIC_API_KEY", "OPENAI_API_KEY"]),
    );
    expect(getPreset("gemini").envNames).toContain("GEMINI_API_KEY");
    expect(getPreset("mini-swe-agent").envNames).toContain("MSWEA_MODEL_NAME");
  });
});
