import type { Scenario } from "../core/scenario.js";
import type { SpawnSpec } from "../runner/run-tests.js";
import type { TestResult } from "../runner/test-adapters/types.js";

/**
 * Everything a scorer may look at once a rollout has finished. The run loop fills it: it has
 * already restored the scenario's test files in the workspace and run them (`tests`), so most
 * scorers are pure functions of this value.
 */
export interface ScoreContext {
  scenario: Scenario;
  /** The agent's change: a diff against the workspace's single starting commit. */
  modelPatch: string;
  /** Absolute path of the workspace, after tests were restored (for scorers that run commands). */
  workspace: string;
  /**
   * Per-test outcomes of the scenario's test files run in the workspace, or undefined when no
   * test run happened. A test id that is absent counts as failed.
   */
  tests?: TestResult[];
  /** Base environment for commands a scorer runs (already scrubbed of secrets). */
  env: NodeJS.ProcessEnv;
  /** Milliseconds a scorer that runs a command may take. */
  timeoutMs: number;
  /**
   * Puts a command a scorer runs inside the rollout's sandbox (the agent's code may run in it);
   * absent when there is no sandbox.
   */
  wrap?: (spawn: SpawnSpec) => { command: string; args: string[]; env?: NodeJS.ProcessEnv };
}

export interface ScoreResult {
  /** In [0, 1]. */
  score: number;
  details: Record<string, unknown>;
}

export interface Scorer {
  name: string;
  score(context: ScoreContext): Promise<ScoreResult>;
}

/** Builds a scorer from the options given in the scoring contract; throws ConfigError on bad options. */
export type ScorerFactory = (options: Record<string, unknown>) => Scorer;
