import type { Config } from "../core/config.js";
import { ConfigError, describeError } from "../core/errors.js";
import type { Score } from "../core/rollout.js";
import { ScoringInfraError } from "./errors.js";
import type { ScoreContext, Scorer, ScorerFactory } from "./types.js";

export type ScoringEntry = Config["scoring"][number];

/** Weights may drift this far from 1 (0.1 + 0.2 + 0.7 is not exactly 1 in floating point). */
export const WEIGHT_TOLERANCE = 1e-9;

export interface ScoringOutcome {
  /** sum(weight * score), in [0, 1]. */
  reward: number;
  /** One per entry of the contract, in its order, as the rollout record stores them. */
  scores: Score[];
}

/** The composite: weighted scorers whose weights sum to 1. */
export interface ScoringContract {
  readonly entries: ReadonlyArray<{ scorer: Scorer; name: string; weight: number }>;
  /**
   * Runs every scorer, one after another (command scorers share the workspace), and sums the
   * weighted scores. Throws ScoringInfraError when a scorer cannot score or breaks its
   * contract: a broken scorer never yields a reward.
   */
  score(context: ScoreContext): Promise<ScoringOutcome>;
}

function formatWeight(weight: number): string {
  return String(Number(weight.toPrecision(12)));
}

/**
 * Builds a scoring contract from config entries, looking each scorer up in `factories`.
 * Throws ConfigError for an empty contract, an unknown scorer name (listing the known ones),
 * bad options (naming the entry, scorer and option), or weights that do not sum to 1.
 */
export function composeScorers(
  entries: readonly ScoringEntry[],
  factories: Readonly<Record<string, ScorerFactory>>,
): ScoringContract {
  if (entries.length === 0) throw new ConfigError("expected at least one scorer", "scoring");
  const known = Object.keys(factories);

  const built = entries.map((entry, index) => {
    const where = `scoring[${index}]`;
    const factory = Object.hasOwn(factories, entry.scorer) ? factories[entry.scorer] : undefined;
    if (!factory) {
      const nesting =
        entry.scorer === "composite"
          ? "; the scoring list itself is the composite, so list its scorers here directly"
          : "";
      throw new ConfigError(
        `unknown scorer "${entry.scorer}"; known scorers: ${known.join(", ")}${nesting}`,
        where,
      );
    }
    if (!Number.isFinite(entry.weight) || entry.weight < 0 || entry.weight > 1) {
      throw new ConfigError(
        `weight of "${entry.scorer}" must be between 0 and 1, got ${entry.weight}`,
        where,
      );
    }
    let scorer: Scorer;
    try {
      scorer = factory(entry.options);
    } catch (error) {
      if (error instanceof ConfigError) throw new ConfigError(error.message, where);
      throw error;
    }
    return { scorer, name: entry.scorer, weight: entry.weight };
  });

  const sum = built.reduce((total, entry) => total + entry.weight, 0);
  if (Math.abs(sum - 1) > WEIGHT_TOLERANCE) {
    const terms = built.map((entry) => `${entry.name} ${formatWeight(entry.weight)}`).join(" + ");
    throw new ConfigError(`scorer weights must sum to 1, but ${terms} = ${formatWeight(sum)}`, "scoring");
  }

  return {
    entries: built,
    async score(context) {
      const scores: Score[] = [];
      let reward = 0;
      for (const { scorer, name, weight } of built) {
        let result: Awaited<ReturnType<Scorer["score"]>>;
        try {
          result = await scorer.score(context);
        } catch (error) {
          if (error instanceof ScoringInfraError) throw error;
          throw new ScoringInfraError(`scorer "${name}" failed: ${describeError(error)}`, name, {
            cause: error,
          });
        }
        if (!(Number.isFinite(result.score) && result.score >= 0 && result.score <= 1)) {
          throw new ScoringInfraError(`scorer "${name}" returned ${result.score}, outside [0, 1]`, name);
        }
        scores.push({ scorer: name, weight, score: result.score, details: result.details });
        reward += weight * result.score;
      }
      // Float noise in the weights must not push a perfect reward past 1 or short of it.
      return { reward: Math.min(1, Math.max(0, Math.round(reward * 1e12) / 1e12)), scores };
    },
  };
}
