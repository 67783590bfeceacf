import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Agent } from "./types.js";

/** Changes nothing: the baseline every other agent should beat. */
export function createNoopAgent(): Agent {
  return {
    name: "noop",
    async run(context) {
      await mkdir(dirname(context.logFile), { recursive: true });
      await writeFile(context.logFile, "[repogym] noop agent: left the workspace as it was\n");
      return { status: "completed", durationMs: 0, exitCode: null };
    },
  };
}
