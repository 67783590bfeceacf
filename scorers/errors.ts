/**
 * A rollout could not be scored because something outside the agent's control went wrong:
 * the tests never ran, a scorer's command could not start, a scorer broke its own contract.
 * The run loop records such a rollout as `infra_error` with a null reward, so a broken
 * world is never scored as an agent failure, and never as a success.
 */
export class ScoringInfraError extends Error {
  constructor(
    message: string,
    /** The scorer that could not score, when known. */
    readonly scorer?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = ScoringInfraError.name;
  }
}
