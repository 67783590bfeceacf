import { CONFIG_PATH, type Config, defaultConfig, parseConfig } from "../core/config.js";
import { ConfigError } from "../core/errors.js";
import type { BotGitHub } from "./github.js";

export type RepoConfig =
  | {
      ok: true;
      config: Config /** False when the repository has no config file (defaults). */;
      found: boolean;
    }
  | { ok: false; error: string };

/**
 * A repository's `.repogym/config.yml` at a ref (its default branch: a pull request cannot
 * change how the app treats it). No file: the defaults. A file that does not parse: an error
 * that names the file and field, and the app does nothing in that repository until it is fixed.
 */
export async function readRepoConfig(gh: BotGitHub, ref: string): Promise<RepoConfig> {
  const file = await gh.getFile(CONFIG_PATH, ref);
  if (!file) return { ok: true, config: defaultConfig(), found: false };
  try {
    return {
      ok: true,
      config: parseConfig(file.content.toString("utf8"), `${gh.fullName}@${ref}:${CONFIG_PATH}`),
      found: true,
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      ok: false,
      error: `${error.message}. Fix ${CONFIG_PATH} on ${ref}; the app does nothing in ${gh.fullName} until it parses.`,
    };
  }
}
