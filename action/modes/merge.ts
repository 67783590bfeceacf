import { resolve } from "node:path";
import * as core from "@actions/core";
import { ConfigError } from "../../core/errors.js";
import { mergeResults } from "../../core/results.js";
import { readResultsUnder } from "../find-results.js";
import { publish } from "../publish.js";
import type { ModeContext } from "./context.js";

/** merge: combines the shards of a matrix run into one result and publishes it. */
export async function merge(ctx: ModeContext): Promise<void> {
  if (!ctx.inputs.results)
    throw new ConfigError("merge needs `results:`, the folder of downloaded shard results", "input results");
  const parts = await readResultsUnder(resolve(ctx.repoDir, ctx.inputs.results));
  const { results, missing } = mergeResults(parts);
  const notes: string[] = [];
  if (missing.length > 0) {
    const count = parts[0]?.shard?.count ?? 1;
    notes.push(`Partial result: shard ${missing.map((i) => `${i}/${count}`).join(", ")} did not report.`);
    core.warning(notes[0]!);
  }
  core.info(
    `Merged ${parts.length} shards: ${results.scenarios.length} scenarios, ${results.rollouts.length} rollouts`,
  );
  await publish({
    client: ctx.client,
    inputs: ctx.inputs,
    event: ctx.event,
    results,
    resultsDir: ctx.resultsDir,
    notes,
    canWrite: !(ctx.event.pull?.fork ?? false),
  });
}
