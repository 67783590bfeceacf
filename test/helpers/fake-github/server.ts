/**
 * The fake GitHub REST server: one loopback HTTP server per test, every request checked
 * against GitHub's OpenAPI description, authenticated and authorised like GitHub, then
 * answered from the in-memory state.
 */
import { randomUUID, verify as verifySignature } from "node:crypto";
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { ErrorObject } from "ajv";
import {
  errorReply,
  type Handler,
  type HandlerContext,
  type Handlers,
  type Reply,
  satisfies,
} from "./handler.js";
import {
  formatSchemaErrors,
  openApiIndex,
  type ValidationProblemKind,
  validateRequest,
  validateResponse,
} from "./openapi.js";
import { appHandlers } from "./routes/apps.js";
import { checksActionsHandlers } from "./routes/checks-actions.js";
import { gitHandlers } from "./routes/git.js";
import { issueHandlers } from "./routes/issues.js";
import { pullHandlers } from "./routes/pulls.js";
import { repoHandlers } from "./routes/repos.js";
import type { Urls } from "./shapes.js";
import {
  type CreateRepoOptions,
  type FakeAccount,
  type FakeApp,
  type FakeInstallation,
  type FakeRepo,
  FakeState,
  type Permissions,
  type TokenGrant,
  type TokenOptions,
} from "./state.js";

const HANDLERS: Handlers = {
  ...repoHandlers,
  ...issueHandlers,
  ...pullHandlers,
  ...gitHandlers,
  ...checksActionsHandlers,
  ...appHandlers,
};

/** Operation ids the fake answers (everything else in the description is a `not-implemented` violation). */
export const IMPLEMENTED_OPERATIONS: readonly string[] = Object.keys(HANDLERS).sort();

export interface RecordedRequest {
  method: string;
  /** Raw pathname as sent (percent-encoding kept; an Enterprise `/api/v3` prefix removed). */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (a string when it was not JSON), undefined when none was sent. */
  body: unknown;
  operationId: string | undefined;
  /** The matched path template. */
  route: string | undefined;
  params: Record<string, string | number>;
  /** The response status (0 while the request is in flight). */
  status: number;
  /** The JSON response body (undefined for 204, 302 and binary answers). */
  response: unknown;
}

export type ViolationKind = ValidationProblemKind | "invalid-json" | "not-implemented" | "fake-error";

/** A request that does not match GitHub's description (or that the fake cannot answer). */
export interface Violation {
  kind: ViolationKind;
  method: string;
  path: string;
  operationId: string | undefined;
  route: string | undefined;
  message: string;
  errors?: ErrorObject[];
}

/** A response of the fake that does not match the description (a bug in the fake). */
export interface ResponseViolation {
  method: string;
  path: string;
  operationId: string;
  status: number;
  message: string;
  errors: ErrorObject[];
}

export interface Fault {
  operationId?: string;
  method?: string;
  /** Path template, e.g. `/repos/{owner}/{repo}/contents/{path}`. */
  route?: string;
  match?: (request: RecordedRequest) => boolean;
  status: number;
  /** JSON body; default GitHub's error shape with a generic message. */
  body?:
    | object
    | string
    | number
    | boolean
    | null
    | ((request: RecordedRequest, fake: FakeGitHub) => unknown);
  headers?: Record<string, string>;
  /** How many matching requests fail (default 1). */
  times?: number;
}

export interface FaultHandle {
  /** Matching requests still to fail. */
  readonly remaining: number;
  /** Requests this fault answered. */
  readonly hits: number;
  cancel(): void;
}

/**
 * Runs after routing, authentication, authorisation and validation, just before the handler:
 * mutate `fake.state` to simulate a concurrent writer, or return a reply to answer instead.
 */
export type BeforeHandleHook = (request: RecordedRequest, fake: FakeGitHub) => Reply | undefined;

export interface FakeGitHubOptions {
  /** Where `html_url`s point; default https://github.com. */
  htmlUrl?: string;
  /** The fake's clock (timestamps, commit dates); default a fixed start advancing a second per reading. */
  now?: () => Date;
  /** Check every JSON response against the description and record `responseViolations` (slower). */
  validateResponses?: boolean;
}

interface ActiveFault {
  fault: Fault;
  remaining: number;
  hits: number;
}

const CONTENTS_PUT = "repos/create-or-update-file-contents";

export class FakeGitHub implements AsyncDisposable {
  readonly state: FakeState;
  readonly requests: RecordedRequest[] = [];
  readonly violations: Violation[] = [];
  readonly responseViolations: ResponseViolation[] = [];
  private readonly faults: ActiveFault[] = [];
  private readonly hooks: BeforeHandleHook[] = [];
  private readonly server: Server;
  private urls: Urls;
  private readonly validateResponses: boolean;

  private constructor(options: FakeGitHubOptions) {
    this.state = new FakeState(options.now ? { now: options.now } : {});
    this.urls = { api: "", html: options.htmlUrl ?? "https://github.com" };
    this.validateResponses = options.validateResponses ?? false;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ message: `fake-github: ${String(error)}` }));
      });
    });
  }

  static async start(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
    openApiIndex(); // parse the description before the first request's clock starts
    const fake = new FakeGitHub(options);
    await new Promise<void>((resolve, reject) => {
      fake.server.once("error", reject);
      fake.server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = fake.server.address() as AddressInfo;
    fake.urls.api = `http://127.0.0.1:${port}`;
    return fake;
  }

  /** `http://127.0.0.1:<port>`: pass as Octokit's `baseUrl`. */
  get url(): string {
    return this.urls.api;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // --- seeding -------------------------------------------------------------------------------

  /** Registers a token (`ghs_...`) with GitHub App permission levels; `metadata: read` is implied. */
  addToken(token: string, permissions: Permissions, options?: TokenOptions): TokenGrant {
    return this.state.addToken(token, permissions, options);
  }

  createRepo(options: CreateRepoOptions): FakeRepo {
    return this.state.createRepo(options);
  }

  /** The repository `owner/name`; throws when it was not created. */
  repo(fullName: string): FakeRepo {
    return this.state.repo(fullName);
  }

  setApp(options: Parameters<FakeState["setApp"]>[0]): FakeApp {
    return this.state.setApp(options);
  }

  addInstallation(options: Parameters<FakeState["addInstallation"]>[0]): FakeInstallation {
    return this.state.addInstallation(options);
  }

  /** Answers the next `times` matching requests with `status` instead of handling them. */
  injectFault(fault: Fault): FaultHandle {
    const active: ActiveFault = { fault, remaining: fault.times ?? 1, hits: 0 };
    this.faults.push(active);
    return {
      get remaining() {
        return active.remaining;
      },
      get hits() {
        return active.hits;
      },
      cancel: () => {
        active.remaining = 0;
      },
    };
  }

  /**
   * The next `times` contents PUTs answer 409 as when the branch moved underneath the request
   * (`refs/heads/<branch> expected to be at <sha>`), without changing anything.
   */
  injectContentsConflict(times = 1): FaultHandle {
    return this.injectFault({
      operationId: CONTENTS_PUT,
      status: 409,
      times,
      body: (request, fake) => {
        const params = request.params;
        const repo = fake.state.findRepo(`${params.owner}/${params.repo}`);
        const body = (request.body ?? {}) as { branch?: string };
        const branch = body.branch ?? repo?.defaultBranch ?? "main";
        const sha = repo?.branchSha(branch) ?? "0".repeat(40);
        return {
          message: `refs/heads/${branch} expected to be at ${sha}`,
          documentation_url: openApiIndex().byOperationId.get(CONTENTS_PUT)?.documentationUrl,
          status: "409",
        };
      },
    });
  }

  /** Adds a hook run before every handler; returns a function removing it. */
  beforeHandle(hook: BeforeHandleHook): () => void {
    this.hooks.push(hook);
    return () => {
      const index = this.hooks.indexOf(hook);
      if (index >= 0) this.hooks.splice(index, 1);
    };
  }

  /** Recorded requests for one operation id (`issues/create-comment`). */
  requestsFor(operationId: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operationId === operationId);
  }

  /** Forgets recorded requests and violations (state stays). */
  clearRecords(): void {
    this.requests.length = 0;
    this.violations.length = 0;
    this.responseViolations.length = 0;
  }

  // --- request handling ----------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.urls.api);
    // GitHub Enterprise Server serves the same API under /api/v3 (GHE_HOST clients use it).
    url.pathname = url.pathname.replace(/^\/api\/v3(?=\/)/, "");
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const method = (req.method ?? "GET").toUpperCase();
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams.entries()),
      headers: req.headers,
      body: undefined,
      operationId: undefined,
      route: undefined,
      params: {},
      status: 0,
      response: undefined,
    };
    this.requests.push(record);

    const reply = this.answer(record, raw, url);
    record.status = reply.status;
    const headers: Record<string, string> = {
      "x-github-api-version-selected": "2022-11-28",
      "x-github-request-id": randomUUID().toUpperCase(),
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": String(Math.max(5000 - this.requests.length, 0)),
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
      "x-ratelimit-used": String(this.requests.length),
      "x-ratelimit-resource": "core",
      ...reply.headers,
    };
    if (reply.body === undefined || reply.status === 204 || reply.status === 302) {
      res.writeHead(reply.status, headers);
      res.end();
      return;
    }
    if (Buffer.isBuffer(reply.body)) {
      res.writeHead(reply.status, { "content-type": "application/octet-stream", ...headers });
      res.end(reply.body);
      return;
    }
    record.response = reply.body;
    if (this.validateResponses && record.operationId) this.checkResponse(record, reply);
    res.writeHead(reply.status, { "content-type": "application/json; charset=utf-8", ...headers });
    res.end(JSON.stringify(reply.body));
  }

  private violation(
    record: RecordedRequest,
    kind: ViolationKind,
    message: string,
    errors?: ErrorObject[],
  ): void {
    this.violations.push({
      kind,
      method: record.method,
      path: record.path,
      operationId: record.operationId,
      route: record.route,
      message,
      ...(errors ? { errors } : {}),
    });
  }

  private answer(record: RecordedRequest, raw: string, url: URL): Reply {
    if (record.path.startsWith("/_fake/")) return this.internal(record);

    const contentType = record.headers["content-type"];
    if (raw.length > 0) {
      try {
        record.body = JSON.parse(raw);
      } catch {
        if (contentType === undefined || /json/i.test(contentType)) {
          this.violation(record, "invalid-json", `body is not JSON: ${raw.slice(0, 80)}`);
          return errorReply(400, "Problems parsing JSON");
        }
        record.body = raw;
      }
    }

    const validation = validateRequest(record.method, record.path, record.query, record.body, {
      contentType,
    });
    record.operationId = validation.operationId;
    record.route = validation.route;
    record.params = validation.params;
    for (const problem of validation.problems) {
      this.violation(record, problem.kind, problem.message, problem.errors);
    }
    const operation = validation.operation;
    if (!operation) return errorReply(404, "Not Found");

    const handler = HANDLERS[operation.operationId];
    if (!handler) {
      this.violation(record, "not-implemented", `the fake does not implement ${operation.operationId}`);
      return errorReply(
        501,
        `fake-github does not implement ${operation.operationId}`,
        operation.documentationUrl,
      );
    }

    // Authentication.
    const auth = this.authenticate(record, handler);
    if ("reply" in auth) return auth.reply;
    const { grant, actor } = auth;

    // Repository visibility, then permissions.
    let repo: FakeRepo | undefined;
    if (operation.pathParamNames.includes("owner") && operation.pathParamNames.includes("repo")) {
      repo = this.state.findRepo(`${record.params.owner}/${record.params.repo}`);
      if (!repo || (grant && !this.canSee(grant, repo)))
        return errorReply(404, "Not Found", operation.documentationUrl);
    }
    if (grant) {
      const requirement = handler.permission ?? [["metadata", "read"]];
      if (!satisfies(grant, requirement)) {
        return errorReply(403, "Resource not accessible by integration", operation.documentationUrl);
      }
    }

    // Input GitHub itself refuses.
    const rejecting = validation.problems.filter((p) => p.rejects);
    if (rejecting.length > 0) {
      return errorReply(
        422,
        `Invalid request.\n\n${rejecting.map((p) => p.message).join("\n")}`,
        operation.documentationUrl,
      );
    }

    for (const active of this.faults) {
      const f = active.fault;
      if (active.remaining <= 0) continue;
      if (f.operationId && f.operationId !== operation.operationId) continue;
      if (f.method && f.method.toUpperCase() !== record.method) continue;
      if (f.route && f.route !== operation.route) continue;
      if (f.match && !f.match(record)) continue;
      active.remaining--;
      active.hits++;
      const body =
        typeof f.body === "function"
          ? (f.body as (r: RecordedRequest, fake: FakeGitHub) => unknown)(record, this)
          : (f.body ?? {
              message: `Injected ${f.status}`,
              documentation_url: operation.documentationUrl,
              status: String(f.status),
            });
      return { status: f.status, body, ...(f.headers ? { headers: f.headers } : {}) };
    }

    for (const hook of this.hooks) {
      const hooked = hook(record, this);
      if (hooked) return hooked;
    }

    const ctx: HandlerContext = {
      state: this.state,
      urls: this.urls,
      operation,
      method: record.method,
      params: record.params,
      query: record.query,
      headers: record.headers,
      body: (typeof record.body === "object" && record.body !== null ? record.body : {}) as Record<
        string,
        unknown
      >,
      url,
      grant,
      actor,
      repo: repo as FakeRepo,
    };
    try {
      return handler.handle(ctx);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      this.violation(record, "fake-error", `the fake threw: ${message}`);
      return errorReply(500, `fake-github: ${String(error)}`);
    }
  }

  private authenticate(
    record: RecordedRequest,
    handler: Handler,
  ): { grant: TokenGrant | undefined; actor: FakeAccount } | { reply: Reply } {
    const header = record.headers.authorization;
    const match = /^(token|bearer)\s+(\S+)$/i.exec(header ?? "");
    if (!match) return { reply: errorReply(401, "Requires authentication") };
    const credential = match[2] ?? "";
    if (handler.auth === "app") {
      const problem = this.checkAppJwt(credential);
      if (problem) return { reply: errorReply(401, problem) };
      const app = this.state.app!;
      return { grant: undefined, actor: this.state.account(`${app.slug}[bot]`, "Bot") };
    }
    const grant = this.state.tokens.get(credential);
    if (!grant) return { reply: errorReply(401, "Bad credentials") };
    return { grant, actor: grant.account };
  }

  /** An error message, or undefined when `jwt` is the registered app's valid JWT. */
  private checkAppJwt(jwt: string): string | undefined {
    const app = this.state.app;
    const undecodable = "A JSON web token could not be decoded";
    const parts = jwt.split(".");
    if (!app || parts.length !== 3) return undecodable;
    let payload: { iss?: unknown; exp?: unknown; iat?: unknown };
    try {
      payload = JSON.parse(Buffer.from(parts[1] ?? "", "base64url").toString("utf8"));
    } catch {
      return undecodable;
    }
    if (String(payload.iss) !== String(app.id)) return "'Issuer' claim ('iss') must be an Integer";
    if (typeof payload.exp !== "number" || payload.exp * 1000 < Date.now()) {
      return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
    }
    if (app.publicKey) {
      const ok = verifySignature(
        "RSA-SHA256",
        Buffer.from(`${parts[0]}.${parts[1]}`),
        app.publicKey,
        Buffer.from(parts[2] ?? "", "base64url"),
      );
      if (!ok) return undecodable;
    }
    return undefined;
  }

  private canSee(grant: TokenGrant, repo: FakeRepo): boolean {
    if (
      grant.repositories &&
      !grant.repositories.some((r) => r.toLowerCase() === repo.fullName.toLowerCase())
    ) {
      return false;
    }
    if (grant.installationId !== undefined) {
      const installation = this.state.installations.get(grant.installationId);
      return installation !== undefined && this.state.installationCovers(installation, repo);
    }
    return true;
  }

  /** `/_fake/...`: artifact downloads (the redirect target) and raw file downloads. */
  private internal(record: RecordedRequest): Reply {
    const artifact = /^\/_fake\/artifacts\/(\d+)\/(\d+)\.zip$/.exec(record.path);
    if (artifact) {
      const repo = [...this.state.repos.values()].find((r) => r.id === Number(artifact[1]));
      const state = repo?.artifacts.get(Number(artifact[2]));
      if (!state) return errorReply(404, "Not Found");
      return { status: 200, body: state.zip, headers: { "content-type": "application/zip" } };
    }
    const raw = /^\/_fake\/raw\/([^/]+)\/([^/]+)\/(.+)$/.exec(record.path);
    if (raw) {
      const repo = this.state.findRepo(`${raw[1]}/${raw[2]}`);
      const segments = (raw[3] ?? "").split("/").map(decodeURIComponent);
      // The ref may contain slashes too: try every split of `<ref>/<path>`.
      for (let i = 1; repo && i < segments.length; i++) {
        const commit = repo.git.resolve(segments.slice(0, i).join("/"));
        const tree = commit ? repo.git.commit(commit)?.tree : undefined;
        const entry = tree ? repo.git.entryAt(tree, segments.slice(i).join("/")) : undefined;
        const blob = entry?.type === "blob" ? repo.git.blob(entry.sha) : undefined;
        if (blob)
          return {
            status: 200,
            body: blob.content,
            headers: { "content-type": "text/plain; charset=utf-8" },
          };
      }
      return errorReply(404, "Not Found");
    }
    return errorReply(404, "Not Found");
  }

  private checkResponse(record: RecordedRequest, reply: Reply): void {
    const operationId = record.operationId!;
    const errors = validateResponse(operationId, reply.status, reply.body);
    if (errors.length === 0) return;
    this.responseViolations.push({
      method: record.method,
      path: record.path,
      operationId,
      status: reply.status,
      message: formatSchemaErrors(errors, "response"),
      errors,
    });
  }
}

/** Starts a fake GitHub on 127.0.0.1 (a free port). Close it with `close()` or `await using`. */
export function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  return FakeGitHub.start(options);
}
