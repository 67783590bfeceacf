/**
 * A small TAP 13/14 parser for the runners that speak TAP (ava --tap, node-tap). It keeps the
 * tree shape — indented subtest blocks hang off the point that closes them — because test ids
 * are built from that nesting. It never throws: garbage lines land in `extra`, and what a
 * truncated stream lacks (plan, closing point) is visible on the result for the adapter to judge.
 */
import { parse as parseYaml } from "yaml";
import { stripAnsi } from "./common.js";

export interface TapDirective {
  kind: "skip" | "todo";
  reason: string;
}

export interface TapPoint {
  ok: boolean;
  number?: number;
  description: string;
  directive?: TapDirective;
  /** The YAML diagnostic block: parsed when it is a mapping, else its raw text. */
  diagnostics?: Record<string, unknown> | string;
  /** The indented block this point closes (a subtest), when there is one. */
  subtest?: TapBlock;
}

export interface TapPlan {
  start: number;
  end: number;
  /** `1..0 # reason`: why nothing ran. */
  comment?: string;
}

export interface TapBlock {
  /** From `# Subtest: name`, when the block had one. */
  name?: string;
  points: TapPoint[];
  plan?: TapPlan;
  comments: string[];
  /** A nested block whose closing point never came (truncated output or bail out). */
  unfinished?: TapBlock;
  /** `Bail out!` seen directly in this block. */
  bailout?: string;
}

export interface TapDocument extends TapBlock {
  version?: number;
  /** The first `Bail out!` anywhere in the stream. */
  bailedOut?: string;
  /** Lines that are not TAP (console output mixed into the stream, crash traces). */
  extra: string[];
}

const POINT = /^(not )?ok\b\s*(\d+)?\s*(?:-\s*)?(.*)$/;
const PLAN = /^(\d+)\.\.(\d+)\s*(?:#\s*(.*))?$/;
const BAIL_OUT = /^Bail out!\s*(.*)$/i;
const VERSION = /^TAP version (\d+)$/i;
const SUBTEST = /^#\s*Subtest(?::\s*(.*))?$/;
/** ` {` ending a point that opens a buffered subtest (node-tap 12-14). */
const BUFFERED_OPEN = /\s+\{$/;
/** node-tap's `# time=1.2ms` after a subtest's point: carries nothing we use. */
const TIME = /\s*(?<!\\)#\s*time=\S+$/;
/** `# SKIP why`, `# TODO why` (SKIP/TODO may be longer words: `# skipped`). */
const DIRECTIVE = /\s*(?<!\\)#\s*(skip|todo)\S*(?:\s+(.*))?$/i;

interface Cursor {
  lines: string[];
  pos: number;
  doc: TapDocument;
}

export function parseTap(text: string): TapDocument {
  const lines = stripAnsi(text).split(/\r?\n/);
  const doc: TapDocument = { points: [], comments: [], extra: [] };
  const cursor: Cursor = { lines, pos: 0, doc };
  Object.assign(doc, parseBlock(cursor, leastIndent(lines), false));
  return doc;
}

function parseBlock(cursor: Cursor, indent: number, nested: boolean, name?: string): TapBlock {
  const block: TapBlock = { points: [], comments: [], ...(name === undefined ? {} : { name }) };
  let pendingChild: TapBlock | undefined;
  let pendingName: string | undefined;
  while (cursor.pos < cursor.lines.length) {
    const raw = cursor.lines[cursor.pos]!;
    if (raw.trim() === "") {
      cursor.pos++;
      continue;
    }
    const lineIndent = indentOf(raw);
    if (lineIndent < indent) {
      if (!nested || !skipStrayOutput(cursor, indent)) break;
      continue;
    }
    if (lineIndent > indent) {
      const start = cursor.pos;
      const child = parseBlock(cursor, lineIndent, true, pendingName);
      if (isTapBlock(child)) {
        pendingChild = child;
        pendingName = undefined;
      } else {
        cursor.doc.extra.push(...cursor.lines.slice(start, cursor.pos).map((l) => l.trim()));
      }
      continue;
    }
    cursor.pos++;
    const line = raw.slice(indent).trimEnd();
    const braced = BUFFERED_OPEN.test(line) && POINT.test(line) && opensBufferedBlock(cursor, indent, true);
    const point = parsePoint(braced ? line.replace(BUFFERED_OPEN, "") : line);
    if (point) {
      const diagnostics = readYaml(cursor, indent);
      if (diagnostics !== undefined) point.diagnostics = diagnostics;
      if (pendingChild) point.subtest = pendingChild;
      pendingChild = undefined;
      if (braced || opensBufferedBlock(cursor, indent, false))
        point.subtest = readBufferedBlock(cursor, indent);
      block.points.push(point);
      continue;
    }
    const subtest = SUBTEST.exec(line);
    if (subtest) {
      const subtestName = subtest[1]?.trim() ?? "";
      // node-tap prints "# Subtest: name" one level out, before the block; the TAP 14 spec puts
      // it as the block's own first line. What comes next tells the two apart.
      if (nextIndent(cursor) > indent || !nameable(block, nested)) pendingName = subtestName;
      else block.name = subtestName;
      continue;
    }
    readNonPoint(cursor, block, line);
  }
  if (pendingChild) block.unfinished = pendingChild;
  return block;
}

function readNonPoint(cursor: Cursor, block: TapBlock, line: string): void {
  const plan = PLAN.exec(line);
  if (plan) {
    block.plan = { start: Number(plan[1]), end: Number(plan[2]), ...(plan[3] ? { comment: plan[3] } : {}) };
    return;
  }
  const bail = BAIL_OUT.exec(line);
  if (bail) {
    block.bailout = bail[1] ?? "";
    cursor.doc.bailedOut ??= block.bailout;
    return;
  }
  const version = VERSION.exec(line);
  if (version) {
    cursor.doc.version = Number(version[1]);
    return;
  }
  if (line.startsWith("#")) block.comments.push(line.slice(1).trim());
  else if (!line.startsWith("pragma ")) cursor.doc.extra.push(line);
}

/**
 * Older node-tap (12-14) prints a buffered subtest (one that ran in parallel) after its point,
 * in braces: `ok 1 - name # time=1ms {`, or a `{` line after the point's diagnostics, then the
 * subtest's TAP one level in, then `}` at the point's depth. `inline` asks about the first form
 * (the point's own line ended in `{`): it only counts when a block or the `}` follows.
 */
function opensBufferedBlock(cursor: Cursor, indent: number, inline: boolean): boolean {
  const next = cursor.lines[nextNonBlank(cursor)];
  if (next === undefined) return inline;
  // A deeper `---` is the point's own diagnostics: a point that has them puts its `{` on a line of its own.
  if (inline) return (indentOf(next) > indent && next.trim() !== "---") || isBufferedClose(next, indent);
  return indentOf(next) === indent && next.trim() === "{";
}

/** The subtest after a buffered point, up to and past its `}`; unfinished when that never comes. */
function readBufferedBlock(cursor: Cursor, indent: number): TapBlock {
  const open = nextNonBlank(cursor);
  if (indentOf(cursor.lines[open] ?? "") === indent && cursor.lines[open]?.trim() === "{")
    cursor.pos = open + 1;
  const inner = cursor.lines[nextNonBlank(cursor)];
  const block: TapBlock =
    inner !== undefined && indentOf(inner) > indent
      ? parseBlock(cursor, indentOf(inner), true)
      : { points: [], comments: [] };
  const close = nextNonBlank(cursor);
  if (!isBufferedClose(cursor.lines[close] ?? "", indent))
    return { points: [], comments: [], unfinished: block };
  cursor.pos = close + 1;
  return block;
}

function isBufferedClose(line: string, indent: number): boolean {
  return indentOf(line) === indent && line.trim() === "}";
}

/** Index of the next line that is not blank (the number of lines when there is none). */
function nextNonBlank(cursor: Cursor): number {
  let index = cursor.pos;
  while (index < cursor.lines.length && cursor.lines[index]!.trim() === "") index++;
  return index;
}

/**
 * node-tap passes a test file's other stdout (console.log) through at the file's own depth, so
 * it can land left of the subtest block it was printed from. Non-TAP lines followed by TAP at
 * this block's depth or deeper are such output: they go to `extra` and the block goes on. Any
 * other line left of the block ends it.
 */
function skipStrayOutput(cursor: Cursor, indent: number): boolean {
  let next = cursor.pos;
  while (next < cursor.lines.length) {
    const line = cursor.lines[next]!;
    if (line.trim() !== "" && isTapSyntax(line.trim())) break;
    next++;
  }
  if (next === cursor.lines.length || indentOf(cursor.lines[next]!) < indent) return false;
  for (; cursor.pos < next; cursor.pos++) {
    const line = cursor.lines[cursor.pos]!.trim();
    if (line !== "") cursor.doc.extra.push(line);
  }
  return true;
}

/** A line that means something in TAP (as opposed to output a test printed). */
function isTapSyntax(line: string): boolean {
  return (
    POINT.test(line) ||
    PLAN.test(line) ||
    BAIL_OUT.test(line) ||
    VERSION.test(line) ||
    line.startsWith("#") ||
    line === "---" ||
    line === "..." ||
    line.startsWith("pragma ")
  );
}

/** A nested block that has seen nothing yet can be named by its first line. */
function nameable(block: TapBlock, nested: boolean): boolean {
  return nested && block.name === undefined && block.points.length === 0 && block.comments.length === 0;
}

function nextIndent(cursor: Cursor): number {
  const line = cursor.lines[nextNonBlank(cursor)];
  return line === undefined ? -1 : indentOf(line);
}

function parsePoint(line: string): TapPoint | undefined {
  const match = POINT.exec(line);
  if (!match) return undefined;
  let description = (match[3] ?? "").replace(TIME, "");
  const point: TapPoint = { ok: match[1] === undefined, description: "" };
  const directive = DIRECTIVE.exec(description);
  if (directive) {
    const kind = directive[1]!.toLowerCase() === "skip" ? "skip" : "todo";
    point.directive = { kind, reason: directive[2]?.trim() ?? "" };
    description = description.slice(0, directive.index);
  }
  point.description = unescapeTap(description.trim());
  if (match[2] !== undefined) point.number = Number(match[2]);
  return point;
}

/** Reads a `---` ... `...` block right after a point, indented deeper than the point. */
function readYaml(cursor: Cursor, indent: number): Record<string, unknown> | string | undefined {
  const open = cursor.lines[cursor.pos];
  if (open === undefined || open.trim() !== "---" || indentOf(open) <= indent) return undefined;
  const yamlIndent = indentOf(open);
  const body: string[] = [];
  cursor.pos++;
  while (cursor.pos < cursor.lines.length) {
    const line = cursor.lines[cursor.pos]!;
    // A line left of the block ends it even without "...": the stream was cut or went on.
    if (line.trim() !== "" && indentOf(line) < yamlIndent) break;
    cursor.pos++;
    if (line.trim() === "..." && indentOf(line) === yamlIndent) break;
    body.push(line.slice(yamlIndent));
  }
  const text = body.join("\n");
  try {
    const value: unknown = parseYaml(text);
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // Not YAML after all: the raw text still says what went wrong.
  }
  return text;
}

function isTapBlock(block: TapBlock): boolean {
  return (
    block.points.length > 0 ||
    block.plan !== undefined ||
    block.name !== undefined ||
    block.unfinished !== undefined ||
    block.bailout !== undefined
  );
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** The top level sits at the smallest indent, so a stream that is indented as a whole still parses. */
function leastIndent(lines: string[]): number {
  const indents = lines.filter((line) => line.trim() !== "").map(indentOf);
  return indents.length === 0 ? 0 : Math.min(...indents);
}

function unescapeTap(text: string): string {
  return text.replace(/\\([\\#])/g, "$1");
}

/** Points at this level that are not themselves subtests and carry no directive: assertions. */
export function assertionsOf(block: TapBlock): TapPoint[] {
  return block.points.filter((point) => point.subtest === undefined && point.directive === undefined);
}

/** The first failing assertion anywhere under `block`, depth first. */
export function firstFailure(block: TapBlock): TapPoint | undefined {
  for (const point of block.points) {
    if (point.ok || point.directive) continue;
    if (point.subtest) {
      const inner = firstFailure(point.subtest);
      if (inner) return inner;
    }
    return point;
  }
  return block.unfinished ? firstFailure(block.unfinished) : undefined;
}
