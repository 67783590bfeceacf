import type { ArtifactLimits } from "./artifact.js";
import type { Clock } from "./coalesce.js";
import type { DeliveryStore } from "./dedupe.js";

export interface RepogymAppOptions {
  /** Dry run everywhere, whatever a repository's config says (`REPOGYM_BOT_DRY_RUN=true`). */
  dryRun?: boolean;
  /** Open an onboarding pull request where the workflow is missing (`REPOGYM_BOT_ONBOARDING=false` turns it off). */
  onboarding?: boolean;
  /**
   * Coalesce bursts of pushes per repository (a long-running server). Off in one-shot runs
   * (`probot receive`, GitHub Actions): there the workflow's `concurrency:` group coalesces.
   */
  coalesce?: boolean;
  /**
   * Set up an installation's repositories before answering GitHub for this long (default 3 s),
   * the rest after the answer. Infinity (one-shot runs): all before, so the process ends when
   * they are done and a failure is its exit code.
   */
  inlineBudgetMs?: number;
  clock?: Clock;
  deliveries?: DeliveryStore;
  artifactLimits?: ArtifactLimits;
}

/** The app's switches from environment variables (read by the entry points only). */
export function appOptionsFromEnv(env: NodeJS.ProcessEnv): RepogymAppOptions {
  const flag = (name: string): boolean | undefined => {
    const value = env[name]?.trim().toLowerCase();
    if (value === undefined || value === "") return undefined;
    return value === "true" || value === "1" || value === "yes";
  };
  const dryRun = flag("REPOGYM_BOT_DRY_RUN");
  const onboarding = flag("REPOGYM_BOT_ONBOARDING");
  return {
    ...(dryRun === undefined ? {} : { dryRun }),
    ...(onboarding === undefined ? {} : { onboarding }),
  };
}
