/**
 * Row tables as JSONL and Parquet side by side, from one explicit column schema per table:
 * the schema decides the Parquet types (never guessed from the data), and every row is checked
 * against it, so the two files always hold the same rows.
 *
 * Parquet is written with hyparquet-writer (pure JavaScript, no native code, from the
 * maintained hyparquet project): it installs anywhere Node 20 runs, without the prebuilt
 * binaries that DuckDB or Arrow bindings download.
 */
import { parquetWriteBuffer, type SchemaElement } from "hyparquet-writer";
import type { ExportFile } from "./files.js";

/**
 * Column types: `string`, `double`, `int` (32-bit), `boolean`, lists of strings or doubles, and
 * `messages` (a chat: a list of {role, content} structs, as SFT datasets store it).
 */
export type ColumnType = "string" | "double" | "int" | "boolean" | "string-list" | "double-list" | "messages";

export interface Column {
  name: string;
  type: ColumnType;
  /** Whether the value may be null. Lists are never null (an empty list instead). */
  nullable?: boolean;
}

export type Row = Record<string, unknown>;

export interface ChatMessage {
  role: string;
  content: string;
}

function checkValue(value: unknown, column: Column, where: string): void {
  if (value === null) {
    if (column.nullable && !column.type.endsWith("list") && column.type !== "messages") return;
    throw new TypeError(`${where}: ${column.name} is null but the column is not nullable`);
  }
  const ok = (() => {
    switch (column.type) {
      case "string":
        return typeof value === "string";
      case "double":
        return typeof value === "number" && Number.isFinite(value);
      case "int":
        return Number.isInteger(value) && Math.abs(value as number) <= 0x7fffffff;
      case "boolean":
        return typeof value === "boolean";
      case "string-list":
        return Array.isArray(value) && value.every((v) => typeof v === "string");
      case "double-list":
        return Array.isArray(value) && value.every((v) => typeof v === "number" && Number.isFinite(v));
      case "messages":
        return (
          Array.isArray(value) &&
          value.every(
            (m) =>
              typeof m === "object" &&
              m !== null &&
              Object.keys(m).length === 2 &&
              typeof (m as ChatMessage).role === "string" &&
              typeof (m as ChatMessage).content === "string",
          )
        );
    }
  })();
  if (!ok)
    throw new TypeError(`${where}: ${column.name} is not a valid ${column.type}: ${JSON.stringify(value)}`);
}

/** Checks that every row has exactly the columns, with values of their types (a bug otherwise). */
export function checkRows(rows: readonly Row[], columns: readonly Column[], table: string): void {
  const names = columns.map((c) => c.name);
  rows.forEach((row, index) => {
    const where = `${table} row ${index + 1}`;
    const keys = Object.keys(row);
    const extra = keys.filter((k) => !names.includes(k));
    const missing = names.filter((n) => !(n in row));
    if (extra.length > 0 || missing.length > 0) {
      throw new TypeError(`${where}: columns differ from the schema (extra: ${extra}; missing: ${missing})`);
    }
    for (const column of columns) checkValue(row[column.name], column, where);
  });
}

const utf8 = { type: "BYTE_ARRAY", converted_type: "UTF8" } as const;

function schemaOf(column: Column): SchemaElement[] {
  const repetition_type = column.nullable ? "OPTIONAL" : "REQUIRED";
  const name = column.name;
  const list = (element: SchemaElement[]): SchemaElement[] => [
    { name, repetition_type: "REQUIRED", num_children: 1, converted_type: "LIST" },
    { name: "list", repetition_type: "REPEATED", num_children: 1 },
    ...element,
  ];
  switch (column.type) {
    case "string":
      return [{ name, repetition_type, ...utf8 }];
    case "double":
      return [{ name, repetition_type, type: "DOUBLE" }];
    case "int":
      return [{ name, repetition_type, type: "INT32" }];
    case "boolean":
      return [{ name, repetition_type, type: "BOOLEAN" }];
    case "string-list":
      return list([{ name: "element", repetition_type: "REQUIRED", ...utf8 }]);
    case "double-list":
      return list([{ name: "element", repetition_type: "REQUIRED", type: "DOUBLE" }]);
    case "messages":
      return list([
        { name: "element", repetition_type: "REQUIRED", num_children: 2 },
        { name: "role", repetition_type: "REQUIRED", ...utf8 },
        { name: "content", repetition_type: "REQUIRED", ...utf8 },
      ]);
  }
}

/** The rows as one JSON object per line. */
export function toJsonl(rows: readonly Row[]): string {
  return rows.map((row) => `${JSON.stringify(row)}\n`).join("");
}

/** The rows as a Parquet file with the columns' explicit schema. */
export function toParquet(rows: readonly Row[], columns: readonly Column[], createdBy: string): Uint8Array {
  checkRows(rows, columns, "parquet");
  const schema: SchemaElement[] = [
    { name: "root", num_children: columns.length },
    ...columns.flatMap(schemaOf),
  ];
  const buffer = parquetWriteBuffer({
    columnData: columns.map((column) => ({ name: column.name, data: rows.map((row) => row[column.name]) })),
    schema,
    createdBy,
    // Whole values in statistics would bloat the footer with patches; the default prefix is enough.
    rowGroupSize: 10_000,
  });
  return new Uint8Array(buffer);
}

/** `<base>.jsonl` and `<base>.parquet` with the same rows. */
export function tableFiles(
  base: string,
  rows: readonly Row[],
  columns: readonly Column[],
  createdBy: string,
): ExportFile[] {
  checkRows(rows, columns, base);
  return [
    { path: `${base}.jsonl`, content: toJsonl(rows) },
    { path: `${base}.parquet`, content: toParquet(rows, columns, createdBy) },
  ];
}
