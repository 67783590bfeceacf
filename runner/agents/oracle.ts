import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { applyPatch } from "../state-tree.js";
import type { Agent } from "./types.js";

/**
 * Applies the scenario's gold patch: the ceiling every other agent is measured against, and
 * a check that workspaces and scoring work end to end. The scenario was validated with this
 * very patch, so one that does not apply means the workspace is not the base state: that is
 * thrown (an infrastructure failure), not reported as the agent's.
 */
export function createOracleAgent(): Agent {
  return {
    name: "oracle",
    async run(context) {
      const started = performance.now();
      const { patch, instance_id } = context.scenario;
      await applyPatch(context.workspace, patch, `the gold patch of ${instance_id}`);
      await mkdir(dirname(context.logFile), { recursive: true });
      await writeFile(
        context.logFile,
        `[repogym] oracle agent: applied the gold patch of ${instance_id} (${Buffer.byteLength(patch)} bytes)\n`,
      );
      return { status: "completed", durationMs: performance.now() - started, exitCode: null };
    },
  };
}
