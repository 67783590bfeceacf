import { ConfigError } from "../../core/errors.js";

/**
 * A popular agent CLI as a ready-made command template. Each runs headless in the workspace,
 * reads the problem statement from `{problem_file}`, may edit files without asking, and
 * leaves git history alone (repogym diffs the workspace against its base commit). To change
 * a flag, copy the template into a `command` agent.
 */
export interface AgentPreset {
  name: string;
  description: string;
  template: string;
  /** Host variables the CLI reads (API keys, model choice); unset ones are skipped. */
  envNames: readonly string[];
  /** All of these call a hosted model API. */
  network: boolean;
  /** Where the flags are documented. */
  docs: string;
}

export const PRESETS: readonly AgentPreset[] = [
  {
    name: "claude",
    description:
      "Claude Code in print mode: edits accepted, shell limited to the listed tools, JSON result in the log",
    // `-p` cannot ask for permission, so the tools an attempt needs (running the tests
    // included) are allowed up front; acceptEdits lets it write files. This avoids
    // --dangerously-skip-permissions, which Claude Code refuses to use as root.
    template:
      'claude -p "$(cat {problem_file})" --output-format json --permission-mode acceptEdits --allowedTools Bash Edit Write Read Glob Grep LS TodoWrite',
    envNames: ["ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_MODEL"],
    network: true,
    docs: "https://docs.anthropic.com/en/docs/claude-code/cli-reference",
  },
  {
    name: "codex",
    description:
      "OpenAI Codex CLI `exec`: sandboxed workspace writes without approvals, last message kept in the output folder",
    // With no prompt argument `codex exec` reads the instructions from stdin.
    template: "codex exec --full-auto --output-last-message {output_dir}/last-message.md < {problem_file}",
    envNames: ["OPENAI_API_KEY", "CODEX_API_KEY"],
    network: true,
    docs: "https://developers.openai.com/codex/noninteractive",
  },
  {
    name: "aider",
    description:
      "Aider with one message from the problem file: no commits, no .gitignore edits, history in the output folder",
    template:
      "aider --message-file {problem_file} --yes-always --no-auto-commits --no-gitignore --no-check-update --analytics-disable --no-pretty --no-stream --input-history-file {output_dir}/aider.input.history --chat-history-file {output_dir}/aider.chat.history.md",
    envNames: ["AIDER_MODEL", "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY", "OPENROUTER_API_KEY"],
    network: true,
    docs: "https://aider.chat/docs/scripting.html",
  },
  {
    name: "gemini",
    description: "Gemini CLI headless (`-p`) with every tool call approved (yolo), JSON result in the log",
    template: 'gemini -p "$(cat {problem_file})" --approval-mode yolo --output-format json',
    envNames: ["GEMINI_API_KEY", "GOOGLE_API_KEY", "GEMINI_MODEL"],
    network: true,
    docs: "https://geminicli.com/docs/cli/headless/",
  },
  {
    name: "mini-swe-agent",
    description:
      "mini-swe-agent's `mini` in yolo mode, exiting when done, trajectory saved as trajectory.json",
    // MSWEA_CONFIGURED skips the first-run setup questions, which would wait on stdin.
    template:
      'MSWEA_CONFIGURED=true mini --yolo --exit-immediately --task "$(cat {problem_file})" --output {output_dir}/trajectory.json',
    envNames: [
      "MSWEA_MODEL_NAME",
      "ANTHROPIC_API_KEY",
      "OPENAI_API_KEY",
      "GEMINI_API_KEY",
      "OPENROUTER_API_KEY",
    ],
    network: true,
    docs: "https://mini-swe-agent.com/latest/usage/mini/",
  },
];

export const PRESET_NAMES: readonly string[] = PRESETS.map((preset) => preset.name);

export function findPreset(name: string): AgentPreset | undefined {
  return PRESETS.find((preset) => preset.name === name);
}

export function getPreset(name: string): AgentPreset {
  const preset = findPreset(name);
  if (!preset) {
    throw new ConfigError(`unknown agent preset "${name}"; known presets: ${PRESET_NAMES.join(", ")}`);
  }
  return preset;
}
