import { join } from "node:path";
import { ConfigError } from "../../core/errors.js";

/** Where an agent's own files live for a rollout (DESIGN.md "Agent adapter"). */
export interface AgentEnvironmentContext {
  workspace: string;
  problemFile: string;
  outputDir: string;
  instanceId: string;
  attempt: number;
}

export interface AgentEnvironmentOptions {
  /** The environment repogym itself runs in; only the named variables are taken from it. */
  hostEnv: NodeJS.ProcessEnv;
  /** Host variables the configuration lets the agent see, e.g. `ANTHROPIC_API_KEY`. */
  names: readonly string[];
  context: AgentEnvironmentContext;
}

export interface AgentEnvironment {
  /** The complete environment for the agent process. */
  env: NodeJS.ProcessEnv;
  /** Named variables the host does not set; left out, for the caller to warn about. */
  missing: string[];
}

const FALLBACK_PATH = "/usr/local/bin:/usr/bin:/bin";
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The agent's HOME: a fresh folder inside the rollout's output folder. HOME is never the host
 * user's, so an agent cannot read `~/.ssh`, `~/.npmrc` tokens, cloud credentials or a CLI's
 * stored login through it; a CLI authenticates with the API key variables the config names.
 * Keeping it in the output folder also keeps what the CLI writes there (session transcripts,
 * its own logs) with the rollout.
 */
export function agentHome(outputDir: string): string {
  return join(outputDir, "home");
}

/**
 * Rejects variable names that are not names, and the ones repogym sets itself: HOME is
 * always the agent's own (see agentHome) and `REPOGYM_*` describe the rollout.
 */
export function validateEnvNames(names: readonly string[], where?: string): void {
  for (const name of names) {
    if (!ENV_NAME.test(name)) {
      throw new ConfigError(`"${name}" is not an environment variable name`, where);
    }
    if (name === "HOME") {
      throw new ConfigError(
        "HOME cannot be passed to an agent: it always gets a fresh home folder in its output folder",
        where,
      );
    }
    if (name.startsWith("REPOGYM_")) {
      throw new ConfigError(
        `${name} is set by repogym for each rollout and cannot be passed from the host`,
        where,
      );
    }
  }
}

/**
 * The complete environment an agent runs with (Invariant 5, "Secrets stay out"): the named
 * host variables that are set, the host's PATH (so installed CLIs are found), a fresh HOME,
 * and `REPOGYM_*` describing the rollout. Nothing else from the host gets through.
 */
export function agentEnvironment(options: AgentEnvironmentOptions): AgentEnvironment {
  const { hostEnv, names, context } = options;
  validateEnvNames(names);
  const env: NodeJS.ProcessEnv = {};
  const missing: string[] = [];
  for (const name of names) {
    const value = hostEnv[name];
    if (value === undefined) missing.push(name);
    else env[name] = value;
  }
  env.PATH = hostEnv.PATH ?? FALLBACK_PATH;
  env.HOME = agentHome(context.outputDir);
  env.REPOGYM_PROBLEM_FILE = context.problemFile;
  env.REPOGYM_OUTPUT_DIR = context.outputDir;
  env.REPOGYM_WORKSPACE = context.workspace;
  env.REPOGYM_INSTANCE_ID = context.instanceId;
  env.REPOGYM_ATTEMPT = String(context.attempt);
  return { env, missing };
}

/**
 * Names that look like they hold a secret. `AUTH` must not be the start of `AUTHOR`, so git's
 * author name and email stay readable in logs.
 */
const SECRET_NAME = /TOKEN|KEY|SECRET|PASSWORD|AUTH(?!OR)/i;
/** Shorter values are too likely to occur by chance (and too weak to be real secrets). */
const MIN_SECRET_LENGTH = 8;

/** Replaces the values of secret-looking variables in `env` with `***` (for logs). */
export function maskSecrets(text: string, env: NodeJS.ProcessEnv): string {
  const secrets = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.length >= MIN_SECRET_LENGTH && SECRET_NAME.test(name))
      secrets.add(value);
  }
  // Longest first, so a secret that contains another is masked whole.
  let masked = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    masked = masked.replaceAll(secret, "***");
  }
  return masked;
}
