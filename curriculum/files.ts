/**
 * What an export is made of before it is written: files as data (plan, then apply), with
 * paths relative to the export folder, and the names that depend on a train/test split.
 */
import type { Split } from "./solve-rate.js";

export interface ExportFile {
  /** Relative to the export folder, posix separators, no `..`. */
  path: string;
  content: string | Uint8Array;
  /** Written with the executable bit (scripts). */
  executable?: boolean;
}

/**
 * Rows grouped by split: one group named `undefined` without a split, else `train` and `test`
 * (both always present, so a side with no rows still gets its files).
 */
export function bySplit<T>(items: readonly T[], splitOf: (item: T) => Split | undefined, split: boolean) {
  if (!split) return [{ split: undefined, items: [...items] }];
  return (["train", "test"] as const).map((name) => ({
    split: name,
    items: items.filter((i) => splitOf(i) === name),
  }));
}

/** `name` or `name.train` / `name.test`. */
export function splitName(name: string, split: Split | undefined): string {
  return split === undefined ? name : `${name}.${split}`;
}
