/** Issues (read), issue comments and comment reactions. */
import {
  type HandlerContext,
  type Handlers,
  json,
  noContent,
  notFound,
  type PermissionRequirement,
  paginate,
  str,
} from "../handler.js";
import * as shapes from "../shapes.js";
import type { CommentState, ReactionState } from "../state.js";

// Comments on pull requests are accepted with either permission, as on GitHub.
const READ: PermissionRequirement = [
  ["issues", "read"],
  ["pull_requests", "read"],
];
const WRITE: PermissionRequirement = [
  ["issues", "write"],
  ["pull_requests", "write"],
];

function findComment(ctx: HandlerContext): CommentState | undefined {
  return ctx.repo.comments.get(Number(ctx.params.comment_id));
}

export const issueHandlers: Handlers = {
  "issues/get": {
    permission: READ,
    handle(ctx) {
      const issue = ctx.repo.issues.get(Number(ctx.params.issue_number));
      return issue ? json(200, shapes.issue(ctx.repo, issue, ctx.urls)) : notFound(ctx);
    },
  },

  "issues/list-comments": {
    permission: READ,
    handle(ctx) {
      const number = Number(ctx.params.issue_number);
      if (!ctx.repo.issues.has(number)) return notFound(ctx);
      const since = ctx.query.since ? Date.parse(ctx.query.since) : undefined;
      const comments = ctx.repo
        .commentsOn(number)
        .filter((c) => since === undefined || Date.parse(c.updatedAt) >= since);
      const page = paginate(ctx, comments);
      return json(
        200,
        page.items.map((c) => shapes.issueComment(ctx.repo, c, ctx.urls)),
        page.headers,
      );
    },
  },

  "issues/create-comment": {
    permission: WRITE,
    handle(ctx) {
      const number = Number(ctx.params.issue_number);
      if (!ctx.repo.issues.has(number)) return notFound(ctx);
      const comment = ctx.repo.addComment(number, str(ctx.body.body) ?? "", ctx.actor.login);
      const body = shapes.issueComment(ctx.repo, comment, ctx.urls);
      return json(201, body, { location: String(body.url) });
    },
  },

  "issues/get-comment": {
    permission: READ,
    handle(ctx) {
      const comment = findComment(ctx);
      return comment ? json(200, shapes.issueComment(ctx.repo, comment, ctx.urls)) : notFound(ctx);
    },
  },

  "issues/update-comment": {
    permission: WRITE,
    handle(ctx) {
      const comment = findComment(ctx);
      if (!comment) return notFound(ctx);
      comment.body = str(ctx.body.body) ?? comment.body;
      comment.updatedAt = ctx.state.now();
      return json(200, shapes.issueComment(ctx.repo, comment, ctx.urls));
    },
  },

  "issues/delete-comment": {
    permission: WRITE,
    handle(ctx) {
      const comment = findComment(ctx);
      if (!comment) return notFound(ctx);
      ctx.repo.comments.delete(comment.id);
      return noContent();
    },
  },

  "reactions/list-for-issue-comment": {
    permission: READ,
    handle(ctx) {
      const comment = findComment(ctx);
      if (!comment) return notFound(ctx);
      const content = ctx.query.content;
      const page = paginate(
        ctx,
        comment.reactions.filter((r) => !content || r.content === content),
      );
      return json(
        200,
        page.items.map((r) => shapes.reaction(r, ctx.urls)),
        page.headers,
      );
    },
  },

  "reactions/create-for-issue-comment": {
    permission: WRITE,
    handle(ctx) {
      const comment = findComment(ctx);
      if (!comment) return notFound(ctx);
      const content = str(ctx.body.content) ?? "";
      const existing = comment.reactions.find((r) => r.content === content && r.user.id === ctx.actor.id);
      if (existing) return json(200, shapes.reaction(existing, ctx.urls));
      const created: ReactionState = {
        id: ctx.state.nextId(),
        content,
        user: ctx.actor,
        createdAt: ctx.state.now(),
      };
      comment.reactions.push(created);
      return json(201, shapes.reaction(created, ctx.urls));
    },
  },

  "reactions/delete-for-issue-comment": {
    permission: WRITE,
    handle(ctx) {
      const comment = findComment(ctx);
      const index = comment?.reactions.findIndex((r) => r.id === Number(ctx.params.reaction_id)) ?? -1;
      if (!comment || index < 0) return notFound(ctx);
      comment.reactions.splice(index, 1);
      return noContent();
    },
  },
};
