/**
 * The built entry points as they are deployed (run `npm run build` first; `npm test` does):
 * the server, `probot receive`, and the GitHub Actions adapter, each against the fake GitHub.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeGitHub, type FakeRepo, startFakeGitHub } from "../helpers/fake-github/index.js";
import { PROJECT_ROOT, tempDir } from "../helpers/fixture-repo.js";
import { examplePayload, manifestPermissions, retarget } from "./harness.js";
import { REPO } from "./world.js";

const DIST_APP = join(PROJECT_ROOT, "dist", "bot", "app.js");
const PROBOT = join(PROJECT_ROOT, "node_modules", "probot", "bin", "probot.js");

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  args: string[],
  env: Record<string, string>,
  options: { timeoutMs?: number } = {},
): { child: ChildProcess; done: Promise<Exit>; output: () => string } {
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  const done = new Promise<Exit>((resolve) => {
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, done, output: () => stdout + stderr };
}

/** `probot receive` of the built app: one saved issue_comment payload, against `baseUrl`. */
function receive(path: string, token: string, baseUrl: string, env: Record<string, string> = {}) {
  const args = ["receive", "-e", "issue_comment", "-p", path, "-t", token, "--base-url", baseUrl];
  return run([PROBOT, ...args, DIST_APP], env);
}

let fake: FakeGitHub | undefined;
let repo: FakeRepo;
let scratch: AsyncDisposable & { path: string };

beforeAll(async () => {
  scratch = await tempDir("repogym-bot-");
  return async () => {
    await scratch[Symbol.asyncDispose]();
  };
});

afterEach(async () => {
  const current = fake;
  fake = undefined;
  if (!current) return;
  expect(current.violations).toEqual([]);
  await current.close();
});

async function world(): Promise<FakeGitHub> {
  fake = await startFakeGitHub();
  repo = fake.createRepo({
    owner: "acme",
    ownerType: "Organization",
    name: "calc",
    files: { "README.md": "# calc\n" },
  });
  repo.addWorkflow({ name: "repogym", path: ".github/workflows/repogym.yml" });
  repo.setCollaborator("maintainer", "write");
  return fake;
}

/** `/repogym mine` from a maintainer, as a real issue_comment payload in a file. */
async function commandPayloadFile(name: string): Promise<{ path: string; body: string }> {
  const issue = repo.addIssue({ title: "Mine please" });
  const comment = repo.addComment(issue.number, "/repogym mine", "maintainer");
  const payload = retarget(examplePayload("issue_comment", "created"), REPO);
  const p = payload as {
    issue: { number: number };
    comment: { id: number; body: string };
    sender: { login: string };
  };
  p.issue.number = issue.number;
  p.comment.id = comment.id;
  p.comment.body = "/repogym mine";
  p.sender.login = "maintainer";
  const body = JSON.stringify(payload);
  const path = join(scratch.path, name);
  await mkdir(scratch.path, { recursive: true });
  await writeFile(path, body);
  return { path, body };
}

describe("probot receive ./dist/bot/app.js", () => {
  it("handles a saved payload against the API it is pointed at", async () => {
    const gh = await world();
    gh.addToken("ghs_receive", manifestPermissions(), { login: "repogym-dev[bot]", type: "Bot" });
    const { path } = await commandPayloadFile("comment.json");
    const { done } = receive(path, "ghs_receive", gh.url, { LOG_LEVEL: "info" });
    const exit = await done;
    expect(exit.stderr).not.toMatch(/ERROR/);
    expect(exit.code).toBe(0);
    expect(repo.workflowDispatches.map((d) => [d.inputs, d.by.login])).toEqual([
      [{ command: "mine" }, "repogym-dev[bot]"],
    ]);
  });

  it("without a way to reach GitHub, fails with a message that says what to check", async () => {
    await world();
    const { path } = await commandPayloadFile("comment-offline.json");
    const { done } = receive(path, "ghs_x", "http://127.0.0.1:9");
    const exit = await done;
    expect(exit.code).toBe(1);
    expect(exit.stdout + exit.stderr).toMatch(
      /issue_comment \(delivery [\w-]+\) failed: reading \.repogym\/config\.yml at main of acme\/calc: 500 .*\(could not reach GitHub: check GITHUB_API_URL or GHE_HOST and the network\)/,
    );
  });
});

describe("node dist/bot/server.js", () => {
  it("refuses to start without its settings, naming each", async () => {
    const exit = await run([join(PROJECT_ROOT, "dist", "bot", "server.js")], {}).done;
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain("repogym app: cannot start:");
    expect(exit.stderr).toMatch(/APP_ID must be/);
    expect(exit.stderr).toMatch(/PRIVATE_KEY .* or PRIVATE_KEY_PATH/);
    expect(exit.stderr).toMatch(/WEBHOOK_SECRET must be/);
  });

  it("answers a signed ping, rejects a tampered delivery, and handles a command through the app's installation", async () => {
    const gh = await world();
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    gh.setApp({
      id: 31337,
      slug: "repogym",
      publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
    });
    gh.addInstallation({
      id: 77,
      account: "acme",
      accountType: "Organization",
      token: "ghs_server_installation",
      permissions: manifestPermissions(),
    });
    const server = run([join(PROJECT_ROOT, "dist", "bot", "server.js")], {
      APP_ID: "31337",
      PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      WEBHOOK_SECRET: "s3cret",
      GITHUB_API_URL: gh.url,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_FORMAT: "json",
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setInterval(() => {
          const match = /listening on http:\/\/127\.0\.0\.1:(\d+)\/api\/github\/webhooks/.exec(
            server.output(),
          );
          if (match) {
            clearInterval(timer);
            resolve(Number(match[1]));
          } else if (server.child.exitCode !== null) {
            clearInterval(timer);
            reject(new Error(`the server stopped: ${server.output()}`));
          }
        }, 50);
      });
      const url = `http://127.0.0.1:${port}`;
      const post = (event: string, body: string, signed = body) =>
        fetch(`${url}/api/github/webhooks`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-github-event": event,
            "x-github-delivery": crypto.randomUUID(),
            "x-hub-signature-256": `sha256=${createHmac("sha256", "s3cret").update(signed).digest("hex")}`,
          },
          body,
        });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const ping = JSON.stringify(examplePayload("ping"));
      const started = performance.now();
      expect((await post("ping", ping)).status).toBe(200);
      expect(performance.now() - started).toBeLessThan(2000);
      expect((await post("ping", `${ping} `, ping)).status).toBe(400);

      const { body } = await commandPayloadFile("server-comment.json");
      const answer = await post("issue_comment", body);
      expect(answer.status).toBe(200);
      expect(repo.workflowDispatches.map((d) => [d.inputs, d.by.login])).toEqual([
        [{ command: "mine" }, "repogym[bot]"],
      ]);
      expect(gh.requestsFor("apps/create-installation-access-token")).toHaveLength(1);
    } finally {
      server.child.kill("SIGTERM");
      const exit = await server.done;
      expect(exit.code).toBe(0);
    }
  });
});

describe("node dist/bot/action.js (GitHub Actions, through @probot/adapter-github-actions)", () => {
  it("handles the workflow's event with its token, on the adapter's own Probot", async () => {
    const gh = await world();
    gh.addToken("ghs_actions", {
      actions: "write",
      issues: "write",
      contents: "read",
      pull_requests: "read",
    });
    const { path } = await commandPayloadFile("event.json");
    const host = new URL(gh.url).host;
    const exit = await run([join(PROJECT_ROOT, "dist", "bot", "action.js")], {
      GITHUB_TOKEN: "ghs_actions",
      GITHUB_RUN_ID: "123456",
      GITHUB_EVENT_NAME: "issue_comment",
      GITHUB_EVENT_PATH: path,
      GHE_HOST: host,
      GHE_PROTOCOL: "http",
    }).done;
    expect(exit.stdout + exit.stderr).not.toMatch(/::error/);
    expect(exit.code).toBe(0);
    expect(repo.workflowDispatches.map((d) => [d.inputs, d.by.login])).toEqual([
      [{ command: "mine" }, "github-actions[bot]"],
    ]);
  });

  it("fails the job when the handler fails", async () => {
    const gh = await world();
    gh.addToken("ghs_weak", { contents: "read" });
    const { path } = await commandPayloadFile("event-weak.json");
    const exit = await run([join(PROJECT_ROOT, "dist", "bot", "action.js")], {
      GITHUB_TOKEN: "ghs_weak",
      GITHUB_RUN_ID: "123457",
      GITHUB_EVENT_NAME: "issue_comment",
      GITHUB_EVENT_PATH: path,
      GHE_HOST: new URL(gh.url).host,
      GHE_PROTOCOL: "http",
    }).done;
    expect(exit.code).toBe(1);
    expect(exit.stdout + exit.stderr).toMatch(/::error.*the app is missing the `issues: write` permission/);
  });
});
