/**
 * GitHub's published REST description (`@octokit/openapi`, api.github.com.json) as a request
 * checker: route matching against the path templates, path and query parameters, request body
 * JSON schemas (with ajv), and — for the fake's own tests — response bodies.
 *
 * The 13 MB description is parsed once per process and kept module-level; validators are
 * compiled lazily per operation and cached.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import * as ajvFormats from "ajv-formats";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete" | "head";
const METHODS: readonly HttpMethod[] = ["get", "post", "put", "patch", "delete", "head"];

interface ParameterSpec {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required: boolean;
  multiSegment: boolean;
  schema: JsonObject | undefined;
}

/** One operation of the description: method + path template. */
export interface OpenApiOperation {
  method: HttpMethod;
  /** Path template, e.g. `/repos/{owner}/{repo}/issues/{issue_number}/comments`. */
  route: string;
  operationId: string;
  /** `externalDocs.url`, which GitHub sends back as `documentation_url` in errors. */
  documentationUrl: string;
  parameters: ParameterSpec[];
  requestBody: { required: boolean; contentTypes: string[]; jsonSchema: JsonObject | undefined } | undefined;
  responses: Record<string, { jsonSchema: JsonObject | undefined }>;
  /** Anchored regex over the raw (percent-encoded) path; one group per path parameter. */
  pattern: RegExp;
  pathParamNames: string[];
  /** Higher wins when several templates match (literal segments beat parameters). */
  specificity: number;
}

export interface OpenApiIndex {
  operations: OpenApiOperation[];
  /** `method /first-segment` → operations, most specific first (the route table). */
  buckets: Map<string, OpenApiOperation[]>;
  byOperationId: Map<string, OpenApiOperation>;
  schemas: Record<string, JsonObject>;
  /** Milliseconds spent reading + parsing the JSON file. */
  parseMs: number;
  /** Milliseconds spent building the route table (after parsing). */
  indexMs: number;
}

export type ValidationProblemKind =
  | "unknown-route"
  | "method-not-allowed"
  | "path-param"
  | "query-param"
  | "unknown-query-param"
  | "content-type"
  | "missing-body"
  | "unexpected-body"
  | "body"
  | "unknown-body-property";

export interface ValidationProblem {
  kind: ValidationProblemKind;
  message: string;
  /** ajv's errors when a schema said no. */
  errors?: ErrorObject[];
  /**
   * Whether GitHub itself would refuse the request (404 for routes, 422 for bad input).
   * Strictness checks GitHub does not enforce (unknown query parameters or top-level body
   * properties, which GitHub silently ignores) are still problems, but do not reject.
   */
  rejects: boolean;
}

export interface RequestValidation {
  ok: boolean;
  operation: OpenApiOperation | undefined;
  operationId: string | undefined;
  route: string | undefined;
  /** Decoded path parameters; integer parameters as numbers. */
  params: Record<string, string | number>;
  problems: ValidationProblem[];
}

export interface ValidateRequestOptions {
  /** The request's content-type header, checked against the operation's request body types. */
  contentType?: string | undefined;
}

const require = createRequire(import.meta.url);
const SPEC_PATH = require.resolve("@octokit/openapi/generated/api.github.com.json");

let cachedIndex: OpenApiIndex | undefined;

/** The parsed description and route table, built on first use and cached for the process. */
export function openApiIndex(): OpenApiIndex {
  if (cachedIndex) return cachedIndex;
  const started = performance.now();
  const spec = JSON.parse(readFileSync(SPEC_PATH, "utf8")) as JsonObject;
  const parsed = performance.now();
  cachedIndex = buildIndex(spec, parsed - started, started);
  return cachedIndex;
}

function asObject(value: Json | undefined): JsonObject | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : undefined;
}

function buildIndex(spec: JsonObject, parseMs: number, started: number): OpenApiIndex {
  const components = asObject(spec.components) ?? {};
  const schemas = (asObject(components.schemas) ?? {}) as Record<string, JsonObject>;
  const sharedParameters = asObject(components.parameters) ?? {};
  const sharedResponses = asObject(components.responses) ?? {};
  const resolve = (value: Json | undefined, pool: JsonObject): JsonObject | undefined => {
    const object = asObject(value);
    const ref = object?.$ref;
    if (typeof ref === "string") return asObject(pool[ref.split("/").pop() ?? ""]);
    return object;
  };

  const operations: OpenApiOperation[] = [];
  for (const [route, pathItemJson] of Object.entries(asObject(spec.paths) ?? {})) {
    const pathItem = asObject(pathItemJson) ?? {};
    for (const method of METHODS) {
      const op = asObject(pathItem[method]);
      if (!op || typeof op.operationId !== "string") continue;
      const parameters: ParameterSpec[] = [];
      const rawParameters = [
        ...((pathItem.parameters as Json[] | undefined) ?? []),
        ...((op.parameters as Json[] | undefined) ?? []),
      ];
      for (const raw of rawParameters) {
        const p = resolve(raw, sharedParameters);
        if (!p || typeof p.name !== "string") continue;
        parameters.push({
          name: p.name,
          in: p.in as ParameterSpec["in"],
          required: p.required === true,
          multiSegment: p["x-multi-segment"] === true,
          schema: asObject(p.schema),
        });
      }
      const body = asObject(op.requestBody);
      const content = asObject(body?.content) ?? {};
      const requestBody = body
        ? {
            required: body.required === true,
            contentTypes: Object.keys(content),
            jsonSchema: asObject(asObject(content["application/json"])?.schema),
          }
        : undefined;
      const responses: OpenApiOperation["responses"] = {};
      for (const [status, responseJson] of Object.entries(asObject(op.responses) ?? {})) {
        const response = resolve(responseJson, sharedResponses);
        const responseContent = asObject(response?.content) ?? {};
        const jsonType = Object.keys(responseContent).find((type) => /json/.test(type));
        responses[status] = {
          jsonSchema: jsonType ? asObject(asObject(responseContent[jsonType])?.schema) : undefined,
        };
      }
      const { pattern, names, specificity } = compileTemplate(route, parameters);
      operations.push({
        method,
        route,
        operationId: op.operationId,
        documentationUrl: String(asObject(op.externalDocs)?.url ?? "https://docs.github.com/rest"),
        parameters,
        requestBody,
        responses,
        pattern,
        pathParamNames: names,
        specificity,
      });
    }
  }
  operations.sort((a, b) => b.specificity - a.specificity);
  const byOperationId = new Map(operations.map((op) => [op.operationId, op]));
  const buckets = new Map<string, OpenApiOperation[]>();
  for (const op of operations) {
    const key = bucketKey(op.method, op.route);
    buckets.set(key, [...(buckets.get(key) ?? []), op]);
  }
  return {
    operations,
    buckets,
    byOperationId,
    schemas,
    parseMs,
    indexMs: performance.now() - started - parseMs,
  };
}

/** Every template starts with a literal segment (`/repos/...`), so it narrows the search. */
function bucketKey(method: string, path: string): string {
  return `${method} ${path.split("/")[1] ?? ""}`;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * `{name}` matches one raw path segment; parameters the description marks `x-multi-segment`
 * (ref, path, branch, ...) may span slashes (`heads/feature/x`, `src/a/b.ts`). Octokit sends
 * them percent-encoded (`heads%2Ffeature`); both spellings match.
 */
function compileTemplate(
  route: string,
  parameters: ParameterSpec[],
): { pattern: RegExp; names: string[]; specificity: number } {
  const names: string[] = [];
  let source = "";
  let literal = 0;
  let multi = 0;
  let last = 0;
  for (const match of route.matchAll(/\{([^}]+)\}/g)) {
    const text = route.slice(last, match.index);
    source += escapeRegex(text);
    literal += text.length;
    const name = match[1] ?? "";
    names.push(name);
    const spec = parameters.find((p) => p.in === "path" && p.name === name);
    if (spec?.multiSegment) {
      multi++;
      if (name === "path" && source.endsWith("/")) {
        // The contents root: Octokit sends `path: ""` as `/contents`, which GitHub serves.
        source = `${source.slice(0, -1)}(?:/(.*))?`;
      } else {
        source += "(.+)";
      }
    } else {
      source += "([^/]+)";
    }
    last = match.index + match[0].length;
  }
  const tail = route.slice(last);
  source += escapeRegex(tail);
  literal += tail.length;
  return { pattern: new RegExp(`^${source}/?$`), names, specificity: literal * 10 - multi };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export interface RouteMatch {
  operation: OpenApiOperation;
  /** Decoded path parameters, as strings. */
  rawParams: Record<string, string>;
}

/**
 * The operation for `method` + raw pathname. When the path matches a template only for other
 * methods, `otherMethods` lists them (GitHub answers 404 either way).
 */
export function matchRoute(
  method: string,
  pathname: string,
): { match: RouteMatch | undefined; otherMethods: HttpMethod[] } {
  const lower = method.toLowerCase();
  const index = openApiIndex();
  // Operations are sorted by specificity: the first template that matches wins.
  for (const operation of index.buckets.get(bucketKey(lower, pathname)) ?? []) {
    const result = operation.pattern.exec(pathname);
    if (!result) continue;
    const rawParams: Record<string, string> = {};
    operation.pathParamNames.forEach((name, i) => {
      rawParams[name] = safeDecode(result[i + 1] ?? "");
    });
    return { match: { operation, rawParams }, otherMethods: [] };
  }
  const otherMethods = METHODS.filter(
    (other) =>
      other !== lower &&
      (index.buckets.get(bucketKey(other, pathname)) ?? []).some((op) => op.pattern.test(pathname)),
  );
  return { match: undefined, otherMethods };
}

// ---------------------------------------------------------------------------------------------
// Schemas → ajv

const KNOWN_FORMATS_WITHOUT_CHECKS = ["repo.nwo", "timestamp", "int32", "int64", "double", "float", "binary"];
type FormatsPlugin = (ajv: Ajv) => Ajv;

let cachedAjv: Ajv | undefined;
function ajv(): Ajv {
  if (cachedAjv) return cachedAjv;
  const instance = new Ajv({ strict: false, allErrors: true, logger: false });
  const plugin = ((ajvFormats as unknown as { default: FormatsPlugin & { default?: FormatsPlugin } }).default
    .default ?? (ajvFormats as unknown as { default: FormatsPlugin }).default) as FormatsPlugin;
  plugin(instance);
  for (const format of KNOWN_FORMATS_WITHOUT_CHECKS) {
    if (!instance.formats[format]) instance.addFormat(format, true);
  }
  cachedAjv = instance;
  return instance;
}

const DROPPED_KEYWORDS = new Set([
  "description",
  "example",
  "examples",
  "title",
  "externalDocs",
  "discriminator",
  "readOnly",
  "writeOnly",
  "deprecated",
  "xml",
]);

/**
 * OpenAPI 3.0 schema → JSON schema ajv understands: `$ref`s to components become `$defs`
 * (so cycles stay cycles), `nullable: true` becomes a `null` type, and `oneOf` becomes
 * `anyOf` (GitHub's description has many `oneOf`s whose branches overlap, which a strict
 * `oneOf` would wrongly reject).
 */
export function toJsonSchema(root: JsonObject, schemas = openApiIndex().schemas): JsonObject {
  const defs: Record<string, JsonObject> = {};
  const pending: string[] = [];
  const convert = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(convert);
    if (value === null || typeof value !== "object") return value;
    if (typeof value.$ref === "string") {
      const name = value.$ref.replace("#/components/schemas/", "");
      if (!(name in defs) && !pending.includes(name)) pending.push(name);
      return { $ref: `#/$defs/${name}` };
    }
    const out: JsonObject = {};
    for (const [key, child] of Object.entries(value)) {
      if (DROPPED_KEYWORDS.has(key) || key.startsWith("x-") || key === "nullable") continue;
      if (key === "properties" || key === "patternProperties") {
        const props: JsonObject = {};
        for (const [prop, schema] of Object.entries(asObject(child) ?? {})) props[prop] = convert(schema);
        out[key] = props;
      } else if (key === "enum" || key === "default" || key === "required" || key === "const") {
        out[key] = child;
      } else {
        out[key === "oneOf" ? "anyOf" : key] = convert(child);
      }
    }
    if (value.nullable === true) {
      if (typeof out.type === "string") {
        out.type = [out.type, "null"];
        if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
      } else if (Object.keys(out).length > 0) {
        return { anyOf: [out, { type: "null" }] };
      }
    }
    return out;
  };
  const converted = convert(root) as JsonObject;
  for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
    defs[name] = {}; // placeholder first: a schema that refers to itself is already known
    defs[name] = convert(schemas[name] ?? {}) as JsonObject;
  }
  return Object.keys(defs).length > 0 ? { ...converted, $defs: defs } : converted;
}

const requestValidators = new Map<string, ValidateFunction>();
const responseValidators = new Map<string, ValidateFunction | null>();
const parameterValidators = new Map<string, ValidateFunction>();

function requestBodyValidator(operation: OpenApiOperation): ValidateFunction | undefined {
  const schema = operation.requestBody?.jsonSchema;
  if (!schema) return undefined;
  let validate = requestValidators.get(operation.operationId);
  if (!validate) {
    validate = ajv().compile(toJsonSchema(schema));
    requestValidators.set(operation.operationId, validate);
  }
  return validate;
}

function parameterValidator(schema: JsonObject): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = parameterValidators.get(key);
  if (!validate) {
    validate = ajv().compile(toJsonSchema(schema));
    parameterValidators.set(key, validate);
  }
  return validate;
}

/** Strings from a URL → the parameter schema's type, so ajv can check integers, booleans, enums. */
function coerceParameter(value: string, schema: JsonObject | undefined): unknown {
  const type = schema?.type;
  if ((type === "integer" || type === "number") && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (type === "boolean" && (value === "true" || value === "false")) return value === "true";
  return value;
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return ajv().errorsText(errors ?? [], { dataVar: "body", separator: "; " });
}

function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(";")[0]?.trim().toLowerCase() || undefined;
}

/**
 * Checks one request against the description: a known route for the method, path parameters,
 * query parameters (required ones present, declared ones well typed, undeclared ones
 * reported), content type, and the JSON body against the operation's request body schema.
 *
 * `path` is the raw pathname (percent-encoded as sent). `body` is the parsed JSON body, or
 * `undefined` when none was sent.
 */
export function validateRequest(
  method: string,
  path: string,
  query: Record<string, string> | URLSearchParams = {},
  body: unknown = undefined,
  options: ValidateRequestOptions = {},
): RequestValidation {
  const problems: ValidationProblem[] = [];
  const pathname = path.split("?")[0] ?? path;
  const { match, otherMethods } = matchRoute(method, pathname);
  if (!match) {
    problems.push(
      otherMethods.length > 0
        ? {
            kind: "method-not-allowed",
            message: `${method.toUpperCase()} ${pathname}: the path exists only for ${otherMethods
              .map((m) => m.toUpperCase())
              .join(", ")}`,
            rejects: true,
          }
        : {
            kind: "unknown-route",
            message: `${method.toUpperCase()} ${pathname} is not in the description`,
            rejects: true,
          },
    );
    return {
      ok: false,
      operation: undefined,
      operationId: undefined,
      route: undefined,
      params: {},
      problems,
    };
  }
  const { operation, rawParams } = match;
  const params: Record<string, string | number> = {};
  for (const spec of operation.parameters.filter((p) => p.in === "path")) {
    const raw = rawParams[spec.name] ?? "";
    const value = coerceParameter(raw, spec.schema);
    params[spec.name] = typeof value === "number" ? value : raw;
    if (spec.schema && !(raw === "" && spec.name === "path")) {
      const validate = parameterValidator(spec.schema);
      if (!validate(value)) {
        problems.push({
          kind: "path-param",
          message: `path parameter ${spec.name}=${JSON.stringify(raw)}: ${describeErrors(validate.errors).replace(/^body/, spec.name)}`,
          errors: [...(validate.errors ?? [])],
          rejects: true,
        });
      }
    }
  }

  const queryEntries: Record<string, string> =
    query instanceof URLSearchParams ? Object.fromEntries(query.entries()) : { ...query };
  const querySpecs = operation.parameters.filter((p) => p.in === "query");
  for (const spec of querySpecs) {
    const raw = queryEntries[spec.name];
    if (raw === undefined) {
      if (spec.required) {
        problems.push({
          kind: "query-param",
          message: `required query parameter ${spec.name} is missing`,
          rejects: true,
        });
      }
      continue;
    }
    if (!spec.schema || spec.schema.type === "array") continue;
    const validate = parameterValidator(spec.schema);
    if (!validate(coerceParameter(raw, spec.schema))) {
      problems.push({
        kind: "query-param",
        message: `query parameter ${spec.name}=${JSON.stringify(raw)}: ${describeErrors(validate.errors).replace(/^body/, spec.name)}`,
        errors: [...(validate.errors ?? [])],
        rejects: true,
      });
    }
  }
  for (const name of Object.keys(queryEntries)) {
    const known = querySpecs.some(
      (p) => p.name === name || (p.schema?.type === "array" && `${p.name}[]` === name),
    );
    if (!known) {
      problems.push({
        kind: "unknown-query-param",
        message: `query parameter ${name} is not declared for ${operation.operationId} (GitHub ignores it)`,
        rejects: false,
      });
    }
  }

  const requestBody = operation.requestBody;
  const hasBody = body !== undefined;
  if (!requestBody) {
    const emptyObject = typeof body === "object" && body !== null && Object.keys(body).length === 0;
    if (hasBody && !emptyObject) {
      problems.push({
        kind: "unexpected-body",
        message: `${operation.operationId} takes no request body, but one was sent`,
        rejects: false,
      });
    }
  } else if (!hasBody) {
    const validate = requestBodyValidator(operation);
    if (requestBody.required && validate && !validate({})) {
      problems.push({
        kind: "missing-body",
        message: `${operation.operationId} requires a request body: ${describeErrors(validate.errors)}`,
        errors: [...(validate.errors ?? [])],
        rejects: true,
      });
    }
  } else {
    const type = mediaType(options.contentType);
    if (type !== undefined && !requestBody.contentTypes.includes(type)) {
      problems.push({
        kind: "content-type",
        message: `content-type ${type} is not one of ${requestBody.contentTypes.join(", ")}`,
        rejects: false,
      });
    }
    const validate = requestBodyValidator(operation);
    // GitHub parses JSON whatever the content type says, so a parsed body is checked either way.
    if (validate && (type === undefined || type === "application/json" || typeof body !== "string")) {
      if (!validate(body)) {
        problems.push({
          kind: "body",
          message: describeErrors(validate.errors),
          errors: [...(validate.errors ?? [])],
          rejects: true,
        });
      } else {
        const unknown = unknownTopLevelProperties(requestBody.jsonSchema, body);
        if (unknown.length > 0) {
          problems.push({
            kind: "unknown-body-property",
            message: `body properties not in the description of ${operation.operationId}: ${unknown.join(", ")} (GitHub ignores them)`,
            rejects: false,
          });
        }
      }
    }
  }

  return {
    ok: problems.length === 0,
    operation,
    operationId: operation.operationId,
    route: operation.route,
    params,
    problems,
  };
}

/** Top-level body keys that a plain object schema (no combinators, no additionalProperties) lacks. */
function unknownTopLevelProperties(schema: JsonObject | undefined, body: unknown): string[] {
  if (!schema || typeof body !== "object" || body === null || Array.isArray(body)) return [];
  if (schema.allOf || schema.anyOf || schema.oneOf || schema.additionalProperties !== undefined) return [];
  const properties = asObject(schema.properties);
  if (!properties) return [];
  return Object.keys(body).filter((key) => !(key in properties));
}

/**
 * Checks a response body against the description's schema for the operation and status.
 * Returns `[]` when it conforms (or when the description has no JSON schema for it), else
 * ajv's errors. Used by the fake's own tests to keep its response shapes realistic.
 */
export function validateResponse(operationId: string, status: number, body: unknown): ErrorObject[] {
  const operation = openApiIndex().byOperationId.get(operationId);
  if (!operation) throw new Error(`unknown operationId ${operationId}`);
  const key = `${operationId} ${status}`;
  let validate = responseValidators.get(key);
  if (validate === undefined) {
    const schema = (operation.responses[String(status)] ?? operation.responses.default)?.jsonSchema;
    validate = schema ? ajv().compile(toJsonSchema(schema)) : null;
    responseValidators.set(key, validate);
  }
  if (validate === null || validate(body)) return [];
  return [...(validate.errors ?? [])];
}

/** Human-readable ajv errors (`body must have required property 'body'`). */
export function formatSchemaErrors(errors: ErrorObject[] | null | undefined, dataVar = "body"): string {
  return ajv().errorsText(errors ?? [], { dataVar, separator: "; " });
}
