import { isRepogymComment } from "../report/comment.js";
import type { GitHubClient, IssueComment } from "./github.js";

/**
 * Creates or updates the one repogym comment of a pull request (per key). The comment is
 * found by its hidden marker, so a second run edits it in place. If two runs raced and both
 * created one, the oldest is kept and updated and the others are deleted: one comment, always.
 */
export async function upsertComment(
  client: GitHubClient,
  issue: number,
  key: string,
  body: string,
): Promise<{ comment: IssueComment; created: boolean }> {
  const existing = (await client.listIssueComments(issue)).filter((c) => isRepogymComment(c.body, key));
  const first = existing[0];
  if (first) {
    const comment = await client.updateIssueComment(first.id, body);
    for (const extra of existing.slice(1)) await client.deleteIssueComment(extra.id);
    return { comment, created: false };
  }
  const comment = await client.createIssueComment(issue, body);
  const after = (await client.listIssueComments(issue)).filter((c) => isRepogymComment(c.body, key));
  if (after.length > 1 && after[0]!.id !== comment.id) {
    // Another run created one first: keep theirs (the oldest), carry our body, drop ours.
    const kept = await client.updateIssueComment(after[0]!.id, body);
    for (const extra of after.slice(1)) await client.deleteIssueComment(extra.id);
    return { comment: kept, created: false };
  }
  return { comment, created: true };
}
