/** What a route handler of the fake gets and returns, and GitHub's error bodies. */
import type { OpenApiOperation } from "./openapi.js";
import type { Urls } from "./shapes.js";
import type {
  FakeAccount,
  FakeRepo,
  FakeState,
  PermissionLevel,
  PermissionName,
  TokenGrant,
} from "./state.js";

export interface Reply {
  status: number;
  /** JSON body (omitted for 204/302), or raw bytes. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface HandlerContext {
  state: FakeState;
  urls: Urls;
  operation: OpenApiOperation;
  method: string;
  /** Decoded path parameters (integers as numbers). */
  params: Record<string, string | number>;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, `{}` when none was sent. */
  body: Record<string, unknown>;
  /** The full request URL (for Link headers). */
  url: URL;
  /** The token's grant; undefined for app (JWT) requests. */
  grant: TokenGrant | undefined;
  /** Who is acting: the token's account, or the app's bot. */
  actor: FakeAccount;
  /** The `{owner}/{repo}` repository, for repository routes. */
  repo: FakeRepo;
}

/** `anyOf` permission requirement: the first satisfied pair lets the request through. */
export type PermissionRequirement = Array<[PermissionName, PermissionLevel]>;

export interface Handler {
  /** `app`: the app's JWT (`/app/...`); default: an installation or user token. */
  auth?: "token" | "app";
  /** Default for repository routes: metadata read. */
  permission?: PermissionRequirement;
  handle(ctx: HandlerContext): Reply;
}

export type Handlers = Record<string, Handler>;

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { status, body, ...(headers ? { headers } : {}) };
}

export function noContent(): Reply {
  return { status: 204 };
}

/** GitHub's error shape: `{ message, documentation_url, status }`. */
export function errorReply(
  status: number,
  message: string,
  documentationUrl = "https://docs.github.com/rest",
  extra: Record<string, unknown> = {},
): Reply {
  return json(status, { message, ...extra, documentation_url: documentationUrl, status: String(status) });
}

export function notFound(ctx: Pick<HandlerContext, "operation">, message = "Not Found"): Reply {
  return errorReply(404, message, ctx.operation.documentationUrl);
}

export function unprocessable(ctx: Pick<HandlerContext, "operation">, message: string): Reply {
  return errorReply(422, message, ctx.operation.documentationUrl);
}

export interface FieldError {
  resource: string;
  code: "missing" | "missing_field" | "invalid" | "already_exists" | "unprocessable" | "custom";
  field?: string;
  message?: string;
}

/** 422 `{ message: "Validation Failed", errors: [...] }`. */
export function validationFailed(ctx: Pick<HandlerContext, "operation">, errors: FieldError[]): Reply {
  return errorReply(422, "Validation Failed", ctx.operation.documentationUrl, { errors });
}

const LEVELS: Record<PermissionLevel, number> = { read: 1, write: 2, admin: 3 };

export function satisfies(grant: TokenGrant, requirement: PermissionRequirement): boolean {
  return requirement.some(([name, level]) => {
    const held = grant.permissions[name];
    return held !== undefined && LEVELS[held] >= LEVELS[level];
  });
}

/** One page of `items` by `per_page` (default 30, max 100) and `page`, with GitHub's Link header. */
export function paginate<T>(
  ctx: HandlerContext,
  items: T[],
): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(Math.max(Number(ctx.query.per_page ?? 30) || 30, 1), 100);
  const page = Math.max(Number(ctx.query.page ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (n: number, rel: string) => {
    const url = new URL(ctx.url);
    url.searchParams.set("per_page", String(perPage));
    url.searchParams.set("page", String(n));
    return `<${url.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(page - 1, "prev"));
  if (page < last) links.push(link(page + 1, "next"), link(last, "last"));
  if (page > 1) links.push(link(1, "first"));
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    headers: links.length > 0 ? { link: links.join(", ") } : {},
  };
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
