/** Git data: blobs, trees, commits, refs. */
import type { FileMode, FlatEntry, GitObjectType, GitSignature } from "../git.js";
import {
  type HandlerContext,
  type Handlers,
  json,
  noContent,
  notFound,
  str,
  unprocessable,
} from "../handler.js";
import * as shapes from "../shapes.js";

const READ: Array<["contents", "read"]> = [["contents", "read"]];
const WRITE: Array<["contents", "write"]> = [["contents", "write"]];

/** `heads/main` → `refs/heads/main` (the path parameter has no `refs/` prefix). */
function fullRef(ref: string): string {
  return ref.startsWith("refs/") ? ref : `refs/${ref}`;
}

function signature(ctx: HandlerContext, value: unknown, fallback: GitSignature): GitSignature {
  if (typeof value !== "object" || value === null) return fallback;
  const v = value as Record<string, unknown>;
  return {
    name: str(v.name) ?? fallback.name,
    email: str(v.email) ?? fallback.email,
    date: str(v.date) ?? ctx.state.now(),
  };
}

/** A tree SHA for a tree SHA, a commit SHA, or a ref name (GET trees accepts all three). */
function treeFor(ctx: HandlerContext, treeish: string): string | undefined {
  const git = ctx.repo.git;
  if (git.tree(treeish)) return treeish;
  const commit = git.resolve(treeish);
  return commit ? git.commit(commit)?.tree : undefined;
}

interface TreeInput {
  path?: unknown;
  mode?: unknown;
  type?: unknown;
  sha?: unknown;
  content?: unknown;
}

export const gitHandlers: Handlers = {
  "git/get-blob": {
    permission: READ,
    handle(ctx) {
      const sha = String(ctx.params.file_sha);
      return ctx.repo.git.blob(sha) ? json(200, shapes.blob(ctx.repo, sha, ctx.urls)) : notFound(ctx);
    },
  },

  "git/create-blob": {
    permission: WRITE,
    handle(ctx) {
      const encoding = str(ctx.body.encoding) ?? "utf-8";
      const content = str(ctx.body.content) ?? "";
      if (encoding !== "utf-8" && encoding !== "utf8" && encoding !== "base64") {
        return unprocessable(ctx, `encoding must be "utf-8" or "base64", not ${JSON.stringify(encoding)}`);
      }
      const sha = ctx.repo.git.writeBlob(encoding === "base64" ? Buffer.from(content, "base64") : content);
      const url = `${ctx.urls.api}/repos/${ctx.repo.fullName}/git/blobs/${sha}`;
      return json(201, { url, sha }, { location: url });
    },
  },

  "git/get-tree": {
    permission: READ,
    handle(ctx) {
      const tree = treeFor(ctx, String(ctx.params.tree_sha));
      if (!tree) return notFound(ctx);
      // Any value of `recursive` (even 0 or "false") turns recursion on, as documented.
      return json(200, shapes.gitTree(ctx.repo, tree, ctx.query.recursive !== undefined, ctx.urls));
    },
  },

  "git/create-tree": {
    permission: WRITE,
    handle(ctx) {
      const git = ctx.repo.git;
      const baseTree = str(ctx.body.base_tree);
      if (baseTree !== undefined && !git.tree(baseTree))
        return unprocessable(ctx, "base_tree is not a valid tree");
      const files = baseTree ? git.flatten(baseTree) : new Map<string, FlatEntry>();
      const removeUnder = (path: string) => {
        files.delete(path);
        for (const key of [...files.keys()]) if (key.startsWith(`${path}/`)) files.delete(key);
      };
      for (const raw of (ctx.body.tree as TreeInput[] | undefined) ?? []) {
        const path = str(raw.path)?.replace(/^\/+|\/+$/g, "");
        const mode = str(raw.mode) as FileMode | undefined;
        const type = str(raw.type) as GitObjectType | undefined;
        if (!path) return unprocessable(ctx, "tree.path is required");
        if ("sha" in raw && "content" in raw && raw.sha !== null && raw.content !== undefined) {
          return unprocessable(ctx, "Use either tree.sha or content, not both");
        }
        if (raw.sha === null) {
          removeUnder(path);
          continue;
        }
        if (!mode || !type) return unprocessable(ctx, `tree.mode and tree.type are required for ${path}`);
        if (typeof raw.content === "string") {
          if (type !== "blob") return unprocessable(ctx, `content given for ${path}, whose type is ${type}`);
          removeUnder(path);
          files.set(path, { mode, type, sha: git.writeBlob(raw.content) });
          continue;
        }
        const sha = str(raw.sha);
        if (!sha) return unprocessable(ctx, `tree.sha or content is required for ${path}`);
        if (type === "tree") {
          if (!git.tree(sha)) return unprocessable(ctx, `tree.sha ${sha} is not a valid tree`);
          removeUnder(path);
          for (const [sub, entry] of git.flatten(sha)) files.set(`${path}/${sub}`, entry);
        } else {
          if (type === "blob" && !git.blob(sha))
            return unprocessable(ctx, `tree.sha ${sha} is not a valid blob`);
          removeUnder(path);
          files.set(path, { mode, type, sha });
        }
      }
      const sha = git.buildTree(files);
      return json(201, shapes.gitTree(ctx.repo, sha, false, ctx.urls), {
        location: `${ctx.urls.api}/repos/${ctx.repo.fullName}/git/trees/${sha}`,
      });
    },
  },

  "git/get-commit": {
    permission: READ,
    handle(ctx) {
      const commit = ctx.repo.git.commit(String(ctx.params.commit_sha));
      return commit ? json(200, shapes.gitCommit(ctx.repo, commit, ctx.urls)) : notFound(ctx);
    },
  },

  "git/create-commit": {
    permission: WRITE,
    handle(ctx) {
      const git = ctx.repo.git;
      const tree = str(ctx.body.tree) ?? "";
      if (!git.tree(tree)) return unprocessable(ctx, "Tree SHA does not exist");
      const parents = ((ctx.body.parents as unknown[] | undefined) ?? []).map(String);
      if (parents.some((p) => !git.commit(p))) {
        return unprocessable(ctx, "Parent SHA does not exist or is not a commit object");
      }
      const defaultSignature = ctx.repo.signature(ctx.actor.login);
      const author = signature(ctx, ctx.body.author, defaultSignature);
      const committer = signature(ctx, ctx.body.committer, ctx.body.author ? author : defaultSignature);
      const sha = git.writeCommit({ tree, parents, author, committer, message: str(ctx.body.message) ?? "" });
      const body = shapes.gitCommit(ctx.repo, git.commit(sha)!, ctx.urls);
      return json(201, body, { location: String(body.url) });
    },
  },

  "git/get-ref": {
    permission: READ,
    handle(ctx) {
      const name = fullRef(String(ctx.params.ref));
      const sha = ctx.repo.git.refs.get(name);
      return sha ? json(200, shapes.gitRef(ctx.repo, name, sha, ctx.urls)) : notFound(ctx);
    },
  },

  "git/list-matching-refs": {
    permission: READ,
    handle(ctx) {
      const prefix = fullRef(String(ctx.params.ref));
      const refs = [...ctx.repo.git.refs.entries()]
        .filter(([name]) => name.startsWith(prefix))
        .sort(([a], [b]) => a.localeCompare(b));
      return json(
        200,
        refs.map(([name, sha]) => shapes.gitRef(ctx.repo, name, sha, ctx.urls)),
      );
    },
  },

  "git/create-ref": {
    permission: WRITE,
    handle(ctx) {
      const name = str(ctx.body.ref) ?? "";
      const sha = str(ctx.body.sha) ?? "";
      if (!name.startsWith("refs/") || name.split("/").length < 3) {
        return unprocessable(ctx, `${name} is not a valid ref name.`);
      }
      if (!ctx.repo.git.get(sha)) return unprocessable(ctx, "Object does not exist");
      if (ctx.repo.git.refs.has(name)) return unprocessable(ctx, "Reference already exists");
      ctx.repo.git.refs.set(name, sha);
      const body = shapes.gitRef(ctx.repo, name, sha, ctx.urls);
      return json(201, body, { location: String(body.url) });
    },
  },

  "git/update-ref": {
    permission: WRITE,
    handle(ctx) {
      const name = fullRef(String(ctx.params.ref));
      const sha = str(ctx.body.sha) ?? "";
      const current = ctx.repo.git.refs.get(name);
      if (!current) return unprocessable(ctx, "Reference does not exist");
      if (!ctx.repo.git.get(sha)) return unprocessable(ctx, "Object does not exist");
      if (ctx.body.force !== true && !ctx.repo.git.isAncestor(current, sha)) {
        return unprocessable(ctx, "Update is not a fast forward");
      }
      ctx.repo.git.refs.set(name, sha);
      ctx.repo.pushedAt = ctx.state.now();
      return json(200, shapes.gitRef(ctx.repo, name, sha, ctx.urls));
    },
  },

  "git/delete-ref": {
    permission: WRITE,
    handle(ctx) {
      const name = fullRef(String(ctx.params.ref));
      if (!ctx.repo.git.refs.has(name)) return unprocessable(ctx, "Reference does not exist");
      ctx.repo.git.refs.delete(name);
      return noContent();
    },
  },
};
