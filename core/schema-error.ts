import type { z } from "zod";
import { ConfigError } from "./errors.js";

/** Renders a zod issue path as `a.b[2].c`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out || "(root)";
}

/**
 * Validates `data` against `schema`, or throws one ConfigError naming the file, every bad
 * field and what was expected there.
 */
export function parseWithSchema<T extends z.ZodType>(schema: T, data: unknown, file: string): z.output<T> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 5)
    .map((issue) => `field ${formatPath(issue.path)}: ${issue.message}`);
  const more = result.error.issues.length > 5 ? ` (and ${result.error.issues.length - 5} more)` : "";
  throw new ConfigError(`${problems.join("; ")}${more}`, file);
}
