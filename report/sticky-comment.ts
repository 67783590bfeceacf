import { isRepogymComment } from "./comment.js";

/** A comment as the sticky-comment logic needs it. */
export interface StickyComment {
  id: number;
  body: string;
}

/**
 * The four comment calls the sticky comment needs. The Action's GitHubClient and the app's
 * BotGitHub both have them; the logic below does no I/O of its own.
 */
export interface CommentPort<C extends StickyComment> {
  listIssueComments(issue: number): Promise<C[]>;
  createIssueComment(issue: number, body: string): Promise<C>;
  updateIssueComment(id: number, body: string): Promise<C>;
  deleteIssueComment(id: number): Promise<void>;
}

/**
 * Creates or updates the one repogym comment of a pull request (per key). The comment is
 * found by its hidden marker, so a second run edits it in place. If two runs raced and both
 * created one, the oldest is kept and updated and the others are deleted: one comment, always.
 */
export async function upsertStickyComment<C extends StickyComment>(
  port: CommentPort<C>,
  issue: number,
  key: string,
  body: string,
): Promise<{ comment: C; created: boolean }> {
  const existing = (await port.listIssueComments(issue)).filter((c) => isRepogymComment(c.body, key));
  const first = existing[0];
  if (first) {
    const comment = await port.updateIssueComment(first.id, body);
    for (const extra of existing.slice(1)) await port.deleteIssueComment(extra.id);
    return { comment, created: false };
  }
  const comment = await port.createIssueComment(issue, body);
  const after = (await port.listIssueComments(issue)).filter((c) => isRepogymComment(c.body, key));
  if (after.length > 1 && after[0]!.id !== comment.id) {
    // Another run created one first: keep theirs (the oldest), carry our body, drop ours.
    const kept = await port.updateIssueComment(after[0]!.id, body);
    for (const extra of after.slice(1)) await port.deleteIssueComment(extra.id);
    return { comment: kept, created: false };
  }
  return { comment, created: true };
}
