import type { ArtifactLimits } from "./artifact.js";
import type { Backlog } from "./backlog.js";
import type { Coalescer } from "./coalesce.js";
import type { DeliveryStore } from "./dedupe.js";
import { BotGitHub, type BotLog, type Octokit, type RepoRef } from "./github.js";

/** A push waiting for its burst's trailing mining run. */
export interface PendingPush {
  sha: string;
  repo: RepoRef;
  defaultBranch: string;
  octokit: Octokit;
  log: BotLog;
}

/** What every handler gets from the app. */
export interface HandlerDeps {
  dryRun: boolean;
  onboarding: boolean;
  coalesce: boolean;
  /** How long an installation's repositories are set up before the webhook is answered. */
  inlineBudgetMs: number;
  backlog: Backlog;
  coalescer: Coalescer<PendingPush>;
  deliveries: DeliveryStore;
  artifactLimits?: ArtifactLimits;
}

/** The API client for a repository, with the context's token and log. */
export function clientFor(context: { octokit: Octokit; log: BotLog }, repo: RepoRef): BotGitHub {
  return new BotGitHub(context.octokit, repo, context.log);
}

/** `owner/name` → `{ owner, repo }`. */
export function repoRef(fullName: string): RepoRef {
  const [owner = "", repo = ""] = fullName.split("/");
  return { owner, repo };
}
