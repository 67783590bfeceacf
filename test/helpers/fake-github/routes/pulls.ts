/** Pull requests: list (state/head/base filters), get, changed files, create, update. */
import {
  type HandlerContext,
  type Handlers,
  json,
  notFound,
  paginate,
  str,
  validationFailed,
} from "../handler.js";
import * as shapes from "../shapes.js";
import type { IssueState } from "../state.js";

function headLabel(pull: IssueState): string {
  return `${pull.pull!.head.repo.owner.login}:${pull.pull!.head.ref}`;
}

/** An open PR other than `except` with the same head and base. */
function duplicateOf(
  ctx: HandlerContext,
  label: string,
  base: string,
  except?: IssueState,
): IssueState | undefined {
  return ctx.repo
    .pulls()
    .find(
      (p) =>
        p !== except &&
        p.state === "open" &&
        headLabel(p).toLowerCase() === label.toLowerCase() &&
        p.pull!.base.ref === base,
    );
}

function alreadyExists(ctx: HandlerContext, label: string) {
  return validationFailed(ctx, [
    { resource: "PullRequest", code: "custom", message: `A pull request already exists for ${label}.` },
  ]);
}

export const pullHandlers: Handlers = {
  "pulls/list": {
    permission: [["pull_requests", "read"]],
    handle(ctx) {
      const state = ctx.query.state ?? "open";
      const head = ctx.query.head;
      const base = ctx.query.base;
      let pulls = ctx.repo.pulls().filter((p) => state === "all" || p.state === state);
      if (head) {
        // `owner:branch`; GitHub also accepts a bare `owner` (every branch of that owner).
        pulls = pulls.filter((p) => {
          const label = headLabel(p).toLowerCase();
          return head.includes(":")
            ? label === head.toLowerCase()
            : label.startsWith(`${head.toLowerCase()}:`);
        });
      }
      if (base) pulls = pulls.filter((p) => p.pull!.base.ref === base);
      const sort = ctx.query.sort ?? "created";
      const direction = ctx.query.direction ?? (sort === "created" ? "desc" : "asc");
      const key = (p: IssueState) => (sort === "updated" ? p.updatedAt : p.createdAt);
      pulls.sort((a, b) => key(a).localeCompare(key(b)) || a.number - b.number);
      if (direction === "desc") pulls.reverse();
      const page = paginate(ctx, pulls);
      return json(
        200,
        page.items.map((p) => shapes.pullRequest(ctx.repo, p, ctx.urls, false)),
        page.headers,
      );
    },
  },

  "pulls/get": {
    permission: [["pull_requests", "read"]],
    handle(ctx) {
      const pull = ctx.repo.pull(Number(ctx.params.pull_number));
      return pull ? json(200, shapes.pullRequest(ctx.repo, pull, ctx.urls, true)) : notFound(ctx);
    },
  },

  "pulls/list-files": {
    permission: [["pull_requests", "read"]],
    handle(ctx) {
      const pull = ctx.repo.pull(Number(ctx.params.pull_number));
      if (!pull) return notFound(ctx);
      const page = paginate(ctx, shapes.pullFiles(ctx.repo, pull, ctx.urls));
      return json(200, page.items, page.headers);
    },
  },

  "pulls/create": {
    permission: [["pull_requests", "write"]],
    handle(ctx) {
      const headText = str(ctx.body.head) ?? "";
      const base = str(ctx.body.base) ?? "";
      const head = ctx.repo.headRepo(headText);
      const headSha = head?.repo.branchSha(head.ref);
      if (!head || !headSha) {
        return validationFailed(ctx, [{ resource: "PullRequest", field: "head", code: "invalid" }]);
      }
      const baseSha = ctx.repo.branchSha(base);
      if (!baseSha)
        return validationFailed(ctx, [{ resource: "PullRequest", field: "base", code: "invalid" }]);
      const label = `${head.repo.owner.login}:${head.ref}`;
      if (duplicateOf(ctx, label, base)) return alreadyExists(ctx, label);
      if (head.repo.git.isAncestor(headSha, baseSha)) {
        return validationFailed(ctx, [
          { resource: "PullRequest", code: "custom", message: `No commits between ${base} and ${head.ref}` },
        ]);
      }
      const title = str(ctx.body.title);
      if (!title)
        return validationFailed(ctx, [{ resource: "PullRequest", field: "title", code: "missing_field" }]);
      const pull = ctx.repo.addPull({
        head: headText,
        base,
        title,
        body: str(ctx.body.body) ?? null,
        user: ctx.actor.login,
        draft: ctx.body.draft === true,
      });
      pull.pull!.maintainerCanModify = ctx.body.maintainer_can_modify === true;
      const body = shapes.pullRequest(ctx.repo, pull, ctx.urls, true);
      return json(201, body, { location: String(body.url) });
    },
  },

  "pulls/update": {
    permission: [["pull_requests", "write"]],
    handle(ctx) {
      const pull = ctx.repo.pull(Number(ctx.params.pull_number));
      if (!pull) return notFound(ctx);
      const base = str(ctx.body.base);
      if (base !== undefined && !ctx.repo.branchSha(base)) {
        return validationFailed(ctx, [{ resource: "PullRequest", field: "base", code: "invalid" }]);
      }
      const state = str(ctx.body.state);
      const targetBase = base ?? pull.pull!.base.ref;
      if ((state === "open" || (state === undefined && pull.state === "open")) && !pull.pull!.merged) {
        if (duplicateOf(ctx, headLabel(pull), targetBase, pull)) return alreadyExists(ctx, headLabel(pull));
      }
      if (str(ctx.body.title) !== undefined) pull.title = str(ctx.body.title)!;
      if (ctx.body.body !== undefined) pull.body = str(ctx.body.body) ?? null;
      if (base !== undefined) pull.pull!.base.ref = base;
      if (typeof ctx.body.maintainer_can_modify === "boolean") {
        pull.pull!.maintainerCanModify = ctx.body.maintainer_can_modify;
      }
      if (state === "closed" && pull.state === "open") {
        pull.state = "closed";
        pull.closedAt = ctx.state.now();
      } else if (state === "open" && pull.state === "closed" && !pull.pull!.merged) {
        pull.state = "open";
        pull.closedAt = null;
      }
      pull.updatedAt = ctx.state.now();
      return json(200, shapes.pullRequest(ctx.repo, pull, ctx.urls, true));
    },
  },
};
