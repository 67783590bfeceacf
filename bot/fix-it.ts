import { statusOf } from "../action/github-reads.js";
import { GitHubApiError } from "../core/errors.js";

export { statusOf };

const REDELIVER = "redeliver the event from the app's settings (Advanced → Recent deliveries)";

/** GitHub's own message of an Octokit error (its `message` field), else the error's. */
export function githubMessage(error: unknown): string {
  const e = error as { message?: unknown; response?: { data?: { message?: unknown } } } | null;
  const data = e?.response?.data?.message;
  if (typeof data === "string") return data;
  return typeof e?.message === "string" ? e.message : String(error);
}

/**
 * Turns a failed API call into one GitHubApiError that says what the app was doing, what
 * GitHub answered and what to do about it. `permission` names the app permission the call
 * needs, e.g. `actions: write`.
 */
export function appApiError(what: string, error: unknown, permission?: string): GitHubApiError {
  if (error instanceof GitHubApiError) return error;
  const status = statusOf(error);
  const message = githubMessage(error).split("\n")[0] ?? "";
  return new GitHubApiError(
    `${what}: ${status ?? "error"} ${message} (${hintFor(status, message, permission)})`,
    status,
  );
}

/** Octokit reports a request that never reached GitHub as a 500 with the network error's message. */
const UNREACHABLE =
  /fetch failed|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|getaddrinfo|bad port|certificate/i;

function hintFor(status: number | undefined, message: string, permission: string | undefined): string {
  if (status === undefined || (status === 500 && UNREACHABLE.test(message))) {
    return "could not reach GitHub: check GITHUB_API_URL or GHE_HOST and the network";
  }
  if (status === 401) {
    return "GitHub refused the app's credentials: check APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) against the app's settings page";
  }
  if ((status === 403 || status === 429) && /rate limit/i.test(message)) {
    return `GitHub's rate limit: the app waited and retried; ${REDELIVER} later`;
  }
  if (status === 403) {
    return `the app is missing ${permission ? `the \`${permission}\` permission` : "a permission"} here: grant what bot/app.yml lists on the app's settings page, then have an owner accept it in the installation's settings`;
  }
  if (status === 404) {
    return "not found: is the app installed on this repository?";
  }
  if (status >= 500) {
    return `GitHub failed and the app retried; ${REDELIVER} once GitHub recovers`;
  }
  return "see GitHub's message";
}
