/**
 * SFT: the conversations of resolved rollouts whose agent left a trajectory.json, as chat
 * messages (`{role, content}` with system, user, assistant and tool roles), the shape chat
 * fine-tuning datasets use. Trajectory shapes read:
 * - a list of messages, or an object with `messages` (OpenAI-style chats; mini-swe-agent's
 *   trajectory.json); content given as a list of parts keeps its text parts;
 * - ATIF, Harbor's Agent Trajectory Interchange Format: `steps` with `source` (system, user,
 *   agent), `message`, `tool_calls` and `observation.results`.
 * A trajectory in another shape is left out and counted, never guessed at.
 */
import { type ExportContext, type FormatOutput, plural, rolloutKey, scenarioRef } from "./context.js";
import { bySplit, type ExportFile, splitName } from "./files.js";
import { type ChatMessage, type Column, type Row, tableFiles } from "./parquet.js";

export const SFT_COLUMNS: Column[] = [
  { name: "id", type: "string" },
  { name: "instance_id", type: "string" },
  { name: "scenario", type: "string" },
  { name: "run_id", type: "string" },
  { name: "attempt", type: "int" },
  { name: "agent", type: "string" },
  { name: "model", type: "string", nullable: true },
  { name: "reward", type: "double" },
  { name: "messages", type: "messages" },
  { name: "solve_rate", type: "double", nullable: true },
  { name: "bucket", type: "string" },
  { name: "split", type: "string", nullable: true },
];

const ROLES: Record<string, string> = {
  system: "system",
  developer: "system",
  user: "user",
  human: "user",
  assistant: "assistant",
  agent: "assistant",
  ai: "assistant",
  tool: "tool",
  function: "tool",
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Text of a message's content: a string, or the text of its parts. */
function textOf(content: unknown): string | undefined {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return undefined;
  const texts: string[] = [];
  for (const part of content) {
    if (typeof part === "string") texts.push(part);
    else if (isRecord(part) && typeof part.text === "string") texts.push(part.text);
    else return undefined;
  }
  return texts.join("\n");
}

function fromMessages(messages: readonly unknown[]): ChatMessage[] | string {
  const out: ChatMessage[] = [];
  for (const [index, message] of messages.entries()) {
    if (!isRecord(message)) return `message ${index + 1} is not an object`;
    const role = typeof message.role === "string" ? ROLES[message.role.toLowerCase()] : undefined;
    if (role === undefined) return `message ${index + 1} has an unknown role ${JSON.stringify(message.role)}`;
    const text = message.content === null || message.content === undefined ? "" : textOf(message.content);
    if (text === undefined) return `message ${index + 1} has content that is not text`;
    const calls =
      Array.isArray(message.tool_calls) && message.tool_calls.length > 0 ? message.tool_calls : undefined;
    const content = calls ? [text, JSON.stringify(calls)].filter((t) => t !== "").join("\n") : text;
    out.push({ role, content });
  }
  return out;
}

function fromAtif(steps: readonly unknown[]): ChatMessage[] | string {
  const out: ChatMessage[] = [];
  for (const [index, step] of steps.entries()) {
    if (!isRecord(step)) return `step ${index + 1} is not an object`;
    const role = typeof step.source === "string" ? ROLES[step.source.toLowerCase()] : undefined;
    if (role === undefined) return `step ${index + 1} has an unknown source ${JSON.stringify(step.source)}`;
    const text = step.message === undefined || step.message === null ? "" : textOf(step.message);
    if (text === undefined) return `step ${index + 1} has a message that is not text`;
    const calls =
      Array.isArray(step.tool_calls) && step.tool_calls.length > 0 ? JSON.stringify(step.tool_calls) : "";
    out.push({ role, content: [text, calls].filter((t) => t !== "").join("\n") });
    const results =
      isRecord(step.observation) && Array.isArray(step.observation.results) ? step.observation.results : [];
    for (const result of results) {
      const content = isRecord(result) ? textOf(result.content) : undefined;
      if (content === undefined) return `step ${index + 1} has an observation that is not text`;
      out.push({ role: "tool", content });
    }
  }
  return out;
}

/**
 * The chat a trajectory holds, with the problem statement as the first user message when the
 * trajectory does not start the conversation with one; or why it cannot be read.
 */
export function trajectoryMessages(trajectory: unknown, problemStatement: string): ChatMessage[] | string {
  let messages: ChatMessage[] | string;
  if (Array.isArray(trajectory)) messages = fromMessages(trajectory);
  else if (isRecord(trajectory) && Array.isArray(trajectory.messages))
    messages = fromMessages(trajectory.messages);
  else if (isRecord(trajectory) && Array.isArray(trajectory.steps)) messages = fromAtif(trajectory.steps);
  else return "the trajectory is neither a list of messages nor ATIF steps";
  if (typeof messages === "string") return messages;
  if (!messages.some((m) => m.role === "assistant")) return "the trajectory has no assistant message";
  if (!messages.some((m) => m.role === "user")) {
    const system = messages.findIndex((m) => m.role !== "system");
    messages.splice(system === -1 ? messages.length : system, 0, { role: "user", content: problemStatement });
  }
  return messages;
}

export function buildSft(ctx: ExportContext): FormatOutput {
  const byId = new Map(ctx.scenarios.map((s) => [s.scenario.instance_id, s]));
  const rows: Array<{ split: ExportContext["scenarios"][number]["split"]; row: Row }> = [];
  const skipped = new Map<string, number>();
  const skip = (reason: string) => skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
  for (const { rollout: r } of ctx.rollouts) {
    if (!r.resolved) continue;
    const item = byId.get(r.instance_id)!;
    const read = ctx.trajectories.get(rolloutKey(r));
    if (read?.ok !== true) {
      skip(read === undefined ? "no trajectory.json" : read.reason);
      continue;
    }
    const messages = trajectoryMessages(read.data, item.scenario.problem_statement);
    if (typeof messages === "string") {
      skip(messages);
      continue;
    }
    rows.push({
      split: item.split,
      row: {
        id: rolloutKey(r),
        instance_id: r.instance_id,
        scenario: scenarioRef(r.instance_id, item.split),
        run_id: r.run_id,
        attempt: r.attempt,
        agent: r.agent.name,
        model: r.agent.model ?? null,
        reward: r.reward ?? 0,
        messages,
        solve_rate: item.stats.solve_rate,
        bucket: item.stats.bucket,
        split: item.split ?? null,
      },
    });
  }
  const files: ExportFile[] = [];
  for (const { split, items } of bySplit(rows, (r) => r.split, ctx.split)) {
    files.push(
      ...tableFiles(
        `sft/${splitName("messages", split)}`,
        items.map((i) => i.row),
        SFT_COLUMNS,
        ctx.toolVersion,
      ),
    );
  }
  const notes = [...skipped].map(
    ([reason, count]) => `sft: ${plural(count, "resolved rollout")} left out: ${reason}`,
  );
  return { files, summary: plural(rows.length, "conversation"), notes };
}
