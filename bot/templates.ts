import { readFileSync } from "node:fs";
import { ConfigError } from "../core/errors.js";

/**
 * The files the onboarding pull request adds: bot/templates/repogym.yml (also published as
 * examples/workflows/repogym.yml) and a starter .repogym/config.yml. Found next to this
 * module when it runs from source, or from dist/bot/ in a checkout.
 */
const FOLDERS = [new URL("./templates/", import.meta.url), new URL("../../bot/templates/", import.meta.url)];

export interface Templates {
  workflow: string;
  config: string;
}

let cached: Templates | undefined;

export function loadTemplates(): Templates {
  if (cached) return cached;
  for (const folder of FOLDERS) {
    try {
      cached = {
        workflow: readFileSync(new URL("repogym.yml", folder), "utf8"),
        config: readFileSync(new URL("config.yml", folder), "utf8"),
      };
      return cached;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  throw new ConfigError(
    "not found next to the app; run the app from a checkout of repogym (bot/templates/ beside dist/)",
    "bot/templates",
  );
}
