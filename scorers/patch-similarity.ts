import { z } from "zod";
import { parseScorerOptions } from "./options.js";
import type { ScoreContext, ScoreResult, Scorer, ScorerFactory } from "./types.js";

/**
 * `patch-similarity`: how closely the agent's patch matches the gold patch, in [0, 1].
 *
 * Each patch becomes a multiset of changed lines. A changed line is the key
 * `(file, sign, text)`: the file it belongs to (the post-image path, or the pre-image path
 * for a deletion), `-` or `+`, and its content with every whitespace character removed.
 * Diff headers, index/mode lines, hunk headers, context lines and "\ No newline" markers are
 * not changed lines; a line that is blank once whitespace is removed is dropped; and within one
 * contiguous run of `-`/`+` lines, a removed and an added line with the same text cancel out
 * (a whitespace-only edit, which `git diff -w` would not show either). With G the gold
 * multiset, M the agent's, and |X| a multiset's size:
 *
 *     common = sum over keys k of min(G(k), M(k))
 *     score  = 2 * common / (|G| + |M|)          (the Sørensen–Dice coefficient)
 *
 * so identical patches score 1, patches that differ only in whitespace, or in the order of
 * their files and hunks, also score 1, and unrelated patches score 0. An agent patch with no
 * changed lines scores 0, and so does any patch when the gold patch has none.
 *
 * Cost is linear in the input. Each patch is read up to MAX_PATCH_CHARS characters and
 * MAX_CHANGED_LINES changed lines, and each line's text is compared on its first
 * MAX_LINE_CHARS characters; `details.truncated` says when a cap was hit.
 */

export const MAX_PATCH_CHARS = 2_000_000;
export const MAX_CHANGED_LINES = 20_000;
export const MAX_LINE_CHARS = 1_000;

interface ChangedLines {
  /** Multiset: key -> count. */
  lines: Map<string, number>;
  size: number;
  truncated: boolean;
}

export interface PatchSimilarity {
  score: number;
  goldLines: number;
  modelLines: number;
  commonLines: number;
  /** Of the agent's changed lines, the share the gold patch also has. */
  precision: number;
  /** Of the gold patch's changed lines, the share the agent's patch also has. */
  recall: number;
  truncated: { gold: boolean; model: boolean };
}

const HUNK_HEADER = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/;

/** `a/src/x.js`, `"b/with space.js"` or `b/x.js<TAB>date` -> `src/x.js`. */
function headerPath(raw: string): string {
  let path = raw.split("\t")[0]!.trim();
  if (path.startsWith('"') && path.endsWith('"') && path.length >= 2) path = path.slice(1, -1);
  return path.startsWith("a/") || path.startsWith("b/") ? path.slice(2) : path;
}

function normalizeLine(text: string): string {
  return text.replace(/\s+/g, "").slice(0, MAX_LINE_CHARS);
}

/** The changed lines of a unified diff, as a multiset keyed by file, sign and text. */
export function changedLines(patch: string): ChangedLines {
  const result: ChangedLines = { lines: new Map(), size: 0, truncated: false };
  let text = patch;
  if (text.length > MAX_PATCH_CHARS) {
    result.truncated = true;
    // Cut mid-line rather than at the last newline: a single huge line must still count.
    text = text.slice(0, MAX_PATCH_CHARS);
  }

  let file = "";
  let oldPath = "";
  let oldLeft = 0;
  let newLeft = 0;
  let removed: string[] = [];
  let added: string[] = [];

  let full = false;
  const add = (key: string) => {
    if (result.size >= MAX_CHANGED_LINES) {
      full = true;
      result.truncated = true;
      return;
    }
    result.lines.set(key, (result.lines.get(key) ?? 0) + 1);
    result.size++;
  };
  // Ends a run of -/+ lines: cancels whitespace-only edits, then counts what is left.
  const flush = () => {
    if (removed.length === 0 && added.length === 0) return;
    const pending = new Map<string, number>();
    for (const line of removed) pending.set(line, (pending.get(line) ?? 0) + 1);
    const kept: string[] = [];
    for (const line of added) {
      const count = pending.get(line) ?? 0;
      if (count > 0) pending.set(line, count - 1);
      else kept.push(line);
    }
    for (const [line, count] of pending) for (let i = 0; i < count; i++) add(`${file}\0-${line}`);
    for (const line of kept) add(`${file}\0+${line}`);
    removed = [];
    added = [];
  };

  for (const line of text.split("\n")) {
    if (full) break;
    if (oldLeft > 0 || newLeft > 0) {
      // Inside a hunk the header's line counts, not the first character alone, say where it
      // ends: a removed line whose text is "-- a/x" must not read as a file header.
      const mark = line[0];
      if (mark === "-" && oldLeft > 0) {
        oldLeft--;
        const normalized = normalizeLine(line.slice(1));
        if (normalized !== "") removed.push(normalized);
        continue;
      }
      if (mark === "+" && newLeft > 0) {
        newLeft--;
        const normalized = normalizeLine(line.slice(1));
        if (normalized !== "") added.push(normalized);
        continue;
      }
      if (mark === "\\") continue;
      if (mark === " " || line === "" || line === "\r") {
        flush();
        oldLeft--;
        newLeft--;
        continue;
      }
      // A hunk shorter than its header promised: read on as headers.
      oldLeft = 0;
      newLeft = 0;
    }
    flush();
    if (line.startsWith("diff --git ")) {
      const at = line.lastIndexOf(" b/");
      file = at === -1 ? line.slice("diff --git ".length) : line.slice(at + 3);
      oldPath = file;
    } else if (line.startsWith("--- ")) {
      oldPath = headerPath(line.slice(4));
    } else if (line.startsWith("+++ ")) {
      const newPath = headerPath(line.slice(4));
      file = newPath === "/dev/null" ? oldPath : newPath;
    } else {
      const hunk = HUNK_HEADER.exec(line);
      if (hunk) {
        oldLeft = hunk[1] === undefined ? 1 : Number(hunk[1]);
        newLeft = hunk[2] === undefined ? 1 : Number(hunk[2]);
      }
    }
  }
  flush();
  return result;
}

/** Compares two unified diffs by the formula at the top of this file. Pure. */
export function comparePatches(gold: string, model: string): PatchSimilarity {
  const g = changedLines(gold);
  const m = changedLines(model);
  let common = 0;
  for (const [key, count] of m.lines) common += Math.min(count, g.lines.get(key) ?? 0);
  const score = g.size === 0 || m.size === 0 ? 0 : (2 * common) / (g.size + m.size);
  return {
    score,
    goldLines: g.size,
    modelLines: m.size,
    commonLines: common,
    precision: m.size === 0 ? 0 : common / m.size,
    recall: g.size === 0 ? 0 : common / g.size,
    truncated: { gold: g.truncated, model: m.truncated },
  };
}

export const createPatchSimilarityScorer: ScorerFactory = (options) => {
  parseScorerOptions("patch-similarity", z.strictObject({}), options);
  const scorer: Scorer = {
    name: "patch-similarity",
    async score(context: ScoreContext): Promise<ScoreResult> {
      const { score, ...rest } = comparePatches(context.scenario.patch, context.modelPatch);
      const details: Record<string, unknown> = { ...rest };
      if (rest.goldLines === 0)
        details.reason = "the gold patch has no changed lines once whitespace is ignored";
      else if (rest.modelLines === 0) details.reason = "the agent's patch has no changed lines";
      if (rest.truncated.gold || rest.truncated.model) {
        details.limits = {
          maxPatchChars: MAX_PATCH_CHARS,
          maxChangedLines: MAX_CHANGED_LINES,
          maxLineChars: MAX_LINE_CHARS,
        };
      }
      return { score, details };
    },
  };
  return scorer;
};
