import type { z } from "zod";
import { ConfigError } from "../core/errors.js";

/**
 * Validates a scorer's options from the scoring contract, or throws one ConfigError that
 * names the scorer and every bad option. Schemas are strict, so a misspelt option is an
 * error instead of a silently ignored key.
 */
export function parseScorerOptions<T extends z.ZodObject>(
  scorer: string,
  schema: T,
  options: Record<string, unknown>,
): z.output<T> {
  const result = schema.safeParse(options);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      const known = Object.keys(schema.shape);
      const hint = known.length > 0 ? `known options: ${known.join(", ")}` : "it takes no options";
      return `${issue.keys.map((key) => `unknown option "${key}"`).join("; ")} (${hint})`;
    }
    const name = issue.path.map(String).join(".");
    if (name === "") return issue.message;
    if (issue.code === "invalid_type" && options[name] === undefined) return `option "${name}" is required`;
    return `option "${name}": ${issue.message}`;
  });
  throw new ConfigError(problems.join("; "), `scorer "${scorer}"`);
}
