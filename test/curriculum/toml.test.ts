import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { stringifyToml, tomlFloat, tomlKey, tomlString } from "../../curriculum/toml.js";

describe("the TOML writer, read back by smol-toml", () => {
  it("writes strings that survive quotes, backslashes, newlines, control characters and any Unicode", () => {
    const strings = [
      "",
      'say "hi"',
      "C:\\path\\to",
      "two\nlines\r\nand\ttab",
      "bell\u0007 escape\u001b del\u007f",
      "ünïcödé – 漢字 – 🦀",
      '"""',
      "'''",
      "\\u0041 is not A",
      "#not a comment",
    ];
    for (const value of strings) {
      expect(parse(`v = ${tomlString(value)}`)).toEqual({ v: value });
    }
  });

  it("quotes keys that are not bare", () => {
    expect(tomlKey("timeout_sec")).toBe("timeout_sec");
    expect(tomlKey("a.b")).toBe('"a.b"');
    const doc = stringifyToml({ "a.b": 1, "with space": "x", "": true, ключ: "y" });
    expect(parse(doc)).toEqual({ "a.b": 1, "with space": "x", "": true, ключ: "y" });
  });

  it("writes integers as integers, floats as floats (600.0), booleans and arrays", () => {
    const doc = stringifyToml({
      int: 600,
      negative: -3,
      float: tomlFloat(600),
      fraction: 0.75,
      third: 1 / 3,
      tiny: 1e-7,
      huge: tomlFloat(1e21),
      yes: true,
      no: false,
      tags: ["a", 'b "c"'],
      numbers: [1, 2.5, tomlFloat(3)],
      empty: [],
    });
    expect(doc).toContain("float = 600.0\n");
    expect(doc).toContain("int = 600\n");
    expect(parse(doc)).toEqual({
      int: 600,
      negative: -3,
      float: 600,
      fraction: 0.75,
      third: 1 / 3,
      tiny: 1e-7,
      huge: 1e21,
      yes: true,
      no: false,
      tags: ["a", 'b "c"'],
      numbers: [1, 2.5, 3],
      empty: [],
    });
  });

  it("writes root values first, then tables and nested tables, leaving undefined out", () => {
    const doc = stringifyToml({
      version: "1.0",
      metadata: { name: "x", skipped: undefined, nested: { deep: 1 } },
      verifier: { timeout_sec: tomlFloat(120) },
      after: "root value after a table",
    });
    expect(parse(doc)).toEqual({
      version: "1.0",
      after: "root value after a table",
      metadata: { name: "x", nested: { deep: 1 } },
      verifier: { timeout_sec: 120 },
    });
    expect(doc).toContain("[metadata.nested]\n");
    expect(doc.startsWith('version = "1.0"\nafter = ')).toBe(true);
  });

  it("refuses numbers TOML cannot hold exactly", () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
      expect(() => stringifyToml({ value })).toThrow(RangeError);
    }
  });
});
