/** GitHub App endpoints (authenticated with the app's JWT), for Probot. */
import { type HandlerContext, type Handlers, json, notFound, paginate } from "../handler.js";
import * as shapes from "../shapes.js";
import type { FakeInstallation } from "../state.js";

function installationBody(ctx: HandlerContext, installation: FakeInstallation) {
  return shapes.installation(installation, ctx.state.app!, ctx.urls);
}

function byAccount(ctx: HandlerContext, login: string): FakeInstallation | undefined {
  return [...ctx.state.installations.values()].find(
    (i) => i.account.login.toLowerCase() === login.toLowerCase(),
  );
}

export const appHandlers: Handlers = {
  "apps/get-authenticated": {
    auth: "app",
    handle(ctx) {
      return json(200, shapes.app(ctx.state.app!, ctx.urls, ctx.state.installations.size));
    },
  },

  "apps/list-installations": {
    auth: "app",
    handle(ctx) {
      const page = paginate(ctx, [...ctx.state.installations.values()]);
      return json(
        200,
        page.items.map((i) => installationBody(ctx, i)),
        page.headers,
      );
    },
  },

  "apps/get-installation": {
    auth: "app",
    handle(ctx) {
      const installation = ctx.state.installations.get(Number(ctx.params.installation_id));
      return installation ? json(200, installationBody(ctx, installation)) : notFound(ctx);
    },
  },

  "apps/get-repo-installation": {
    auth: "app",
    handle(ctx) {
      const installation = [...ctx.state.installations.values()].find((i) =>
        ctx.state.installationCovers(i, ctx.repo),
      );
      return installation ? json(200, installationBody(ctx, installation)) : notFound(ctx);
    },
  },

  "apps/get-org-installation": {
    auth: "app",
    handle(ctx) {
      const installation = byAccount(ctx, String(ctx.params.org));
      return installation ? json(200, installationBody(ctx, installation)) : notFound(ctx);
    },
  },

  "apps/get-user-installation": {
    auth: "app",
    handle(ctx) {
      const installation = byAccount(ctx, String(ctx.params.username));
      return installation ? json(200, installationBody(ctx, installation)) : notFound(ctx);
    },
  },

  "apps/create-installation-access-token": {
    auth: "app",
    handle(ctx) {
      const installation = ctx.state.installations.get(Number(ctx.params.installation_id));
      if (!installation) return notFound(ctx);
      // Tokens expire an hour from now on the real clock (Octokit's auth caches by it).
      const expires = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
      return json(201, {
        token: installation.token,
        expires_at: expires,
        permissions: installation.permissions,
        repository_selection: installation.repositories ? "selected" : "all",
      });
    },
  },
};
