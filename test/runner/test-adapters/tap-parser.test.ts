import { describe, expect, it } from "vitest";
import { firstFailure, parseTap } from "../../../runner/test-adapters/tap-parser.js";

describe("parseTap", () => {
  it("reads points, numbers, descriptions and the plan", () => {
    const doc = parseTap(
      ["TAP version 13", "ok 1 - adds", "not ok 2 - subtracts", "ok 3", "1..3", ""].join("\n"),
    );

    expect(doc.version).toBe(13);
    expect(doc.plan).toEqual({ start: 1, end: 3 });
    expect(doc.points.map((point) => [point.ok, point.number, point.description])).toEqual([
      [true, 1, "adds"],
      [false, 2, "subtracts"],
      [true, 3, ""],
    ]);
    expect(doc.extra).toEqual([]);
  });

  it("reads SKIP and TODO directives, and keeps a # that is part of the title", () => {
    const doc = parseTap(
      [
        "ok 1 - a › skipped # SKIP",
        "ok 2 - skipped with reason # skip not on windows",
        "not ok 3 - later # TODO write it",
        "ok 4 - issue #12 is fixed",
        "ok 5 - escaped \\# hash",
        "not ok 6 - inner # time=12.3ms",
        "1..6",
      ].join("\n"),
    );

    expect(doc.points.map((point) => [point.description, point.directive])).toEqual([
      ["a › skipped", { kind: "skip", reason: "" }],
      ["skipped with reason", { kind: "skip", reason: "not on windows" }],
      ["later", { kind: "todo", reason: "write it" }],
      ["issue #12 is fixed", undefined],
      ["escaped # hash", undefined],
      ["inner", undefined],
    ]);
  });

  it("attaches a YAML diagnostic block to the point before it", () => {
    const doc = parseTap(
      [
        "not ok 1 - fails",
        "  ---",
        "    message: one is not two",
        "    details:",
        "      'Difference:': |-",
        "        - 1",
        "        + 2",
        "  ...",
        "ok 2 - passes",
        "1..2",
      ].join("\n"),
    );

    expect(doc.points[0]?.diagnostics).toEqual({
      message: "one is not two",
      details: { "Difference:": "- 1\n+ 2" },
    });
    expect(doc.points[1]?.diagnostics).toBeUndefined();
  });

  it("ends a diagnostic block that never closes where the next point starts", () => {
    const doc = parseTap(
      ["not ok 1 - fails", "  ---", "  message: cut short", "ok 2 - next", "1..2"].join("\n"),
    );

    expect(doc.points.map((point) => point.description)).toEqual(["fails", "next"]);
    expect(doc.points[0]?.diagnostics).toEqual({ message: "cut short" });
    expect(doc.plan).toEqual({ start: 1, end: 2 });
  });

  it("parses a stream that is indented as a whole", () => {
    const doc = parseTap(["    ok 1 - a", "    not ok 2 - b", "    1..2"].join("\n"));

    expect(doc.points.map((point) => point.ok)).toEqual([true, false]);
    expect(doc.plan).toEqual({ start: 1, end: 2 });
  });

  it("keeps a diagnostic block that is not a YAML mapping as text", () => {
    const doc = parseTap(
      ["not ok 1 - fails", "  ---", "  just words: [unclosed", "  ...", "1..1"].join("\n"),
    );

    expect(doc.points[0]?.diagnostics).toBe("just words: [unclosed");
  });

  it("nests subtests announced one level out, as node-tap prints them", () => {
    const doc = parseTap(
      [
        "TAP version 14",
        "1..1",
        "# Subtest: test/a.test.js",
        "    # Subtest: outer",
        "        # Subtest: inner",
        "            ok 1 - works",
        "            not ok 2 - breaks",
        "              ---",
        "              diff: |",
        "                -2",
        "                +1",
        "              ...",
        "            1..2",
        "        not ok 1 - inner # time=1ms",
        "        ok 2 - skipped child # SKIP",
        "        1..2",
        "    not ok 1 - outer",
        "    1..1",
        "not ok 1 - test/a.test.js",
        "",
      ].join("\n"),
    );

    const file = doc.points[0]!;
    expect(file.description).toBe("test/a.test.js");
    expect(file.subtest?.name).toBe("test/a.test.js");
    const outer = file.subtest!.points[0]!;
    expect(outer.subtest?.name).toBe("outer");
    const [inner, skipped] = outer.subtest!.points;
    expect(inner?.description).toBe("inner");
    expect(inner?.subtest?.plan).toEqual({ start: 1, end: 2 });
    expect(inner?.subtest?.points.map((point) => point.description)).toEqual(["works", "breaks"]);
    expect(skipped?.subtest).toBeUndefined();
    expect(skipped?.directive?.kind).toBe("skip");
    expect(firstFailure(file.subtest!)?.description).toBe("breaks");
    expect(firstFailure(file.subtest!)?.diagnostics).toEqual({ diff: "-2\n+1\n" });
  });

  it("keeps a test's console output that node-tap prints left of its subtest out of the tree", () => {
    const doc = parseTap(
      [
        "TAP version 13",
        "# Subtest: test/a.test.js",
        "    # Subtest: outer",
        "        # Subtest: inner",
        "            ok 1 - works",
        "    printed by the test",
        "    {",
        "            1..1",
        "        ok 1 - inner # time=1ms",
        "        1..1",
        "    ok 1 - outer",
        "    1..1",
        "ok 1 - test/a.test.js",
        "1..1",
      ].join("\n"),
    );

    const outer = doc.points[0]?.subtest?.points[0];
    expect(outer?.description).toBe("outer");
    expect(outer?.subtest?.points.map((point) => point.description)).toEqual(["inner"]);
    expect(outer?.subtest?.points[0]?.subtest?.plan).toEqual({ start: 1, end: 1 });
    expect(doc.extra).toEqual(["printed by the test", "{"]);
    expect(doc.plan).toEqual({ start: 1, end: 1 });
  });

  it("ends a block at a non-TAP line left of it when the TAP after it is further left still", () => {
    const doc = parseTap(
      [
        "TAP version 13",
        "# Subtest: test/a.test.js",
        "    # Subtest: inner",
        "        ok 1 - first",
        "    Killed",
        "not ok 1 - test/a.test.js",
        "1..1",
      ].join("\n"),
    );

    const file = doc.points[0]?.subtest;
    expect(file?.points).toEqual([]);
    expect(file?.unfinished?.name).toBe("inner");
    expect(file?.unfinished?.points.map((point) => point.description)).toEqual(["first"]);
    expect(doc.extra).toEqual(["Killed"]);
  });

  it("reads buffered subtests in braces, as node-tap 12-14 prints files run in parallel", () => {
    const doc = parseTap(
      [
        "TAP version 13",
        "ok 1 - test/a.test.js # time=2ms {",
        "    ok 1 - plain",
        "    ok 2 - object { a: 1 } {",
        "        ok 1 - deep",
        "        1..1",
        "    }",
        "    ok 3 - ends in a brace {",
        "    1..3",
        "}",
        "",
        "not ok 2 - test/b.test.js # time=9ms",
        "  ---",
        "  exitCode: 1",
        "  ...",
        "{",
        "    not ok 1 - fails",
        "    1..1",
        "}",
        "ok 3 - test/empty.test.js {",
        "}",
        "1..3",
      ].join("\n"),
    );

    expect(doc.points.map((point) => [point.description, point.ok])).toEqual([
      ["test/a.test.js", true],
      ["test/b.test.js", false],
      ["test/empty.test.js", true],
    ]);
    const [a, b, empty] = doc.points;
    expect(a?.subtest?.points.map((point) => point.description)).toEqual([
      "plain",
      "object { a: 1 }",
      "ends in a brace {",
    ]);
    expect(a?.subtest?.points[1]?.subtest?.points[0]?.description).toBe("deep");
    expect(a?.subtest?.points[2]?.subtest).toBeUndefined();
    expect(b?.diagnostics).toEqual({ exitCode: 1 });
    expect(b?.subtest?.points[0]?.description).toBe("fails");
    expect(empty?.subtest?.points).toEqual([]);
    expect(doc.plan).toEqual({ start: 1, end: 3 });
    expect(doc.extra).toEqual([]);
  });

  it("marks a buffered subtest whose closing brace never came as unfinished", () => {
    const doc = parseTap(["TAP version 13", "ok 1 - test/a.test.js {", "    ok 1 - first"].join("\n"));

    expect(doc.points[0]?.subtest?.points).toEqual([]);
    expect(doc.points[0]?.subtest?.unfinished?.points[0]?.description).toBe("first");
  });

  it("names a subtest from its own first line, as the TAP 14 spec prints it", () => {
    const doc = parseTap(
      ["TAP version 14", "    # Subtest: child", "    ok 1 - works", "    1..1", "ok 1 - child", "1..1"].join(
        "\n",
      ),
    );

    expect(doc.points[0]?.subtest?.name).toBe("child");
    expect(doc.points[0]?.subtest?.points[0]?.description).toBe("works");
  });

  it("records a bail out and the subtest it left unfinished", () => {
    const doc = parseTap(
      [
        "TAP version 14",
        "1..2",
        "# Subtest: test/a.test.js",
        "    ok 1 - first",
        "    # Subtest: bails",
        "        Bail out! database is down",
        "Bail out! database is down",
      ].join("\n"),
    );

    expect(doc.bailedOut).toBe("database is down");
    expect(doc.points).toEqual([]);
    const file = doc.unfinished!;
    expect(file.name).toBe("test/a.test.js");
    expect(file.points.map((point) => point.description)).toEqual(["first"]);
    expect(file.unfinished?.name).toBe("bails");
    expect(file.unfinished?.bailout).toBe("database is down");
  });

  it("leaves the plan undefined when the stream stops early, and keeps non-TAP lines aside", () => {
    const doc = parseTap(
      [
        "TAP version 13",
        "ok 1 - first",
        "Segmentation fault (core dumped)",
        "    at somewhere (x.js:1:1)",
      ].join("\n"),
    );

    expect(doc.plan).toBeUndefined();
    expect(doc.points).toHaveLength(1);
    expect(doc.extra).toContain("Segmentation fault (core dumped)");
  });

  it("returns an empty document for empty or garbage input", () => {
    for (const text of ["", "\n\n", "<html>502 Bad Gateway</html>"]) {
      const doc = parseTap(text);
      expect(doc.points).toEqual([]);
      expect(doc.plan).toBeUndefined();
    }
  });

  it("ignores colour codes", () => {
    const doc = parseTap("\u001b[32mok 1 - green\u001b[39m\n\u001b[90m1..1\u001b[39m\n");

    expect(doc.points[0]?.description).toBe("green");
    expect(doc.plan).toEqual({ start: 1, end: 1 });
  });

  it("reads a skipped plan's reason", () => {
    expect(parseTap("1..0 # no tests found\n").plan).toEqual({ start: 1, end: 0, comment: "no tests found" });
  });
});
