import { mkdir, open, readFile, truncate } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { ConfigError } from "../core/errors.js";
import { type Rollout, RolloutSchema } from "../core/rollout.js";
import { parseWithSchema } from "../core/schema-error.js";

/** The file a run appends its rollout records to, one JSON line each. */
export const ROLLOUTS_FILE = "rollouts.jsonl";

/** A last line cut short (a run killed mid-write); dropped, and reported. */
export interface TruncatedLine {
  /** 1-based line number. */
  line: number;
  /** Byte offset where the line starts: the file's length once repaired. */
  offset: number;
  reason: string;
}

export interface ReadRolloutsResult {
  rollouts: Rollout[];
  truncated?: TruncatedLine;
}

/** One in-process queue per file, so concurrent appends never interleave. */
const queues = new Map<string, Promise<unknown>>();

/**
 * Appends one validated record as one line, flushed to disk before it resolves (DESIGN.md
 * invariant 4): open with `a`, write, fsync, close. Appends to the same file are serialized.
 */
export async function appendRollout(file: string, record: Rollout): Promise<void> {
  const valid = parseWithSchema(RolloutSchema, record, file);
  const line = `${JSON.stringify(valid)}\n`;
  const key = resolve(file);
  const previous = queues.get(key) ?? Promise.resolve();
  const next = previous
    .catch(() => {})
    .then(async () => {
      await mkdir(dirname(key), { recursive: true });
      const handle = await open(key, "a");
      try {
        await handle.write(line);
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
  queues.set(key, next);
  try {
    await next;
  } finally {
    if (queues.get(key) === next) queues.delete(key);
  }
}

const NEWLINE = 0x0a;

/**
 * Parses a rollouts file. Blank lines are skipped. The last line is dropped (and reported in
 * `truncated`) when it has no trailing newline or is not JSON: a run killed mid-write. Any
 * other malformed line is a ConfigError naming `file:line`.
 */
export function parseRollouts(content: Buffer, file: string): ReadRolloutsResult {
  const rollouts: Rollout[] = [];
  let start = 0;
  let line = 0;
  while (start < content.length) {
    line++;
    const end = content.indexOf(NEWLINE, start);
    const complete = end !== -1;
    const stop = complete ? end : content.length;
    const text = content.subarray(start, stop).toString("utf8");
    const isLast = !complete || stop + 1 >= content.length;
    const where = `${file}:${line}`;
    if (!complete) {
      return { rollouts, truncated: { line, offset: start, reason: "the last line has no newline" } };
    }
    if (text.trim() !== "") {
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (error) {
        if (isLast) {
          return {
            rollouts,
            truncated: {
              line,
              offset: start,
              reason: `the last line is not JSON: ${(error as Error).message}`,
            },
          };
        }
        throw new ConfigError(`not a JSON rollout record: ${(error as Error).message}`, where);
      }
      rollouts.push(parseWithSchema(RolloutSchema, data, where));
    }
    start = stop + 1;
  }
  return { rollouts };
}

/** Reads a rollouts file (none yet: no records); see parseRollouts. */
export async function readRollouts(file: string): Promise<ReadRolloutsResult> {
  let content: Buffer;
  try {
    content = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { rollouts: [] };
    throw new ConfigError(`cannot read rollouts: ${(error as Error).message}`, file);
  }
  return parseRollouts(content, file);
}

/**
 * Cuts a truncated last line off, back to the end of the last complete line, so a resumed
 * run appends after whole records. Returns what was cut, if anything.
 */
export async function repairRollouts(file: string): Promise<ReadRolloutsResult> {
  const result = await readRollouts(file);
  if (result.truncated) await truncate(file, result.truncated.offset);
  return result;
}
