import { ConfigError } from "../core/errors.js";
import type { ReportInput } from "./report-input.js";
import { renderReport } from "./results-markdown.js";

export type { PrScenarioOutcome, ReportInput, ReportLinks } from "./report-input.js";

/** GitHub rejects comment bodies over 65,536 characters; stay below with room to spare. */
export const COMMENT_MAX_LENGTH = 65_000;

export const DEFAULT_COMMENT_KEY = "default";

const KEY = /^[A-Za-z0-9_.-]{1,64}$/;

export interface CommentInput extends ReportInput {
  /** Tells apart several sticky comments on one PR (one per workflow or agent). */
  key?: string;
  /** Characters; defaults to COMMENT_MAX_LENGTH. */
  maxLength?: number;
}

/**
 * The hidden first line that marks repogym's sticky comment, so the Action finds and updates
 * it in place. The key is restricted so it cannot end the HTML comment or forge another key.
 */
export function commentMarker(key: string = DEFAULT_COMMENT_KEY): string {
  if (!KEY.test(key)) {
    throw new ConfigError(
      `comment key ${JSON.stringify(key.slice(0, 80))} must be 1-64 letters, digits, '_', '.' or '-'`,
      "comment-key",
    );
  }
  return `<!-- repogym:comment key=${key} -->`;
}

/** True when a comment body is repogym's sticky comment for `key`: the marker must be its first line. */
export function isRepogymComment(
  body: string | null | undefined,
  key: string = DEFAULT_COMMENT_KEY,
): boolean {
  if (!body) return false;
  const first = body.split("\n", 1)[0]!.replace(/\r$/, "").trim();
  return first === commentMarker(key);
}

/**
 * The sticky PR comment (pure). If it would be over `maxLength`, per-scenario details go
 * first, then change rows beyond the top ones; the comment says what it left out.
 */
export function renderComment(input: CommentInput): string {
  return renderReport(input, {
    marker: commentMarker(input.key),
    heading: "### 🏋️ repogym",
    size: (text) => text.length,
    limit: input.maxLength ?? COMMENT_MAX_LENGTH,
    cutNote: "_This comment was cut to fit GitHub's size limit; see the artifact for the full results._",
  });
}
