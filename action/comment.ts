import { upsertStickyComment } from "../report/sticky-comment.js";
import type { GitHubClient, IssueComment } from "./github.js";

/**
 * Creates or updates the one repogym comment of a pull request (per key), through the
 * Action's client. The logic (find by marker, races resolved) is shared with the GitHub App:
 * see report/sticky-comment.ts.
 */
export function upsertComment(
  client: GitHubClient,
  issue: number,
  key: string,
  body: string,
): Promise<{ comment: IssueComment; created: boolean }> {
  return upsertStickyComment(client, issue, key, body);
}
