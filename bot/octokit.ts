import { ProbotOctokit } from "probot";

export interface RateLimitOptions {
  /** Retries after GitHub's rate limit (primary or secondary) before the call fails. Default 2. */
  rateLimitRetries?: number;
  /** The longest wait GitHub may ask for, in seconds; a longer one fails the call at once. Default 60. */
  maxRetryAfterSeconds?: number;
  /** Retries after a server error (5xx) or a dropped connection. Default 3. */
  serverErrorRetries?: number;
  /** Milliseconds per second of waiting (tests shrink it). Default 1000. */
  retryAfterBaseValue?: number;
  /**
   * Queue requests as GitHub asks of apps (writes a second apart). Default true; tests that do
   * not exercise rate limits turn it off to run fast.
   */
  throttle?: boolean;
}

interface RequestOptions {
  method: string;
  url: string;
}

interface LoggingOctokit {
  log: { warn(message: string): void; error(message: string): void };
}

/**
 * The Octokit class the app's Probot uses: Probot's (REST, pagination, the throttling and
 * retry plugins) with bounded retries. A rate-limited call waits as long as GitHub says (up to
 * a limit) and is tried again a few times; a 5xx is retried with backoff; 4xx answers are not
 * retried (429 is the throttling plugin's, so it is retried once, not twice). Each wait is
 * logged, and a call that gives up says how to recover.
 */
export function createBotOctokit(options: RateLimitOptions = {}): typeof ProbotOctokit {
  const rateLimitRetries = options.rateLimitRetries ?? 2;
  const maxWait = options.maxRetryAfterSeconds ?? 60;
  const decide =
    (kind: string) =>
    (retryAfter: number, request: RequestOptions, octokit: LoggingOctokit, retryCount: number): boolean => {
      const what = `${request.method} ${request.url}`;
      if (retryCount < rateLimitRetries && retryAfter <= maxWait) {
        octokit.log.warn(
          `GitHub's ${kind} on ${what}: retrying in ${retryAfter}s (retry ${retryCount + 1} of ${rateLimitRetries})`,
        );
        return true;
      }
      octokit.log.error(
        `GitHub's ${kind} on ${what}: giving up after ${retryCount} retries (GitHub asked to wait ${retryAfter}s). ` +
          "The app shares its installation's rate limit with other apps' calls; redeliver the event from the app's settings (Advanced → Recent deliveries) later",
      );
      return false;
    };
  const base = options.retryAfterBaseValue;
  return ProbotOctokit.defaults((instance: Record<string, unknown>) => ({
    ...instance,
    throttle:
      options.throttle === false
        ? { enabled: false }
        : {
            ...(instance.throttle as object | undefined),
            enabled: true,
            ...(base === undefined ? {} : { retryAfterBaseValue: base }),
            onRateLimit: decide("rate limit"),
            onSecondaryRateLimit: decide("secondary rate limit"),
          },
    retry: {
      ...(instance.retry as object | undefined),
      retries: options.serverErrorRetries ?? 3,
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
      ...(base === undefined ? {} : { retryAfterBaseValue: base }),
    },
  })) as typeof ProbotOctokit;
}
