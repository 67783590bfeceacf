import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { z } from "zod";
import { ConfigError } from "./errors.js";
import { FRAMEWORKS } from "./frameworks.js";
import { PackageManagerSchema } from "./scenario.js";
import { parseWithSchema } from "./schema-error.js";

export const CONFIG_PATH = ".repogym/config.yml";

const globs = z.array(z.string().min(1));

export const DEFAULT_AGENT_INSTRUCTIONS = [
  "AGENTS.md",
  "CLAUDE.md",
  "GEMINI.md",
  ".cursor/rules/**",
  ".github/copilot-instructions.md",
] as const;
const millis = z.number().int().positive();

const workflowFile = z
  .string()
  .regex(/^[A-Za-z0-9._-]+\.ya?ml$/, "expected a file name in .github/workflows, e.g. repogym.yml");
const commentKey = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, "expected 1-64 letters, digits, '_', '.' or '-'");

export const BOT_DEFAULTS = {
  dry_run: false,
  workflow: "repogym.yml",
  report_workflows: ["repogym", "repogym evaluate"],
  artifact: "repogym-results",
  coalesce_seconds: 120,
  commands: true,
  mine_on_push: true,
  pr_scenarios: true,
  comment_key: "default",
  history_branch: "repogym-data",
} as const;

/** The `bot:` section: how the GitHub App acts on this repository. */
export const BotConfigSchema = z
  .object({
    /** Log every write the app would make (dispatches, comments, reactions, check runs) and make none. */
    dry_run: z.boolean().default(BOT_DEFAULTS.dry_run),
    /** The workflow the app dispatches (its file name in .github/workflows). */
    workflow: workflowFile.default(BOT_DEFAULTS.workflow),
    /** Names of the workflows whose finished runs the app reports (sticky comment and check run). */
    report_workflows: z.array(z.string().min(1).max(200)).default([...BOT_DEFAULTS.report_workflows]),
    /** The artifact those runs upload their results.json in. */
    artifact: z.string().min(1).max(200).default(BOT_DEFAULTS.artifact),
    /** Pushes to the default branch within this many seconds start one mining run (plus one after). */
    coalesce_seconds: z.number().int().min(0).max(3600).default(BOT_DEFAULTS.coalesce_seconds),
    /** Answer `/repogym` commands in comments. */
    commands: z.boolean().default(BOT_DEFAULTS.commands),
    /** Dispatch mining on pushes to the default branch. */
    mine_on_push: z.boolean().default(BOT_DEFAULTS.mine_on_push),
    /** Dispatch a merged pull request that changed source and tests as a scenario. */
    pr_scenarios: z.boolean().default(BOT_DEFAULTS.pr_scenarios),
    /** The sticky comment's key, as the Action's `comment-key`. */
    comment_key: commentKey.default(BOT_DEFAULTS.comment_key),
    /** The Action's `history-branch`: where the base results to compare with are kept. Empty: none. */
    history_branch: z.string().max(255).default(BOT_DEFAULTS.history_branch),
  })
  .strict();
export type BotConfig = z.output<typeof BotConfigSchema>;

/** `.repogym/config.yml`. Every section is optional; unknown keys are errors so typos surface. */
export const ConfigSchema = z
  .object({
    paths: z
      .object({
        /** Extra globs that mark test files (added to the built-in rules). */
        tests: globs.default([]),
        /** Globs that mark source files; when set, only these count as source. */
        source: globs.default([]),
        /** Paths that are neither: changes to them are ignored. */
        ignore: globs.default([]),
      })
      .strict()
      .default({ tests: [], source: [], ignore: [] }),
    environment: z
      .object({
        package_manager: PackageManagerSchema.optional(),
        /** Replaces the detected install command, e.g. `npm ci --ignore-scripts`. */
        install: z.string().min(1).optional(),
        /**
         * Commands run in every state after install, e.g. `npm run build`. When absent, a
         * `prepare` script is run (`npm run prepare`), as `npm install` in a clone would; `[]`
         * runs nothing.
         */
        setup: z.array(z.string().min(1)).optional(),
        framework: z.enum(FRAMEWORKS).optional(),
        /**
         * Replaces the adapter's test command. `{files}` becomes the test files and `{report}`
         * the report path; the output must still be the framework's machine-readable report.
         */
        test_command: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
    limits: z
      .object({
        max_source_files: z.number().int().positive().default(20),
        max_test_files: z.number().int().positive().default(10),
        max_changed_lines: z.number().int().positive().default(1500),
      })
      .strict()
      .default({ max_source_files: 20, max_test_files: 10, max_changed_lines: 1500 }),
    timeouts: z
      .object({
        install_ms: millis.default(600_000),
        setup_ms: millis.default(300_000),
        test_ms: millis.default(120_000),
      })
      .strict()
      .default({ install_ms: 600_000, setup_ms: 300_000, test_ms: 120_000 }),
    validation: z
      .object({ runs: z.number().int().min(1).max(20).default(3) })
      .strict()
      .default({ runs: 3 }),
    /**
     * The scoring contract: weighted scorers whose weights sum to 1 (checked when the
     * contract is built, see scorers/). Each entry's other keys are that scorer's options.
     */
    scoring: z
      .array(
        z
          .object({
            scorer: z.string().min(1),
            weight: z.number().min(0).max(1),
            options: z.record(z.string(), z.unknown()).default({}),
          })
          .strict(),
      )
      .min(1, "expected at least one scorer")
      .default([{ scorer: "tests", weight: 1, options: {} }]),
    /**
     * The team's agent instructions: in the Action's evaluate mode, files matching these globs
     * are taken from the PR head and laid over every scenario workspace.
     */
    agent_instructions: globs.default([...DEFAULT_AGENT_INSTRUCTIONS]),
    /** Checks of the agent's change beyond its tests. */
    guards: z
      .object({
        /**
         * Look at the agent's patch before the tests run (runner/tamper-scan.ts): a change whose
         * source reaches into the test machinery scores 0, untested. Skipped by itself for a
         * scenario whose gold patch trips it; `false` turns it off everywhere.
         */
        tamper_scan: z.boolean().default(true),
      })
      .strict()
      .default({ tamper_scan: true }),
    /** The GitHub App (bot/): what it does in this repository. Read from the default branch. */
    bot: BotConfigSchema.default(() => ({
      ...BOT_DEFAULTS,
      report_workflows: [...BOT_DEFAULTS.report_workflows],
    })),
  })
  .strict();

export type Config = z.output<typeof ConfigSchema>;

export function defaultConfig(): Config {
  return ConfigSchema.parse({});
}

/** Parses config text; `file` names it in errors. */
export function parseConfig(text: string, file: string): Config {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const line = first.linePos?.[0];
    throw new ConfigError(
      `invalid YAML${line ? ` at line ${line.line}, column ${line.col}` : ""}: ${first.message.split("\n")[0]}`,
      file,
    );
  }
  const data: unknown = doc.toJS() ?? {};
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new ConfigError("expected a mapping of settings at the top level", file);
  }
  return parseWithSchema(ConfigSchema, data, file);
}

/** Reads `.repogym/config.yml` under root; the defaults when there is none. */
export async function loadConfig(root: string): Promise<Config> {
  const file = join(root, CONFIG_PATH);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return defaultConfig();
    throw new ConfigError(`cannot read: ${(error as Error).message}`, file);
  }
  return parseConfig(text, file);
}
