import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Scenario } from "../../../core/scenario.js";
import { agentEnvironment } from "../../../runner/agents/environment.js";
import type { AgentContext } from "../../../runner/agents/types.js";
import { sampleScenario } from "../../helpers/sample-scenario.js";

export interface ContextOptions {
  scenario?: Scenario;
  /** Host variables the agent may see. */
  names?: string[];
  hostEnv?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  problem?: string;
  /** An existing workspace; else an empty folder is made. */
  workspace?: string;
}

/**
 * A rollout's context under root, with awkward paths on purpose: spaces and quotes in the
 * problem file's name and in the folders, so quoting mistakes show.
 */
export async function makeContext(root: string, options: ContextOptions = {}): Promise<AgentContext> {
  const workspace = options.workspace ?? join(root, "work space");
  await mkdir(workspace, { recursive: true });
  const problemFile = join(root, `it's a "problem" file.md`);
  await writeFile(problemFile, options.problem ?? "Fix the failing test.\n");
  const outputDir = join(root, "output dir");
  const scenario = options.scenario ?? sampleScenario();
  const { env } = agentEnvironment({
    hostEnv: options.hostEnv ?? process.env,
    names: options.names ?? [],
    context: { workspace, problemFile, outputDir, instanceId: scenario.instance_id, attempt: 2 },
  });
  return {
    scenario,
    workspace,
    problemFile,
    outputDir,
    env,
    timeoutMs: options.timeoutMs ?? 60_000,
    logFile: join(outputDir, "agent.log"),
    attempt: 2,
  };
}

export function readLog(context: AgentContext): Promise<string> {
  return readFile(context.logFile, "utf8");
}
