/**
 * Preference pairs (DPO and kin): for each scenario, every pair of its rewarded rollouts where
 * one has a strictly higher reward than the other and their patches differ. `prompt` is the
 * problem statement, `chosen` and `rejected` the two patches, in the prompt/chosen/rejected
 * columns that preference trainers (TRL's DPOTrainer among them) read.
 */
import { type ExportContext, type ExportRollout, type FormatOutput, plural, rolloutKey } from "./context.js";
import { bySplit, type ExportFile, splitName } from "./files.js";
import { type Column, type Row, tableFiles } from "./parquet.js";

export const PREFERENCE_COLUMNS: Column[] = [
  { name: "id", type: "string" },
  { name: "instance_id", type: "string" },
  { name: "prompt", type: "string" },
  { name: "chosen", type: "string" },
  { name: "rejected", type: "string" },
  { name: "chosen_reward", type: "double" },
  { name: "rejected_reward", type: "double" },
  { name: "chosen_id", type: "string" },
  { name: "rejected_id", type: "string" },
  { name: "chosen_agent", type: "string" },
  { name: "rejected_agent", type: "string" },
  { name: "solve_rate", type: "double", nullable: true },
  { name: "split", type: "string", nullable: true },
];

/** Ordered pairs (better, worse) among one scenario's rollouts: rewards differ, patches differ. */
export function preferencePairs(rollouts: readonly ExportRollout[]): Array<[ExportRollout, ExportRollout]> {
  const rewarded = rollouts.filter((r) => r.rollout.reward !== null);
  const pairs: Array<[ExportRollout, ExportRollout]> = [];
  for (const a of rewarded) {
    for (const b of rewarded) {
      if ((a.rollout.reward as number) <= (b.rollout.reward as number)) continue;
      if (a.rollout.model_patch === b.rollout.model_patch) continue;
      pairs.push([a, b]);
    }
  }
  const key = ([a, b]: [ExportRollout, ExportRollout]) =>
    `${rolloutKey(a.rollout)}\0${rolloutKey(b.rollout)}`;
  return pairs.sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
}

export function buildPreference(ctx: ExportContext): FormatOutput {
  const byScenario = new Map<string, ExportRollout[]>();
  for (const item of ctx.rollouts) {
    const list = byScenario.get(item.rollout.instance_id) ?? [];
    list.push(item);
    byScenario.set(item.rollout.instance_id, list);
  }
  const rows: Array<{ split: ExportRollout["split"]; row: Row }> = [];
  for (const item of ctx.scenarios) {
    const s = item.scenario;
    for (const [chosen, rejected] of preferencePairs(byScenario.get(s.instance_id) ?? [])) {
      rows.push({
        split: item.split,
        row: {
          id: `${rolloutKey(chosen.rollout)}>${rolloutKey(rejected.rollout)}`,
          instance_id: s.instance_id,
          prompt: s.problem_statement,
          chosen: chosen.rollout.model_patch,
          rejected: rejected.rollout.model_patch,
          chosen_reward: chosen.rollout.reward as number,
          rejected_reward: rejected.rollout.reward as number,
          chosen_id: rolloutKey(chosen.rollout),
          rejected_id: rolloutKey(rejected.rollout),
          chosen_agent: chosen.rollout.agent.name,
          rejected_agent: rejected.rollout.agent.name,
          solve_rate: item.stats.solve_rate,
          split: item.split ?? null,
        },
      });
    }
  }
  const files: ExportFile[] = [];
  for (const { split, items } of bySplit(rows, (r) => r.split, ctx.split)) {
    files.push(
      ...tableFiles(
        `preference/${splitName("pairs", split)}`,
        items.map((i) => i.row),
        PREFERENCE_COLUMNS,
        ctx.toolVersion,
      ),
    );
  }
  const scenarios = new Set(rows.map((r) => r.row.instance_id)).size;
  return {
    files,
    summary: `${plural(rows.length, "pair")} from ${plural(scenarios, "scenario")}`,
    notes: [],
  };
}
