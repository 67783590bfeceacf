import { ConfigError } from "../../core/errors.js";
import type { SandboxLevel } from "../sandbox.js";
import { createCommandAgent } from "./command.js";
import { validateEnvNames } from "./environment.js";
import { createNoopAgent } from "./noop.js";
import { createOracleAgent } from "./oracle.js";
import { findPreset, PRESET_NAMES } from "./presets.js";
import { createReplayAgent, loadPredictions } from "./replay.js";
import type { Agent } from "./types.js";

export {
  type AgentArtifacts,
  type AgentUsage,
  collectArtifacts,
  parseUsage,
  TRAJECTORY_FILE,
  USAGE_FILE,
} from "./artifacts.js";
export { type CommandAgent, createCommandAgent, PLACEHOLDERS, renderCommand } from "./command.js";
export { type AgentEnvironment, agentEnvironment, agentHome, maskSecrets } from "./environment.js";
export { type AgentPreset, getPreset, PRESET_NAMES, PRESETS } from "./presets.js";
export { createReplayAgent, loadPredictions, type Prediction, type Predictions } from "./replay.js";
export type { Agent, AgentContext, AgentOutcome } from "./types.js";

/** How a configuration names an agent. */
export interface AgentSpec {
  /** "noop", "oracle", "replay", "command" or a preset name (see PRESET_NAMES). */
  name: string;
  /** The command line template: required for "command"; for a preset, replaces its own. */
  command?: string;
  /** Host environment variables the agent may see, added to a preset's own. */
  env?: readonly string[];
  /** "replay": the SWE-bench predictions JSONL file. */
  predictions?: string;
  /** Recorded in rollout records. */
  model?: string;
  version?: string;
  /** How a command or preset agent is isolated from the host; default none. */
  sandbox?: SandboxLevel;
  /** Whether the agent may use the network; default off, on for presets that call a model API. */
  network?: boolean;
}

/** An agent with the host variables its environment should be built from (agentEnvironment). */
export type ConfiguredAgent = Agent & { envNames: readonly string[] };

export const BUILTIN_AGENTS = ["noop", "oracle", "replay", "command"] as const;

export function knownAgentNames(): string[] {
  return [...BUILTIN_AGENTS, ...PRESET_NAMES];
}

/** The model and version a spec records, over what the agent knows itself. */
function identityOf(spec: AgentSpec): { model?: string; version?: string } {
  return {
    ...(spec.model === undefined ? {} : { model: spec.model }),
    ...(spec.version === undefined ? {} : { version: spec.version }),
  };
}

/** Built-in agents run no process of their own, so they see no host variables. */
function builtin(agent: Agent, spec: AgentSpec): ConfiguredAgent {
  return { ...agent, ...identityOf(spec), envNames: [] };
}

/** Builds the agent a configuration names; unknown names and missing settings are ConfigErrors. */
export async function createAgent(spec: AgentSpec): Promise<ConfiguredAgent> {
  const where = `agent "${spec.name}"`;
  const env = [...(spec.env ?? [])];
  validateEnvNames(env, where);
  const identity = identityOf(spec);

  switch (spec.name) {
    case "noop":
      return builtin(createNoopAgent(), spec);
    case "oracle":
      return builtin(createOracleAgent(), spec);
    case "replay": {
      if (!spec.predictions) throw new ConfigError("needs a predictions file (predictions)", where);
      return builtin(createReplayAgent(await loadPredictions(spec.predictions)), spec);
    }
    case "command": {
      if (!spec.command) throw new ConfigError("needs a command line template (command)", where);
      return createCommandAgent({
        name: "command",
        template: spec.command,
        envNames: env,
        network: spec.network ?? false,
        ...(spec.sandbox === undefined ? {} : { sandbox: spec.sandbox }),
        ...identity,
      });
    }
  }

  const preset = findPreset(spec.name);
  if (!preset) {
    throw new ConfigError(`unknown agent "${spec.name}"; known agents: ${knownAgentNames().join(", ")}`);
  }
  return createCommandAgent({
    name: preset.name,
    template: spec.command ?? preset.template,
    envNames: [...new Set([...preset.envNames, ...env])],
    network: spec.network ?? preset.network,
    ...(spec.sandbox === undefined ? {} : { sandbox: spec.sandbox }),
    ...identity,
  });
}
