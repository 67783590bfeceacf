import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";

const root = join(import.meta.dirname, "..", "..");
export const BUNDLE = join(root, "action", "dist", "index.js");

interface WebhookExample {
  name: string;
  examples: Array<Record<string, unknown>>;
}

const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookExample[];

/** A real example payload of GitHub's (from @octokit/webhooks-examples), deep-copied. */
export function examplePayload(event: string, action?: string): Record<string, unknown> {
  const entry = examples.find((e) => e.name === event);
  const example = entry?.examples.find((e) => action === undefined || e.action === action);
  if (!example) throw new Error(`no example payload for ${event}${action ? `.${action}` : ""}`);
  return structuredClone(example);
}

/** Points an example payload's repository at `owner/name` with a default branch. */
export function retarget(payload: Record<string, unknown>, fullName: string, defaultBranch = "main"): void {
  const [owner, name] = fullName.split("/");
  const repository = payload.repository as Record<string, unknown>;
  repository.full_name = fullName;
  repository.name = name;
  (repository.owner as Record<string, unknown>).login = owner;
  repository.default_branch = defaultBranch;
}

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

/** Parses the GITHUB_OUTPUT file the way the runner does (`name<<delimiter` blocks). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (!match) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== match[2]; i++) value.push(lines[i]!);
    outputs[match[1]!] = value.join("\n");
  }
  return outputs;
}

let defaults: Record<string, string> | undefined;

/** action.yml's input defaults, as the runner hands them over (INPUT_* for every input). */
async function inputDefaults(token: string): Promise<Record<string, string>> {
  defaults ??= Object.fromEntries(
    Object.entries(
      (
        parse(await readFile(join(root, "action.yml"), "utf8")) as {
          inputs: Record<string, { default?: string }>;
        }
      ).inputs,
    ).map(([name, input]) => [name, String(input.default ?? "")]),
  );
  return Object.fromEntries(
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, as action.yml spells it
    Object.entries(defaults).map(([name, value]) => [name, value === "${{ github.token }}" ? token : value]),
  );
}

export interface RunActionOptions {
  event: string;
  payload: Record<string, unknown>;
  inputs: Record<string, string>;
  token: string;
  apiUrl: string;
  workspace: string;
  repository: string;
  sha: string;
  ref: string;
  cacheDir: string;
  runId?: number;
  env?: Record<string, string>;
}

/**
 * Runs the committed bundle as GitHub's runner does: `node action/dist/index.js` with INPUT_*
 * variables, the event payload in a file, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY as files.
 */
export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), "repogym-runner-"));
  try {
    const eventPath = join(dir, "event.json");
    const outputPath = join(dir, "output");
    const summaryPath = join(dir, "summary");
    await writeFile(eventPath, JSON.stringify(options.payload));
    await writeFile(outputPath, "");
    await writeFile(summaryPath, "");
    const inputs = { ...(await inputDefaults(options.token)), ...options.inputs };
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? dir,
      CI: "true",
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_NAME: options.event,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: options.repository,
      GITHUB_SHA: options.sha,
      GITHUB_REF: options.ref,
      GITHUB_WORKSPACE: options.workspace,
      GITHUB_API_URL: options.apiUrl,
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_RUN_ID: String(options.runId ?? 1001),
      GITHUB_OUTPUT: outputPath,
      GITHUB_STEP_SUMMARY: summaryPath,
      RUNNER_TEMP: dir,
      REPOGYM_CACHE_DIR: options.cacheDir,
      ...options.env,
    };
    for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>(
      (resolve) => {
        execFile(
          process.execPath,
          [BUNDLE],
          { cwd: options.workspace, env, maxBuffer: 64 * 1024 * 1024 },
          (error, stdout, stderr) => {
            const code = error ? ((error as { code?: number }).code ?? 1) : 0;
            resolve({ code: typeof code === "number" ? code : 1, stdout, stderr });
          },
        );
      },
    );
    return {
      code,
      stdout,
      stderr,
      outputs: parseOutputFile(await readFile(outputPath, "utf8")),
      summary: await readFile(summaryPath, "utf8"),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
