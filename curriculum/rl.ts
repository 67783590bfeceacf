/**
 * RL: one row per rewarded rollout (prompt, the agent's patch as completion, reward), with the
 * statistics of its group: every rewarded rollout of the same scenario in the runs given, as
 * group-based methods (GRPO and kin) sample several completions per prompt. The advantage is the
 * reward's distance from the group mean in group standard deviations (sample deviation, n - 1,
 * as torch's `std` computes it), 0 when the group has no spread. For on-policy groups, export
 * the runs of one agent configuration; each row names its agent. Infrastructure errors have no
 * reward and no row.
 */
import type { Rollout } from "../core/rollout.js";
import { mean, standardDeviation } from "../runner/run-summary.js";
import {
  type ExportContext,
  type ExportRollout,
  type FormatOutput,
  plural,
  rolloutKey,
  scenarioRef,
} from "./context.js";
import { bySplit, type ExportFile, splitName } from "./files.js";
import { type Column, type Row, tableFiles } from "./parquet.js";

export const RL_ROLLOUT_COLUMNS: Column[] = [
  { name: "id", type: "string" },
  { name: "instance_id", type: "string" },
  { name: "scenario", type: "string" },
  { name: "repo", type: "string" },
  { name: "base_commit", type: "string" },
  { name: "run_id", type: "string" },
  { name: "attempt", type: "int" },
  { name: "agent", type: "string" },
  { name: "model", type: "string", nullable: true },
  { name: "prompt", type: "string" },
  { name: "completion", type: "string" },
  { name: "reward", type: "double" },
  { name: "resolved", type: "boolean" },
  { name: "status", type: "string" },
  { name: "group_size", type: "int" },
  { name: "group_mean", type: "double" },
  { name: "group_std", type: "double" },
  { name: "advantage", type: "double" },
  { name: "solve_rate", type: "double", nullable: true },
  { name: "bucket", type: "string" },
  { name: "split", type: "string", nullable: true },
];

export const RL_GROUP_COLUMNS: Column[] = [
  { name: "instance_id", type: "string" },
  { name: "prompt", type: "string" },
  { name: "agents", type: "string-list" },
  { name: "size", type: "int" },
  { name: "resolved", type: "int" },
  { name: "mean", type: "double" },
  { name: "std", type: "double" },
  { name: "informative", type: "boolean" },
  { name: "rollout_ids", type: "string-list" },
  { name: "rewards", type: "double-list" },
  { name: "advantages", type: "double-list" },
  { name: "split", type: "string", nullable: true },
];

/** An agent configuration as one string: `name`, `name@version`, `name@version@model`. */
export function agentLabel(agent: Rollout["agent"]): string {
  return [agent.name, agent.version ?? "", agent.model ?? ""].join("@").replace(/@+$/, "");
}

export interface RlGroup {
  instanceId: string;
  members: ExportRollout[];
  mean: number;
  std: number;
  advantages: number[];
}

/** Rewarded rollouts grouped by scenario, with each member's advantage. */
export function rlGroups(rollouts: readonly ExportRollout[]): RlGroup[] {
  const groups = new Map<string, ExportRollout[]>();
  for (const item of rollouts) {
    if (item.rollout.reward === null) continue;
    const key = item.rollout.instance_id;
    const members = groups.get(key) ?? [];
    members.push(item);
    groups.set(key, members);
  }
  return [...groups]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, members]) => {
      const rewards = members.map((m) => m.rollout.reward as number);
      const m = mean(rewards) ?? 0;
      const std = standardDeviation(rewards) ?? 0;
      return {
        instanceId: key,
        members,
        mean: m,
        std,
        advantages: rewards.map((r) => (std > 0 ? (r - m) / std : 0)),
      };
    });
}

export function buildRl(ctx: ExportContext): FormatOutput {
  const byId = new Map(ctx.scenarios.map((s) => [s.scenario.instance_id, s]));
  const groups = rlGroups(ctx.rollouts);
  const rolloutRows: Array<{ split: ExportRollout["split"]; row: Row }> = [];
  const groupRows: Array<{ split: ExportRollout["split"]; row: Row }> = [];
  for (const group of groups) {
    const item = byId.get(group.instanceId)!;
    group.members.forEach(({ rollout: r }, index) => {
      rolloutRows.push({
        split: item.split,
        row: {
          id: rolloutKey(r),
          instance_id: r.instance_id,
          scenario: scenarioRef(r.instance_id, item.split),
          repo: item.scenario.repo,
          base_commit: item.scenario.base_commit,
          run_id: r.run_id,
          attempt: r.attempt,
          agent: r.agent.name,
          model: r.agent.model ?? null,
          prompt: item.scenario.problem_statement,
          completion: r.model_patch,
          reward: r.reward as number,
          resolved: r.resolved,
          status: r.status,
          group_size: group.members.length,
          group_mean: group.mean,
          group_std: group.std,
          advantage: group.advantages[index]!,
          solve_rate: item.stats.solve_rate,
          bucket: item.stats.bucket,
          split: item.split ?? null,
        },
      });
    });
    groupRows.push({
      split: item.split,
      row: {
        instance_id: group.instanceId,
        prompt: item.scenario.problem_statement,
        agents: [...new Set(group.members.map((m) => agentLabel(m.rollout.agent)))].sort(),
        size: group.members.length,
        resolved: group.members.filter((m) => m.rollout.resolved).length,
        mean: group.mean,
        std: group.std,
        informative: group.std > 0,
        rollout_ids: group.members.map((m) => rolloutKey(m.rollout)),
        rewards: group.members.map((m) => m.rollout.reward as number),
        advantages: group.advantages,
        split: item.split ?? null,
      },
    });
  }
  const files: ExportFile[] = [];
  for (const { split, items } of bySplit(rolloutRows, (r) => r.split, ctx.split)) {
    const rows = items.map((r) => r.row);
    files.push(
      ...tableFiles(`rl/${splitName("rollouts", split)}`, rows, RL_ROLLOUT_COLUMNS, ctx.toolVersion),
    );
  }
  for (const { split, items } of bySplit(groupRows, (r) => r.split, ctx.split)) {
    const rows = items.map((r) => r.row);
    files.push(...tableFiles(`rl/${splitName("groups", split)}`, rows, RL_GROUP_COLUMNS, ctx.toolVersion));
  }
  const infra = ctx.rollouts.filter((r) => r.rollout.reward === null).length;
  const notes =
    infra > 0 ? [`rl: ${plural(infra, "rollout")} with an infrastructure error (no reward) left out`] : [];
  return {
    files,
    summary: `${plural(rolloutRows.length, "rollout")} in ${plural(groupRows.length, "group")}`,
    notes,
  };
}
