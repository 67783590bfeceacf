import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Column, checkRows, tableFiles, toJsonl, toParquet } from "../../curriculum/parquet.js";
import { tempDir } from "../helpers/fixture-repo.js";
import { readParquet } from "./read-back.js";

const COLUMNS: Column[] = [
  { name: "id", type: "string" },
  { name: "note", type: "string", nullable: true },
  { name: "reward", type: "double" },
  { name: "rate", type: "double", nullable: true },
  { name: "attempt", type: "int" },
  { name: "ok", type: "boolean" },
  { name: "ids", type: "string-list" },
  { name: "rewards", type: "double-list" },
  { name: "messages", type: "messages" },
];

const ROWS = [
  {
    id: "a",
    note: "ünïcödé 🦀\nsecond line",
    reward: 1,
    rate: 1 / 3,
    attempt: 1,
    ok: true,
    ids: ["x", "y"],
    rewards: [0, 0.5, 1],
    messages: [
      { role: "user", content: "fix it" },
      { role: "assistant", content: "" },
    ],
  },
  {
    id: "b",
    note: null,
    reward: 0,
    rate: null,
    attempt: 2_000_000_000,
    ok: false,
    ids: [],
    rewards: [],
    messages: [],
  },
];

async function roundTrip(rows: Record<string, unknown>[], columns: Column[]) {
  await using dir = await tempDir();
  const file = join(dir.path, "t.parquet");
  await writeFile(file, toParquet(rows, columns, "repogym test"));
  return readParquet(file);
}

describe("Parquet tables", () => {
  it("round-trip through an independent reader: strings, nulls, doubles, ints, booleans, lists, chats", async () => {
    const read = await roundTrip(ROWS, COLUMNS);
    expect(read.columns).toEqual(COLUMNS.map((c) => c.name));
    expect(read.rows).toEqual(ROWS);
    expect(read.rows).toEqual(
      toJsonl(ROWS)
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line)),
    );
  });

  it("an empty table keeps its columns", async () => {
    const read = await roundTrip([], COLUMNS);
    expect(read.rows).toEqual([]);
    expect(read.columns).toEqual(COLUMNS.map((c) => c.name));
  });

  it("many rows over several row groups", async () => {
    const rows = Array.from({ length: 25_001 }, (_, i) => ({ ...ROWS[i % 2]!, id: `r${i}` }));
    const read = await roundTrip(rows, COLUMNS);
    expect(read.rows.length).toBe(rows.length);
    expect(read.rows[25_000]).toEqual(rows[25_000]);
  });

  it("refuses rows that do not fit the schema, naming the table, row and column", () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...ROWS[0], extra: 1 }, /t row 1: columns differ from the schema \(extra: extra/],
      [{ ...ROWS[0], id: undefined }, /t row 1: id is not a valid string/],
      [{ ...ROWS[0], id: null }, /id is null but the column is not nullable/],
      [{ ...ROWS[0], attempt: 1.5 }, /attempt is not a valid int/],
      [{ ...ROWS[0], reward: Number.NaN }, /reward is not a valid double/],
      [{ ...ROWS[0], ids: null }, /ids is null/],
      [{ ...ROWS[0], messages: [{ role: "user" }] }, /messages is not a valid messages/],
      [
        { ...ROWS[0], messages: [{ role: "user", content: "x", name: "n" }] },
        /messages is not a valid messages/,
      ],
    ];
    for (const [row, message] of bad) expect(() => checkRows([row], COLUMNS, "t")).toThrow(message);
    expect(() => tableFiles("t", [{ id: "x" }], COLUMNS, "repogym test")).toThrow(/missing: note/);
  });
});
