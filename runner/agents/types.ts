import type { Scenario } from "../../core/scenario.js";

/**
 * What an agent adapter gets for one rollout (DESIGN.md "Agent adapter"). The agent runs in
 * the workspace as its working directory, sees the problem statement as a file, may write
 * `trajectory.json` and `usage.json` into the output folder, and gets only the environment
 * variables the configuration names plus `REPOGYM_*`.
 */
export interface AgentContext {
  scenario: Scenario;
  /** The workspace: a fresh repository whose only commit is the starting state. */
  workspace: string;
  /** File holding the problem statement (outside the workspace). */
  problemFile: string;
  /** Folder the agent may write trajectory.json / usage.json into (outside the workspace). */
  outputDir: string;
  /** The complete environment the agent process gets (already scrubbed). */
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Where the agent's combined output is written (capped). */
  logFile: string;
  attempt: number;
}

export type AgentOutcome =
  | { status: "completed"; durationMs: number; exitCode: number | null }
  | { status: "agent_error"; durationMs: number; reason: string; exitCode?: number | null }
  | { status: "timeout"; durationMs: number; reason: string };

export interface Agent {
  /** Name recorded in rollout records (`agent.name`). */
  name: string;
  version?: string;
  model?: string;
  run(context: AgentContext): Promise<AgentOutcome>;
}
