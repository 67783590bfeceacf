import type { ApplicationFunction, Probot } from "probot";
import { describeError } from "../core/errors.js";
import { createBacklog } from "./backlog.js";
import { Coalescer, systemClock } from "./coalesce.js";
import { MemoryDeliveryStore } from "./dedupe.js";
import type { HandlerDeps, PendingPush } from "./deps.js";
import { onIssueComment } from "./handlers/commands.js";
import { onInstallation } from "./handlers/installation.js";
import { onPullRequestClosed } from "./handlers/pull-request.js";
import { dispatchMining, onPush } from "./handlers/push.js";
import { onWorkflowRun } from "./handlers/workflow-run.js";
import { appOptionsFromEnv, type RepogymAppOptions } from "./options.js";

/** The webhook events the app handles; bot/app.yml subscribes to exactly these (installation events always arrive). */
export const HANDLED_EVENTS = [
  "installation.created",
  "installation_repositories.added",
  "push",
  "pull_request.closed",
  "issue_comment.created",
  "workflow_run.completed",
] as const;

export type RepogymApp = ApplicationFunction & {
  /** Resolves when the follow-up work started so far (installations, trailing pushes) is done. */
  idle(): Promise<void>;
  /** Starts the trailing mining runs still waiting for their burst to end (on shutdown). */
  flush(): void;
};

interface Guardable {
  id: string;
  name: string;
  log: { info(message: string): void; error(message: string): void };
}

/**
 * The repogym GitHub App: webhooks in, workflow dispatches, comments and check runs out. The
 * heavy work (mining, agent runs) is dispatched to GitHub Actions; a handler makes a few API
 * calls and returns, well inside GitHub's 10-second webhook timeout.
 */
export function createRepogymApp(options: RepogymAppOptions = {}): RepogymApp {
  const deliveries = options.deliveries ?? new MemoryDeliveryStore();
  const clock = options.clock ?? systemClock;
  let current: HandlerDeps | undefined;

  const appFn = (app: Probot): void => {
    const inlineBudgetMs = options.inlineBudgetMs ?? 3000;
    const backlog = createBacklog({
      inline: inlineBudgetMs === Number.POSITIVE_INFINITY,
      onError: (label, error) => app.log.error(`${label}: ${describeError(error)}`),
    });
    const deps: HandlerDeps = {
      dryRun: options.dryRun ?? false,
      onboarding: options.onboarding ?? true,
      coalesce: options.coalesce ?? true,
      inlineBudgetMs,
      backlog,
      deliveries,
      coalescer: new Coalescer<PendingPush>(clock, (key, push) => {
        const label = `mining ${key} after a burst of pushes`;
        backlog
          .add(label, async () => {
            await dispatchMining(deps, push, " (the last push of a burst)");
          })
          .catch((error: unknown) => app.log.error(`${label}: ${describeError(error)}`));
      }),
      ...(options.artifactLimits ? { artifactLimits: options.artifactLimits } : {}),
    };
    current = deps;

    /**
     * Once per delivery: a redelivered event (same `x-github-delivery`) does nothing. A failure
     * is logged as one line that says what to do, and lets a redelivery try again.
     */
    const guard =
      <C extends Guardable>(handler: (context: C) => Promise<void>) =>
      async (context: C): Promise<void> => {
        if (!deliveries.claim(context.id)) {
          context.log.info(`delivery ${context.id} (${context.name}) was handled before: ignoring it`);
          return;
        }
        try {
          await handler(context);
          deliveries.complete(context.id);
        } catch (error) {
          deliveries.release(context.id);
          const message = `${context.name} (delivery ${context.id}) failed: ${describeError(error)}`;
          context.log.error(message);
          // A plain error: GitHub is answered 500, not the status of whatever call failed.
          throw new Error(message);
        }
      };

    app.onError((error) => {
      if (/signature does not match/i.test(error.message)) {
        app.log.warn(
          "Refused a delivery whose signature does not match WEBHOOK_SECRET. If GitHub sent it, the app's webhook secret (its settings → Webhook) and WEBHOOK_SECRET differ; otherwise someone is sending forged deliveries.",
        );
      }
    });
    app.on(["installation.created", "installation_repositories.added"], guard(onInstallation(deps)));
    app.on("push", guard(onPush(deps)));
    app.on("pull_request.closed", guard(onPullRequestClosed(deps)));
    app.on("issue_comment.created", guard(onIssueComment(deps)));
    app.on("workflow_run.completed", guard(onWorkflowRun(deps)));
  };

  return Object.assign(appFn, {
    idle: async () => {
      await current?.backlog.idle();
    },
    flush: () => current?.coalescer.flush(),
  });
}

/**
 * The app as `probot run ./dist/bot/app.js`, `probot receive ./dist/bot/app.js` or any Probot
 * server loads it, with the switches of the environment (REPOGYM_BOT_DRY_RUN, ...).
 */
const app: RepogymApp = createRepogymApp(appOptionsFromEnv(process.env));
export default app;
