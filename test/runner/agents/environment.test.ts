import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../core/errors.js";
import { agentEnvironment, maskSecrets, validateEnvNames } from "../../../runner/agents/environment.js";

const context = {
  workspace: "/runs/r1/ws",
  problemFile: "/runs/r1/problem.md",
  outputDir: "/runs/r1/out",
  instanceId: "acme__lib-0123456789",
  attempt: 3,
};

describe("agentEnvironment", () => {
  it("is exactly the named variables, PATH, a fresh HOME and REPOGYM_*", () => {
    const { env, missing } = agentEnvironment({
      hostEnv: {
        PATH: "/usr/bin:/bin",
        HOME: "/home/someone",
        ANTHROPIC_API_KEY: "sk-ant-secret",
        GITHUB_TOKEN: "ghp_not_for_agents",
        NPM_TOKEN: "npm_not_for_agents",
      },
      names: ["ANTHROPIC_API_KEY", "AIDER_MODEL"],
      context,
    });
    expect(env).toEqual({
      ANTHROPIC_API_KEY: "sk-ant-secret",
      PATH: "/usr/bin:/bin",
      HOME: "/runs/r1/out/home",
      REPOGYM_PROBLEM_FILE: "/runs/r1/problem.md",
      REPOGYM_OUTPUT_DIR: "/runs/r1/out",
      REPOGYM_WORKSPACE: "/runs/r1/ws",
      REPOGYM_INSTANCE_ID: "acme__lib-0123456789",
      REPOGYM_ATTEMPT: "3",
    });
    expect(missing).toEqual(["AIDER_MODEL"]);
  });

  it("falls back to a standard PATH when the host has none", () => {
    const { env } = agentEnvironment({ hostEnv: {}, names: [], context });
    expect(env.PATH).toBe("/usr/local/bin:/usr/bin:/bin");
  });

  it("refuses to pass HOME or REPOGYM_* from the host", () => {
    expect(() => agentEnvironment({ hostEnv: {}, names: ["HOME"], context })).toThrow(ConfigError);
    expect(() => validateEnvNames(["HOME"])).toThrow(/fresh home folder/);
    expect(() => validateEnvNames(["REPOGYM_WORKSPACE"], 'agent "x"')).toThrow(
      /^agent "x": REPOGYM_WORKSPACE is set by repogym/,
    );
    expect(() => validateEnvNames(["1BAD"])).toThrow(/"1BAD" is not an environment variable name/);
    expect(() => validateEnvNames(["PATH", "OPENAI_API_KEY"])).not.toThrow();
  });
});

describe("maskSecrets", () => {
  it("masks the values of secret-looking variables", () => {
    const env = {
      OPENAI_API_KEY: "sk-proj-abcdefgh",
      GH_TOKEN: "ghp_1234567890",
      DB_PASSWORD: "hunter2hunter2",
      CLIENT_SECRET: "s3cr3t-value",
      BASIC_AUTH: "user:pass-word",
    };
    const text = Object.values(env).join(" | ");
    expect(maskSecrets(text, env)).toBe("*** | *** | *** | *** | ***");
  });

  it("leaves short values, other variables and git author names alone", () => {
    const env = {
      SHORT_KEY: "abc1234",
      REPOGYM_WORKSPACE: "/runs/r1/workspace",
      GIT_AUTHOR_NAME: "Fixture Author",
      MODEL_NAME: "claude-sonnet",
    };
    const text = "abc1234 /runs/r1/workspace Fixture Author claude-sonnet";
    expect(maskSecrets(text, env)).toBe(text);
  });

  it("masks a secret that contains another one whole", () => {
    const env = { OUTER_TOKEN: "token-abcdefgh-suffix", INNER_TOKEN: "token-abcdefgh" };
    expect(maskSecrets("a token-abcdefgh-suffix b token-abcdefgh c", env)).toBe("a *** b *** c");
  });
});
