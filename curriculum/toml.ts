/**
 * A small TOML writer for the files repogym exports (Harbor's task.toml): strings, integers,
 * floats, booleans, arrays of those, and tables. Hand-written rather than a dependency because
 * the subset is small and fully covered by tests that parse the output back (smol-toml).
 * Spec: https://toml.io/en/v1.0.0
 */

/** A number written as a TOML float even when it is whole (`600.0`), for fields typed float. */
export class TomlFloat {
  constructor(readonly value: number) {}
}

export function tomlFloat(value: number): TomlFloat {
  return new TomlFloat(value);
}

export type TomlPrimitive = string | number | boolean | TomlFloat;
export type TomlValue = TomlPrimitive | readonly TomlPrimitive[];
/** A table: keys to values or nested tables. `undefined` values are left out (TOML has no null). */
export interface TomlTable {
  readonly [key: string]: TomlValue | TomlTable | undefined;
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

/** A key as written: bare when it can be, else a basic string. */
export function tomlKey(key: string): string {
  return BARE_KEY.test(key) ? key : tomlString(key);
}

/** A basic string: `"` and `\` escaped, control characters as escapes, everything else as is. */
export function tomlString(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '"') out += '\\"';
    else if (char === "\\") out += "\\\\";
    else if (char === "\n") out += "\\n";
    else if (char === "\t") out += "\\t";
    else if (char === "\r") out += "\\r";
    else if (char === "\b") out += "\\b";
    else if (char === "\f") out += "\\f";
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += char;
  }
  return `${out}"`;
}

function tomlNumber(value: number, float: boolean): string {
  if (!Number.isFinite(value)) throw new RangeError(`TOML has no ${value}; expected a finite number`);
  if (!float && Number.isInteger(value)) {
    if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is too large to write exactly`);
    return String(value);
  }
  const text = String(value);
  // JavaScript writes 1e21 and 1e-7; TOML floats need a fraction or an exponent, which both have.
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

function tomlPrimitive(value: TomlPrimitive): string {
  if (typeof value === "string") return tomlString(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof TomlFloat) return tomlNumber(value.value, true);
  return tomlNumber(value, false);
}

function isTable(value: TomlValue | TomlTable): value is TomlTable {
  return typeof value === "object" && !Array.isArray(value) && !(value instanceof TomlFloat);
}

function tomlValue(value: TomlValue): string {
  if (Array.isArray(value)) return `[${value.map(tomlPrimitive).join(", ")}]`;
  return tomlPrimitive(value as TomlPrimitive);
}

/**
 * Writes a document: the root table's values first, then each table as a `[section]` (nested
 * tables as `[a.b]`), in the order given.
 */
export function stringifyToml(document: TomlTable): string {
  const lines: string[] = [];
  const writeTable = (table: TomlTable, path: readonly string[]) => {
    const entries = Object.entries(table).filter(
      (entry): entry is [string, TomlValue | TomlTable] => entry[1] !== undefined,
    );
    const values = entries.filter(([, value]) => !isTable(value));
    const tables = entries.filter(([, value]) => isTable(value));
    if (path.length > 0) {
      if (lines.length > 0) lines.push("");
      lines.push(`[${path.map(tomlKey).join(".")}]`);
    }
    for (const [key, value] of values) lines.push(`${tomlKey(key)} = ${tomlValue(value as TomlValue)}`);
    for (const [key, value] of tables) writeTable(value as TomlTable, [...path, key]);
  };
  writeTable(document, []);
  return `${lines.join("\n")}\n`;
}
