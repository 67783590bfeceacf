import { homedir } from "node:os";
import { join } from "node:path";
import { InvalidArgumentError } from "commander";

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a positive whole number, got "${value}"`);
  return n;
}

/** Where installed dependencies are kept between runs. */
export function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  if (env.REPOGYM_CACHE_DIR) return env.REPOGYM_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "repogym", "deps");
}
