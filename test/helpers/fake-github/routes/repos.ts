/** Repository, contents, collaborator permission, repository dispatch. */
import type { FlatEntry, GitSignature } from "../git.js";
import {
  errorReply,
  type HandlerContext,
  type Handlers,
  json,
  noContent,
  notFound,
  str,
  unprocessable,
} from "../handler.js";
import * as shapes from "../shapes.js";
import type { RepoRole } from "../state.js";

const ROLE_TO_PERMISSION: Record<RepoRole, "admin" | "write" | "read"> = {
  admin: "admin",
  maintain: "write",
  write: "write",
  triage: "read",
  read: "read",
};

function signature(ctx: HandlerContext, value: unknown): GitSignature | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  return { name: String(v.name ?? ""), email: String(v.email ?? ""), date: str(v.date) ?? ctx.state.now() };
}

function isBase64(text: string): boolean {
  return /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/.test(text);
}

export const repoHandlers: Handlers = {
  "repos/get": {
    handle(ctx) {
      const body = shapes.repository(ctx.repo, ctx.urls, true);
      const level = ctx.grant?.permissions.contents;
      body.permissions = {
        admin: level === "admin",
        maintain: level === "admin",
        push: level === "write" || level === "admin",
        triage: level !== undefined,
        pull: true,
      };
      return json(200, body);
    },
  },

  "repos/get-collaborator-permission-level": {
    handle(ctx) {
      const login = String(ctx.params.username);
      const account = ctx.state.account(login);
      const role = ctx.repo.role(login);
      const permission = role ? ROLE_TO_PERMISSION[role] : ctx.repo.private ? "none" : "read";
      return json(200, {
        permission,
        role_name: role ?? permission,
        user: {
          ...shapes.user(account, ctx.urls),
          permissions: {
            admin: permission === "admin",
            maintain: role === "maintain" || role === "admin",
            push: permission === "write" || permission === "admin",
            triage: permission !== "none",
            pull: permission !== "none",
          },
          role_name: role ?? permission,
        },
      });
    },
  },

  "repos/get-content": {
    permission: [["contents", "read"]],
    handle(ctx) {
      const refName = ctx.query.ref ?? ctx.repo.defaultBranch;
      const commitSha = ctx.repo.git.resolve(refName);
      if (!commitSha) return notFound(ctx, `No commit found for the ref ${refName}`);
      const path = String(ctx.params.path ?? "").replace(/^\/+|\/+$/g, "");
      const tree = ctx.repo.git.commit(commitSha)!.tree;
      const entry = ctx.repo.git.entryAt(tree, path);
      if (!entry) return notFound(ctx);
      if (entry.type === "tree") {
        const children = ctx.repo.git.tree(entry.sha)?.entries ?? [];
        return json(
          200,
          children.map((child) =>
            shapes.contentEntry(
              ctx.repo,
              path ? `${path}/${child.name}` : child.name,
              child,
              refName,
              ctx.urls,
            ),
          ),
        );
      }
      const accept = String(ctx.headers.accept ?? "");
      if (entry.type === "blob" && /\.raw\b/.test(accept)) {
        return {
          status: 200,
          body: ctx.repo.git.blob(entry.sha)!.content,
          headers: { "content-type": "application/vnd.github.raw; charset=utf-8" },
        };
      }
      return json(200, shapes.contentFile(ctx.repo, path, entry, refName, ctx.urls));
    },
  },

  "repos/create-or-update-file-contents": {
    permission: [["contents", "write"]],
    handle(ctx) {
      const git = ctx.repo.git;
      const path = String(ctx.params.path ?? "").replace(/^\/+|\/+$/g, "");
      const branch = str(ctx.body.branch) ?? ctx.repo.defaultBranch;
      const parent = ctx.repo.branchSha(branch);
      const emptyRepository = git.refs.size === 0 && branch === ctx.repo.defaultBranch;
      if (!parent && !emptyRepository) return notFound(ctx, `Branch ${branch} not found`);
      const content = str(ctx.body.content) ?? "";
      if (!isBase64(content)) return unprocessable(ctx, "content is not valid Base64");
      const files = parent ? git.flatten(git.commit(parent)!.tree) : new Map<string, FlatEntry>();
      const existing = files.get(path);
      const given = str(ctx.body.sha);
      if (existing) {
        if (given === undefined) return unprocessable(ctx, 'Invalid request.\n\n"sha" wasn\'t supplied.');
        if (given !== existing.sha)
          return errorReply(409, `${path} does not match ${given}`, ctx.operation.documentationUrl);
      } else if (parent && git.entryAt(git.commit(parent)!.tree, path)?.type === "tree") {
        return unprocessable(ctx, `${path} is a directory`);
      }
      const entry: FlatEntry = {
        mode: existing?.mode ?? "100644",
        type: "blob",
        sha: git.writeBlob(Buffer.from(content, "base64")),
      };
      files.set(path, entry);
      const fallback = ctx.repo.signature(ctx.actor.login);
      const committer = signature(ctx, ctx.body.committer) ?? fallback;
      const author = signature(ctx, ctx.body.author) ?? committer;
      const sha = git.writeCommit({
        tree: git.buildTree(files),
        parents: parent ? [parent] : [],
        author,
        committer,
        message: str(ctx.body.message) ?? "",
      });
      git.refs.set(`refs/heads/${branch}`, sha);
      ctx.repo.pushedAt = ctx.state.now();
      return json(
        existing ? 200 : 201,
        shapes.fileCommit(ctx.repo, path, entry, branch, git.commit(sha)!, ctx.urls),
      );
    },
  },

  "repos/create-dispatch-event": {
    permission: [["contents", "write"]],
    handle(ctx) {
      ctx.repo.repositoryDispatches.push({
        eventType: str(ctx.body.event_type) ?? "",
        clientPayload: (ctx.body.client_payload as Record<string, unknown> | undefined) ?? {},
        by: ctx.actor,
      });
      return noContent();
    },
  },
};
