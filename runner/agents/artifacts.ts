import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Rollout } from "../../core/rollout.js";

export const TRAJECTORY_FILE = "trajectory.json";
export const USAGE_FILE = "usage.json";

export type AgentUsage = NonNullable<Rollout["usage"]>;

/** What an agent left in its output folder, for the rollout record. */
export interface AgentArtifacts {
  /** Path of `trajectory.json`, when the agent wrote one (kept as it is). */
  trajectory?: string;
  /** Token counts and cost from `usage.json`, the fields that were usable. */
  usage?: AgentUsage;
  /** Why something the agent left was not used; never fatal. */
  notes: string[];
}

const USAGE_FIELDS = ["input_tokens", "output_tokens", "cost_usd"] as const;

/**
 * Reads `usage.json` (`{input_tokens, output_tokens, cost_usd}`): each field is optional and
 * one that is not a non-negative number is dropped with a note. The file is the agent's
 * output, so nothing in it can fail the rollout.
 */
export function parseUsage(text: string): { usage?: AgentUsage; notes: string[] } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { notes: [`${USAGE_FILE} ignored: invalid JSON (${(error as Error).message})`] };
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return { notes: [`${USAGE_FILE} ignored: expected a JSON object`] };
  }
  const record = data as Record<string, unknown>;
  const usage: AgentUsage = {};
  const notes: string[] = [];
  for (const field of USAGE_FIELDS) {
    const value = record[field];
    if (value === undefined || value === null) continue;
    if (typeof value === "number" && Number.isFinite(value) && value >= 0) usage[field] = value;
    else
      notes.push(
        `${USAGE_FILE}: ${field} ignored: expected a non-negative number, got ${JSON.stringify(value)}`,
      );
  }
  return Object.keys(usage).length > 0 ? { usage, notes } : { notes };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Looks for `trajectory.json` and `usage.json` in the agent's output folder. */
export async function collectArtifacts(outputDir: string): Promise<AgentArtifacts> {
  const artifacts: AgentArtifacts = { notes: [] };
  const trajectory = join(outputDir, TRAJECTORY_FILE);
  if (await isFile(trajectory)) artifacts.trajectory = trajectory;

  const usageFile = join(outputDir, USAGE_FILE);
  if (await isFile(usageFile)) {
    let text: string | undefined;
    try {
      text = await readFile(usageFile, "utf8");
    } catch (error) {
      artifacts.notes.push(`${USAGE_FILE} ignored: cannot read it (${(error as Error).message})`);
    }
    if (text !== undefined) {
      const parsed = parseUsage(text);
      if (parsed.usage) artifacts.usage = parsed.usage;
      artifacts.notes.push(...parsed.notes);
    }
  }
  return artifacts;
}
