/**
 * The app inside GitHub Actions, through @probot/adapter-github-actions: the workflow's event
 * (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH) is handled once with the workflow's GITHUB_TOKEN.
 * See the README's "GitHub App" section for the workflow that runs it.
 */
import { run } from "@probot/adapter-github-actions";
import { createRepogymApp } from "./app.js";
import { appOptionsFromEnv } from "./options.js";

type AdapterApp = Parameters<typeof run>[0];

// One event per process: every push dispatches (repogym.yml's concurrency group coalesces
// runs), and everything is done before the job ends.
const app = createRepogymApp({
  ...appOptionsFromEnv(process.env),
  coalesce: false,
  inlineBudgetMs: Number.POSITIVE_INFINITY,
});

// The adapter logs a failed handler as an error annotation; the job should fail too.
const failing: AdapterApp = async (probot, options) => {
  probot.onError(() => {
    process.exitCode = 1;
  });
  // The adapter brings its own Probot (13); the app uses only what both versions have.
  await (app as unknown as (p: typeof probot, o: typeof options) => Promise<void> | void)(probot, options);
};

await run(failing);
