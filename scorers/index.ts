import type { Config } from "../core/config.js";
import { ConfigError } from "../core/errors.js";
import { createCommandScorer } from "./command.js";
import { composeScorers, type ScoringContract } from "./composite.js";
import { createPatchSimilarityScorer } from "./patch-similarity.js";
import { createTestsScorer } from "./tests.js";
import type { Scorer, ScorerFactory } from "./types.js";

export {
  type ScoringContract,
  type ScoringEntry,
  type ScoringOutcome,
  WEIGHT_TOLERANCE,
} from "./composite.js";
export { ScoringInfraError } from "./errors.js";
export { comparePatches } from "./patch-similarity.js";
export { isResolved, type TestReport, testReport } from "./tests.js";
export type { ScoreContext, ScoreResult, Scorer, ScorerFactory } from "./types.js";

/** Every built-in scorer by the name the scoring contract uses. */
export const SCORERS: Readonly<Record<string, ScorerFactory>> = {
  tests: createTestsScorer,
  "patch-similarity": createPatchSimilarityScorer,
  command: createCommandScorer,
};

export const SCORER_NAMES: readonly string[] = Object.keys(SCORERS);

/** Builds one scorer by name; throws ConfigError for an unknown name (listing the known ones) or bad options. */
export function createScorer(name: string, options: Record<string, unknown> = {}): Scorer {
  const factory = Object.hasOwn(SCORERS, name) ? SCORERS[name] : undefined;
  if (!factory) throw new ConfigError(`unknown scorer "${name}"; known scorers: ${SCORER_NAMES.join(", ")}`);
  return factory(options);
}

/** The config's `scoring` section as one composite over the built-in scorers. */
export function buildScoringContract(entries: Config["scoring"]): ScoringContract {
  return composeScorers(entries, SCORERS);
}
