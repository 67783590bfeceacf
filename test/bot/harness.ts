/**
 * The app under test, as GitHub sees it: a Probot instance pointed at the fake GitHub (app JWT,
 * installation tokens), the real webhook middleware on a loopback server, and deliveries
 * signed over the raw body like GitHub signs them. Payloads are GitHub's own examples
 * (@octokit/webhooks-examples), retargeted at the fake's repositories.
 */
import { createHmac, generateKeyPairSync, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, type Logger, Probot } from "probot";
import { afterEach, expect } from "vitest";
import { createRepogymApp, type RepogymApp } from "../../bot/app.js";
import type { Clock } from "../../bot/coalesce.js";
import { readManifest } from "../../bot/manifest.js";
import { createBotOctokit, type RateLimitOptions } from "../../bot/octokit.js";
import type { RepogymAppOptions } from "../../bot/options.js";
import {
  type FakeGitHub,
  type Permissions,
  type RecordedRequest,
  startFakeGitHub,
} from "../helpers/fake-github/index.js";

export const APP_ID = 4242;
export const INSTALLATION_ID = 77;
export const OWNER = "acme";
export const SECRET = "webhook-secret-for-tests";
export const TOKEN = "ghs_installation_token_for_tests";
const TOKEN_EXCHANGE = "apps/create-installation-access-token";

let keys: { privateKey: string; publicKey: string } | undefined;

/** One RSA key pair per test file: the app signs its JWTs with it, the fake checks them. */
function appKeys(): { privateKey: string; publicKey: string } {
  keys ??= (() => {
    const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    return {
      privateKey: pair.privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      publicKey: pair.publicKey.export({ type: "spki", format: "pem" }).toString(),
    };
  })();
  return keys;
}

export interface LogLine {
  level: string;
  msg: string;
}

/** A pino-shaped logger that records every line (Probot's and the app's). */
export function memoryLogger(lines: LogLine[]): Logger {
  const write =
    (level: string) =>
    (first?: unknown, second?: unknown): void => {
      const text =
        typeof first === "string"
          ? first
          : typeof second === "string"
            ? second
            : first instanceof Error
              ? first.message
              : JSON.stringify(first);
      lines.push({ level, msg: text });
    };
  const log: Record<string, unknown> = {
    level: "trace",
    trace: write("trace"),
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    fatal: write("fatal"),
    silent: () => {},
    isLevelEnabled: () => true,
    child: () => log,
    bindings: () => ({}),
  };
  return log as unknown as Logger;
}

/** The app's installation permissions: exactly what bot/app.yml asks for. */
export function manifestPermissions(): Permissions {
  return readManifest().default_permissions as Permissions;
}

export interface Delivery {
  status: number;
  body: string;
  ms: number;
}

export interface DeliverOptions {
  id?: string;
  /** Changes the body after it was signed (a forged or corrupted delivery). */
  tamper?: (body: string) => string;
  /** Signs with another secret than the app's. */
  secret?: string;
}

export interface Harness extends AsyncDisposable {
  fake: FakeGitHub;
  app: RepogymApp;
  logs: LogLine[];
  deliver(event: string, payload: object, options?: DeliverOptions): Promise<Delivery>;
  /** Requests the app made since `since` (index into fake.requests), without token exchanges. */
  calls(since?: number): RecordedRequest[];
  /** `METHOD operationId` of those requests. */
  ops(since?: number): string[];
  /** Writes among them. */
  writes(since?: number): RecordedRequest[];
  mark(): number;
}

export interface HarnessOptions {
  app?: RepogymAppOptions;
  octokit?: RateLimitOptions;
  clock?: Clock;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fake = await startFakeGitHub({ validateResponses: true });
  const { privateKey, publicKey } = appKeys();
  const manifest = readManifest();
  fake.setApp({
    id: APP_ID,
    slug: "repogym",
    publicKey,
    permissions: manifestPermissions(),
    events: manifest.default_events,
  });
  fake.addInstallation({
    id: INSTALLATION_ID,
    account: OWNER,
    accountType: "Organization",
    token: TOKEN,
    permissions: manifestPermissions(),
  });
  const logs: LogLine[] = [];
  const probot = new Probot({
    appId: APP_ID,
    privateKey,
    secret: SECRET,
    baseUrl: fake.url,
    log: memoryLogger(logs),
    Octokit: createBotOctokit({ throttle: false, retryAfterBaseValue: 5, ...options.octokit }),
  });
  const app = createRepogymApp({
    ...(options.clock ? { clock: options.clock } : {}),
    ...options.app,
  });
  const middleware = await createNodeMiddleware(app, { probot });
  const server: Server = createServer((request, response) => {
    void middleware(request, response, () => {
      response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;

  const calls = (since = 0) => fake.requests.slice(since).filter((r) => r.operationId !== TOKEN_EXCHANGE);
  return {
    fake,
    app,
    logs,
    async deliver(event, payload, deliverOptions = {}) {
      const body = JSON.stringify(payload);
      const signature = `sha256=${createHmac("sha256", deliverOptions.secret ?? SECRET)
        .update(body)
        .digest("hex")}`;
      const started = performance.now();
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": event,
          "x-github-delivery": deliverOptions.id ?? randomUUID(),
          "x-hub-signature-256": signature,
          "user-agent": "GitHub-Hookshot/test",
        },
        body: deliverOptions.tamper ? deliverOptions.tamper(body) : body,
      });
      const text = await response.text();
      return { status: response.status, body: text, ms: performance.now() - started };
    },
    calls,
    ops: (since = 0) => calls(since).map((r) => `${r.method} ${r.operationId ?? r.path}`),
    writes: (since = 0) => calls(since).filter((r) => r.method !== "GET" && r.method !== "HEAD"),
    mark: () => fake.requests.length,
    async [Symbol.asyncDispose]() {
      await app.idle();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await fake.close();
    },
  };
}

/**
 * A harness per test: the returned function starts one, and after the test it is closed once
 * every request the app made matched GitHub's description, and so did every answer.
 */
export function harnessPerTest(): (options?: HarnessOptions) => Promise<Harness> {
  let harness: Harness | undefined;
  afterEach(async () => {
    const current = harness;
    harness = undefined;
    if (!current) return;
    expect(current.fake.violations).toEqual([]);
    expect(current.fake.responseViolations).toEqual([]);
    await current[Symbol.asyncDispose]();
  });
  return async (options = {}) => {
    harness = await startHarness(options);
    return harness;
  };
}

/** A clock the test moves by hand; timers fire when it passes them. */
export class ManualClock implements Clock {
  private time = Date.UTC(2025, 0, 1);
  private timers: Array<{ at: number; fn: () => void; cancelled: boolean }> = [];

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): () => void {
    const timer = { at: this.time + ms, fn, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  advance(ms: number): void {
    this.time += ms;
    const due = this.timers.filter((t) => !t.cancelled && t.at <= this.time).sort((a, b) => a.at - b.at);
    this.timers = this.timers.filter((t) => !due.includes(t) && !t.cancelled);
    for (const timer of due) timer.fn();
  }

  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
}

interface WebhookExample {
  name: string;
  examples: Array<Record<string, unknown>>;
}

const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookExample[];

/** A real example payload of GitHub's, deep-copied: the first of `event` with `action` (and matching `pick`). */
export function examplePayload(
  event: string,
  action?: string,
  pick: (example: Record<string, unknown>) => boolean = () => true,
): Record<string, unknown> {
  const entry = examples.find((e) => e.name === event);
  const example = entry?.examples.find((e) => (action === undefined || e.action === action) && pick(e));
  if (!example) throw new Error(`no example payload for ${event}${action ? `.${action}` : ""}`);
  return structuredClone(example);
}

type Json = Record<string, unknown>;

/** Points an example payload at `owner/name` of the fake, as delivered to the app's installation. */
export function retarget(payload: Json, fullName: string, defaultBranch = "main"): Json {
  const [owner, name] = fullName.split("/");
  const repository = payload.repository as Json;
  repository.full_name = fullName;
  repository.name = name;
  (repository.owner as Json).login = owner;
  repository.default_branch = defaultBranch;
  payload.installation = { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc=" };
  return payload;
}
