import type { Difficulty } from "../core/scenario.js";

/** Size features of a gold patch. Pure: counts files, hunks and changed lines in the diff text. */
export function measurePatch(patch: string, failToPass: number): Difficulty {
  let files = 0;
  let hunks = 0;
  let added = 0;
  let removed = 0;
  let inHeader = false;
  for (const line of patch.split("\n")) {
    if (line.startsWith("diff --git ")) {
      files++;
      inHeader = true;
    } else if (line.startsWith("@@")) {
      hunks++;
      inHeader = false;
    } else if (!inHeader && line.startsWith("+")) {
      added++;
    } else if (!inHeader && line.startsWith("-")) {
      removed++;
    }
  }
  return {
    files,
    hunks,
    lines_added: added,
    lines_removed: removed,
    lines: added + removed,
    fail_to_pass: failToPass,
  };
}
