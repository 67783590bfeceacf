/**
 * Problem statements are written from what a developer knew before the fix: the commit or
 * PR message and the failing tests. Anything that would point at the fix itself (hashes,
 * links to commits and PRs, "fixes #N" trailers) is stripped.
 */

const TRAILER =
  /^(?:(?:fix(?:es|ed)?|close[sd]?|resolve[sd]?|refs?|see|related(?: to)?|part of)\s*:?\s*(?:[\w.-]+\/[\w.-]+)?#\d+.*|(?:signed-off-by|co-authored-by|reviewed-by|acked-by|tested-by|reported-by|suggested-by|pr-url|reviewed-on|change-id|cherry picked from commit)\b.*)$/i;

/** Removes what would leak the fix from a commit or PR message. Pure. */
export function sanitizeMessage(message: string): string {
  const lines = message.replace(/\r\n/g, "\n").split("\n");
  const kept = lines
    .filter((line) => !TRAILER.test(line.trim()))
    .map((line) =>
      line
        // Links to commits, pull requests, issues and compare views on any forge.
        .replace(/https?:\/\/\S+\/(?:commit|commits|pull|pulls|merge_requests|compare|issues)\/\S+/gi, "")
        .replace(/(?:[\w.-]+\/[\w.-]+)?#\d+\b/g, "")
        .replace(/\b[0-9a-f]{7,40}\b/g, (word) => (/[0-9]/.test(word) && /[a-f]/.test(word) ? "" : word))
        .replace(/\(\s*\)/g, "")
        .replace(/[ \t]+$/g, "")
        .replace(/ {2,}/g, " "),
    );
  return kept
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** The title and body of a change: a merge commit's PR title lives in its body. */
export function splitMessage(message: string, isMerge: boolean): { title: string; body: string } {
  const lines = message.trim().split("\n");
  const first = lines[0] ?? "";
  const rest = lines.slice(1).join("\n").trim();
  if (isMerge && /^Merge (?:pull request|branch)\b/i.test(first) && rest !== "") {
    const restLines = rest.split("\n");
    return { title: restLines[0] ?? "", body: restLines.slice(1).join("\n").trim() };
  }
  return { title: first, body: rest };
}

/** `Merge pull request #12 from ...` or a squash title ending in `(#12)`. */
export function pullNumberOf(message: string): number | undefined {
  const first = message.trim().split("\n")[0] ?? "";
  const match = /^Merge pull request #(\d+)\b/.exec(first) ?? /\(#(\d+)\)\s*$/.exec(first);
  return match ? Number(match[1]) : undefined;
}

export interface FailingTest {
  id: string;
  message?: string;
}

export interface ProblemStatementInput {
  message: string;
  isMerge: boolean;
  failingTests: FailingTest[];
  testsVisible: boolean;
}

const MAX_LISTED = 20;

export function buildProblemStatement(input: ProblemStatementInput): string {
  const { title, body } = splitMessage(input.message, input.isMerge);
  const parts = [sanitizeMessage(title) || "Fix the failing behaviour"];
  const cleanBody = sanitizeMessage(body);
  if (cleanBody) parts.push(cleanBody);
  if (input.testsVisible) {
    const listed = input.failingTests.slice(0, MAX_LISTED).map((t) => {
      const detail = t.message
        ? `\n${indent(sanitizeMessage(t.message).split("\n").slice(0, 6).join("\n"))}`
        : "";
      return `- ${t.id}${detail}`;
    });
    const more =
      input.failingTests.length > MAX_LISTED
        ? `\n- ... and ${input.failingTests.length - MAX_LISTED} more`
        : "";
    parts.push(`These tests fail and must pass after your change:\n${listed.join("\n")}${more}`);
    parts.push("Make the failing tests pass without changing the tests. Existing tests must keep passing.");
  } else {
    parts.push("Fix the problem described above. Hidden tests will check the behaviour.");
  }
  return `${parts.join("\n\n")}\n`;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}
