/**
 * The few typed errors repogym throws. Expected outcomes (a skipped candidate, a failed
 * test run) are values, not exceptions; these are for input that is wrong or a world that
 * is broken. `cli/` turns them into one clear message at the edge.
 */

/** Malformed config, scenario or other user-provided file. `where` names the file (and field). */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly where?: string,
  ) {
    super(where ? `${where}: ${message}` : message);
    this.name = ConfigError.name;
  }
}

/** A git command failed, or the repository is not in a state repogym can use. */
export class GitError extends Error {
  constructor(
    message: string,
    readonly command?: string,
    readonly stderr?: string,
  ) {
    super(message);
    this.name = GitError.name;
  }
}

/** A test runner could not be run or its report could not be read. */
export class TestRunError extends Error {
  constructor(
    message: string,
    readonly output?: string,
  ) {
    super(message);
    this.name = TestRunError.name;
  }
}

/** A call to GitHub's API failed. */
export class GitHubApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = GitHubApiError.name;
  }
}

/** Turns any thrown value into one line a person can act on. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
