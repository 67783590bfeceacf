/**
 * The export formats, one file each, and the registry that names them (unknown names are
 * rejected with the list of known ones).
 */
import { ConfigError } from "../core/errors.js";
import type { ExportContext, FormatOutput } from "./context.js";
import { buildHarbor } from "./harbor.js";
import { buildPreference } from "./preference.js";
import { buildRl } from "./rl.js";
import { buildRunloop } from "./runloop.js";
import { buildSft } from "./sft.js";
import { buildSwebench } from "./swebench.js";

export const FORMAT_NAMES = ["swebench", "runloop", "harbor", "rl", "sft", "preference"] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export interface ExportFormat {
  name: FormatName;
  description: string;
  /** Built from rollouts: empty without --runs. */
  fromRollouts: boolean;
  build(ctx: ExportContext): FormatOutput;
}

export const FORMATS: Record<FormatName, ExportFormat> = {
  swebench: {
    name: "swebench",
    description: "SWE-bench task instances, and predictions and evaluation reports for each run",
    fromRollouts: false,
    build: buildSwebench,
  },
  runloop: {
    name: "runloop",
    description: "Runloop scenario-create bodies with a test-based scoring contract",
    fromRollouts: false,
    build: buildRunloop,
  },
  harbor: {
    name: "harbor",
    description: "Harbor task folders: task.toml, instruction, Dockerfile, verifier, reference solution",
    fromRollouts: false,
    build: buildHarbor,
  },
  rl: {
    name: "rl",
    description: "prompt, completion and reward per rollout, with group mean, deviation and advantage",
    fromRollouts: true,
    build: buildRl,
  },
  sft: {
    name: "sft",
    description: "chat messages of resolved rollouts that left a trajectory",
    fromRollouts: true,
    build: buildSft,
  },
  preference: {
    name: "preference",
    description: "prompt / chosen / rejected pairs from rollouts of the same scenario",
    fromRollouts: true,
    build: buildPreference,
  },
};

/** `swebench,rl` or `all` (names may repeat or be spread over several --format flags). */
export function parseFormats(values: readonly string[]): FormatName[] {
  const names = values
    .flatMap((v) => v.split(","))
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v !== "");
  if (names.length === 0) throw new ConfigError(`--format needs a format: all, ${FORMAT_NAMES.join(", ")}`);
  const chosen = new Set<FormatName>();
  for (const name of names) {
    if (name === "all") for (const n of FORMAT_NAMES) chosen.add(n);
    else if ((FORMAT_NAMES as readonly string[]).includes(name)) chosen.add(name as FormatName);
    else throw new ConfigError(`unknown format "${name}"; known formats: all, ${FORMAT_NAMES.join(", ")}`);
  }
  return FORMAT_NAMES.filter((n) => chosen.has(n));
}
