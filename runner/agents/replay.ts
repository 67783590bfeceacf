import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { ConfigError, GitError } from "../../core/errors.js";
import { applyPatch } from "../state-tree.js";
import type { Agent, AgentOutcome } from "./types.js";

/** One line of a SWE-bench predictions file. */
export interface Prediction {
  instance_id: string;
  model_name_or_path: string;
  /** The patch to apply; SWE-bench writes null for "no patch", read here as empty. */
  model_patch: string;
  /** 1-based line in the file, for messages. */
  line: number;
}

export type Predictions = ReadonlyMap<string, Prediction>;

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" ? `"${value}"` : `a ${typeof value}`;
}

function parseLine(text: string, where: string, line: number): Prediction {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`invalid JSON: ${(error as Error).message}`, where);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new ConfigError(
      `expected a JSON object with instance_id, model_name_or_path and model_patch, got ${describeValue(data)}`,
      where,
    );
  }
  const record = data as Record<string, unknown>;
  const field = (name: string, check: (value: unknown) => boolean, expected: string): unknown => {
    if (!(name in record)) throw new ConfigError(`field ${name}: missing`, where);
    const value = record[name];
    if (!check(value))
      throw new ConfigError(`field ${name}: expected ${expected}, got ${describeValue(value)}`, where);
    return value;
  };
  const instanceId = field(
    "instance_id",
    (v) => typeof v === "string" && v.trim() !== "",
    "a non-empty string",
  ) as string;
  const model = field("model_name_or_path", (v) => typeof v === "string", "a string") as string;
  const patch = field("model_patch", (v) => typeof v === "string" || v === null, "a string (or null)") as
    | string
    | null;
  return { instance_id: instanceId, model_name_or_path: model, model_patch: patch ?? "", line };
}

/**
 * Parses SWE-bench predictions JSONL (`{instance_id, model_name_or_path, model_patch}` per
 * line; other fields are ignored, blank lines skipped). A bad line is a ConfigError naming
 * `file:line` and the field.
 */
export function parsePredictions(text: string, file: string): Map<string, Prediction> {
  const predictions = new Map<string, Prediction>();
  const lines = text.split("\n");
  for (const [index, raw] of lines.entries()) {
    if (raw.trim() === "") continue;
    const line = index + 1;
    const where = `${file}:${line}`;
    const prediction = parseLine(raw, where, line);
    const first = predictions.get(prediction.instance_id);
    if (first) {
      throw new ConfigError(
        `duplicate instance_id "${prediction.instance_id}" (first on line ${first.line})`,
        where,
      );
    }
    predictions.set(prediction.instance_id, prediction);
  }
  if (predictions.size === 0) throw new ConfigError("no predictions in the file", file);
  return predictions;
}

export async function loadPredictions(file: string): Promise<Map<string, Prediction>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ConfigError(`cannot read predictions: ${(error as Error).message}`, file);
  }
  return parsePredictions(text, file);
}

/**
 * Replays patches another harness produced: each rollout applies the prediction for its
 * scenario. No prediction, or one that does not apply, is the predicting agent's failure
 * (agent_error), never an infrastructure error.
 */
export function createReplayAgent(predictions: Predictions): Agent {
  const models = new Set([...predictions.values()].map((p) => p.model_name_or_path));
  const model = models.size === 1 ? [...models][0] : undefined;
  return {
    name: "replay",
    ...(model ? { model } : {}),
    async run(context): Promise<AgentOutcome> {
      const started = performance.now();
      const id = context.scenario.instance_id;
      const log = async (message: string) => {
        await mkdir(dirname(context.logFile), { recursive: true });
        await writeFile(context.logFile, `[repogym] replay agent: ${message}\n`);
      };
      const prediction = predictions.get(id);
      if (!prediction) {
        const reason = `no prediction for ${id}`;
        await log(reason);
        return { status: "agent_error", durationMs: performance.now() - started, reason };
      }
      // Predictions often lose the final newline, which git would call a corrupt patch.
      const patch =
        prediction.model_patch === "" || prediction.model_patch.endsWith("\n")
          ? prediction.model_patch
          : `${prediction.model_patch}\n`;
      try {
        await applyPatch(context.workspace, patch, `the prediction for ${id}`);
      } catch (error) {
        if (!(error instanceof GitError)) throw error;
        await log(error.message);
        return { status: "agent_error", durationMs: performance.now() - started, reason: error.message };
      }
      await log(
        `applied the prediction of ${prediction.model_name_or_path || "(unnamed model)"} for ${id} (${Buffer.byteLength(patch)} bytes)`,
      );
      return { status: "completed", durationMs: performance.now() - started, exitCode: null };
    },
  };
}
