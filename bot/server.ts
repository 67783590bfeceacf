/**
 * The app as a long-running server: `node dist/bot/server.js`. Webhooks arrive on
 * POST WEBHOOK_PATH (default /api/github/webhooks), signatures are checked on the raw body;
 * GET /healthz answers 200 for load balancers. Environment: see the README's "GitHub App".
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, createProbot } from "probot";
import { createRepogymApp } from "./app.js";
import { createBotOctokit } from "./octokit.js";
import { appOptionsFromEnv } from "./options.js";
import { readServerEnv } from "./server-env.js";

const SHUTDOWN_GRACE_MS = 25_000;

const env = readServerEnv(process.env);
if (!env.ok) {
  console.error(`repogym app: cannot start:\n${env.problems.map((p) => `  - ${p}`).join("\n")}`);
  process.exit(1);
}
const { settings } = env;
const probot = createProbot({
  env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL || "info" },
  overrides: {
    appId: settings.appId,
    privateKey: settings.privateKey,
    secret: settings.secret,
    webhookPath: settings.webhookPath,
    ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}),
    Octokit: createBotOctokit(),
  },
});
const app = createRepogymApp(appOptionsFromEnv(process.env));
const middleware = await createNodeMiddleware(app, { probot, webhooksPath: settings.webhookPath });

const server = createServer((request, response) => {
  if (request.method === "GET" && request.url === "/healthz") {
    response.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
    return;
  }
  void middleware(request, response, () => {
    response.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
  });
});

server.listen(settings.port, settings.host, () => {
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  probot.log.info(`repogym app listening on http://${host}:${port}${settings.webhookPath}`);
});

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  probot.log.info(`${signal}: finishing the work in hand, then stopping`);
  server.close();
  // Pushes waiting for their burst to end are dispatched now rather than lost.
  app.flush();
  const timer = setTimeout(() => {
    probot.log.warn(`still busy after ${SHUTDOWN_GRACE_MS / 1000}s: stopping anyway`);
    process.exit(1);
  }, SHUTDOWN_GRACE_MS);
  timer.unref();
  await app.idle();
  process.exit(0);
};
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
