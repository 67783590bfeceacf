import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";

/** What the app's server needs, from its environment. */
export interface ServerSettings {
  appId: number;
  privateKey: string;
  secret: string;
  /** GitHub's REST API; absent for github.com. */
  baseUrl?: string;
  port: number;
  host?: string;
  webhookPath: string;
}

export type ServerEnv = { ok: true; settings: ServerSettings } | { ok: false; problems: string[] };

const SETTINGS_PAGE = "the app's settings page (Settings → Developer settings → GitHub Apps → repogym)";

/**
 * Reads and checks the server's environment (pure but for reading PRIVATE_KEY_PATH): every
 * problem is reported at once, each with where to find the right value.
 */
export function readServerEnv(env: NodeJS.ProcessEnv): ServerEnv {
  const problems: string[] = [];
  const appId = Number(env.APP_ID);
  if (!env.APP_ID || !Number.isInteger(appId) || appId < 1) {
    problems.push(
      `APP_ID must be the app's numeric id ("App ID" on ${SETTINGS_PAGE}), got "${env.APP_ID ?? ""}"`,
    );
  }
  const privateKey = readKey(env, problems);
  const secret = env.WEBHOOK_SECRET ?? "";
  if (secret === "") {
    problems.push(
      `WEBHOOK_SECRET must be the app's webhook secret (set on ${SETTINGS_PAGE}); without it no delivery can be verified`,
    );
  }
  const port = env.PORT === undefined || env.PORT === "" ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    problems.push(`PORT must be a port number, got "${env.PORT}"`);
  let baseUrl: string | undefined;
  if (env.GITHUB_API_URL) {
    baseUrl = env.GITHUB_API_URL.replace(/\/+$/, "");
  } else if (env.GHE_HOST) {
    baseUrl = `${env.GHE_PROTOCOL || "https"}://${env.GHE_HOST}/api/v3`;
  }
  if (baseUrl !== undefined && !/^https?:\/\/[^/]/.test(baseUrl)) {
    problems.push(
      `GITHUB_API_URL must be an http(s) URL such as https://github.example.com/api/v3, got "${baseUrl}"`,
    );
  }
  if (problems.length > 0 || privateKey === undefined) return { ok: false, problems };
  return {
    ok: true,
    settings: {
      appId,
      privateKey,
      secret,
      ...(baseUrl ? { baseUrl } : {}),
      port,
      ...(env.HOST ? { host: env.HOST } : {}),
      webhookPath: env.WEBHOOK_PATH || "/api/github/webhooks",
    },
  };
}

function readKey(env: NodeJS.ProcessEnv, problems: string[]): string | undefined {
  let text: string | undefined;
  let from: string;
  if (env.PRIVATE_KEY) {
    from = "PRIVATE_KEY";
    text = env.PRIVATE_KEY.includes("-----BEGIN")
      ? env.PRIVATE_KEY.replace(/\\n/g, "\n")
      : Buffer.from(env.PRIVATE_KEY, "base64").toString("utf8");
  } else if (env.PRIVATE_KEY_PATH) {
    from = `PRIVATE_KEY_PATH (${env.PRIVATE_KEY_PATH})`;
    try {
      text = readFileSync(env.PRIVATE_KEY_PATH, "utf8");
    } catch (error) {
      problems.push(`${from} cannot be read: ${(error as Error).message}`);
      return undefined;
    }
  } else {
    problems.push(
      `PRIVATE_KEY (the .pem's text, or base64 of it) or PRIVATE_KEY_PATH (its file) must be set: generate a key on ${SETTINGS_PAGE}`,
    );
    return undefined;
  }
  try {
    createPrivateKey(text);
    return text;
  } catch {
    problems.push(`${from} is not a PEM private key: download a new one from ${SETTINGS_PAGE}`);
    return undefined;
  }
}
