import type { EventInfo } from "../event.js";
import type { GitHubClient } from "../github.js";
import type { ActionInputs } from "../inputs.js";

/** What every mode gets: parsed inputs, the event, an API client (null without a token), folders. */
export interface ModeContext {
  inputs: ActionInputs;
  event: EventInfo;
  client: GitHubClient | null;
  /** Absolute path of the repository checkout. */
  repoDir: string;
  /** Absolute path of the results folder (uploaded as an artifact by the workflow). */
  resultsDir: string;
  /** Shared dependency cache folder. */
  cacheDir: string;
  /** Link to this workflow run, when known. */
  runUrl?: string;
  signal: AbortSignal;
}
