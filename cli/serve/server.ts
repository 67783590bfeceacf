/**
 * The reward service over node:http: routes, body limits, status codes, graceful shutdown.
 * Scoring itself is score-batch.ts; admission is queue.ts; the wire format is protocol.ts.
 * Stateless between requests: the suite is read once and only read, the dependency cache is
 * content-addressed, and each request's rollout folders are its own; so replicas behind any
 * load balancer answer alike.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import type { Scenario } from "../../core/scenario.js";
import type { RolloutRunner } from "../../runner/run-loop.js";
import { type ErrorResponse, type Health, parseScoreRequest, type ScoreResponse } from "./protocol.js";
import { BoundedQueue } from "./queue.js";
import { scoreBatch } from "./score-batch.js";

export interface ServeLimits {
  /** Rollouts running at once. */
  concurrency: number;
  /** Rollouts waiting for a slot; a batch that would exceed it gets 429. */
  maxQueued: number;
  /** Items per request. */
  maxBatch: number;
  /** Request body size. */
  maxBodyBytes: number;
  /** A request's time limit: the default, and the most its timeout_s may ask for. */
  maxTimeoutS: number;
}

export interface RewardServerOptions {
  scenarios: readonly Scenario[];
  runner: RolloutRunner;
  limits: ServeLimits;
  /** Reported by /healthz. */
  version: string;
  /** Keep rollout folders (logs) here instead of a scratch folder removed after each request. */
  logsDir?: string;
  /** One line per request (method, path, status, items, time). */
  log?: (line: string) => void;
}

export interface RewardServer {
  /** Starts listening; port 0 picks a free one. Resolves with the address to use. */
  listen(port: number, host: string): Promise<{ url: string; port: number }>;
  /** Stops accepting, answers what is in flight, removes scratch folders. */
  close(): Promise<void>;
  readonly server: Server;
}

const ROUTES: Record<string, readonly string[]> = {
  "/v1/score": ["POST"],
  "/healthz": ["GET", "HEAD"],
  "/readyz": ["GET", "HEAD"],
};

/** A client streaming far past the limit is cut off instead of read to its end. */
const DISCARD_LIMIT_BYTES = 64 * 1024 * 1024;

type Body = { ok: true; text: string } | { ok: false; reason: "too-large" | "gone" };

/** The body as text, or why not; past `maxBytes` the rest is read and dropped so the answer can be sent. */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Body> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= maxBytes) chunks.push(chunk);
      else if (bytes > maxBytes + DISCARD_LIMIT_BYTES) {
        req.destroy();
        resolve({ ok: false, reason: "gone" });
      }
    });
    req.on("end", () =>
      resolve(
        bytes > maxBytes
          ? { ok: false, reason: "too-large" }
          : { ok: true, text: Buffer.concat(chunks).toString("utf8") },
      ),
    );
    req.on("error", () => resolve({ ok: false, reason: "gone" }));
    req.on("aborted", () => resolve({ ok: false, reason: "gone" }));
  });
}

export function createRewardServer(options: RewardServerOptions): RewardServer {
  const { limits } = options;
  const queue = new BoundedQueue({ concurrency: limits.concurrency, maxQueued: limits.maxQueued });
  const scenarios = new Map(options.scenarios.map((s) => [s.instance_id, s]));
  const scenarioIds = new Set(scenarios.keys());
  /** Requests being handled, and rollouts still winding down after their answer. */
  const pending = new Set<Promise<unknown>>();
  let draining = false;
  let root: string | undefined;
  const track = (work: Promise<unknown>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };

  const health = (): Health => {
    const stats = queue.stats();
    return {
      status: draining ? "draining" : "ok",
      version: options.version,
      scenarios: scenarios.size,
      inflight: stats.inflight,
      queued: stats.queued,
      capacity: {
        concurrency: limits.concurrency,
        queue: limits.maxQueued,
        max_batch: limits.maxBatch,
        max_body_bytes: limits.maxBodyBytes,
        max_timeout_s: limits.maxTimeoutS,
      },
    };
  };

  const send = (
    res: ServerResponse,
    status: number,
    body: ScoreResponse | ErrorResponse | Health | { ready: boolean },
    headers: Record<string, string> = {},
  ) => {
    if (res.destroyed) return;
    const text = `${JSON.stringify(body)}\n`;
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "content-length": String(Buffer.byteLength(text)),
      "cache-control": "no-store",
      ...(draining ? { connection: "close" } : {}),
      ...headers,
    });
    res.end(res.req.method === "HEAD" ? undefined : text);
  };

  const score = async (req: IncomingMessage, res: ServerResponse): Promise<string> => {
    if (draining) {
      send(
        res,
        503,
        { error: "shutting down; send the request to another replica", retry_after_s: 1 },
        {
          "retry-after": "1",
        },
      );
      return "draining";
    }
    const body = await readBody(req, limits.maxBodyBytes);
    if (!body.ok) {
      if (body.reason === "too-large") {
        send(res, 413, {
          error: `body: larger than ${limits.maxBodyBytes} bytes (the server's --max-body); split the batch`,
        });
      }
      return body.reason;
    }
    const parsed = parseScoreRequest(body.text, {
      maxBatch: limits.maxBatch,
      maxTimeoutS: limits.maxTimeoutS,
      scenarioIds,
    });
    if (!parsed.ok) {
      send(res, 400, { error: parsed.error });
      return "bad request";
    }
    const clientGone = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) clientGone.abort();
    });
    const timeoutS = parsed.request.timeout_s ?? limits.maxTimeoutS;
    const result = await scoreBatch(
      { runner: options.runner, queue, scenarios, root: root!, keepLogs: options.logsDir !== undefined },
      parsed.request,
      { timeoutMs: timeoutS * 1000, clientGone: clientGone.signal, onSettled: track },
    );
    const items = `${parsed.request.items.length} items`;
    switch (result.kind) {
      case "busy":
        send(
          res,
          429,
          { error: result.reason, retry_after_s: result.retryAfterS },
          {
            "retry-after": String(result.retryAfterS),
          },
        );
        return `${items}, busy`;
      case "done":
        send(res, 200, { run_id: result.runId, results: result.results });
        return items;
      case "timeout":
        send(res, 504, {
          run_id: result.runId,
          results: result.results,
          error: `the request's time limit (${timeoutS} s) passed with ${result.finished} of ${result.results.length} items finished; the others are infra_error records`,
        });
        return `${items}, ${result.finished} finished`;
      case "gone":
        return `${items}, client gone`;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const methods = ROUTES[path];
    let note = "";
    if (!methods) {
      send(res, 404, { error: `no such endpoint ${path}; try POST /v1/score, GET /healthz or GET /readyz` });
    } else if (!methods.includes(req.method ?? "")) {
      send(
        res,
        405,
        { error: `${req.method} is not allowed on ${path}; use ${methods.join(" or ")}` },
        {
          allow: methods.join(", "),
        },
      );
    } else if (path === "/v1/score") {
      note = await score(req, res);
    } else if (path === "/healthz") {
      send(res, 200, health());
    } else {
      send(res, draining ? 503 : 200, { ready: !draining });
    }
    const ms = performance.now() - started;
    options.log?.(
      `${req.method} ${path} ${res.statusCode}${note ? ` (${note})` : ""} ${(ms / 1000).toFixed(2)}s`,
    );
  };

  const server = createServer((req, res) => {
    const work = handle(req, res).catch((error: unknown) => {
      // A bug: answer it as one, keep serving.
      options.log?.(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
      if (!res.headersSent) send(res, 500, { error: "unexpected error in the reward service" });
      else res.destroy();
    });
    track(work);
  });

  return {
    server,
    async listen(port, host) {
      root = options.logsDir ?? (await mkdtemp(`${tmpdir()}/repogym-serve-`));
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve();
        });
      });
      const address = server.address() as AddressInfo;
      const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
      return { url: `http://${shown}:${address.port}`, port: address.port };
    },
    async close() {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Answers in flight finish (each is bounded by its time limit), then their rollouts.
      while (pending.size > 0) await Promise.allSettled([...pending]);
      await queue.idle();
      server.closeAllConnections();
      await closed;
      if (root && options.logsDir === undefined) await rm(root, { recursive: true, force: true });
    },
  };
}
