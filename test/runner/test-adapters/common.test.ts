import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TestRunError } from "../../../core/errors.js";
import {
  dependsOn,
  detectPackage,
  errorFromStderr,
  escapeGlob,
  failedResult,
  filesWithoutResults,
  positionalFile,
  projectRelative,
  readJsonLines,
  readJsonReport,
  requestedFiles,
  requireReport,
  scriptInvokes,
  stripAnsi,
  summarizeFailure,
  testId,
  titlePath,
  uniqueIds,
} from "../../../runner/test-adapters/common.js";
import type { ParseReportInput, ProjectInfo } from "../../../runner/test-adapters/types.js";
import { tempDir } from "../../helpers/fixture-repo.js";

const root = "/project";

function input(report: string | undefined, stderr = ""): ParseReportInput {
  return { root, files: ["a.test.js"], report, stdout: "", stderr, exitCode: 1 };
}

describe("detection", () => {
  it("finds a dependency in dependencies or devDependencies", () => {
    const project = (packageJson: ProjectInfo["packageJson"]): ProjectInfo => ({ root, packageJson });

    expect(dependsOn(project({ dependencies: { tap: "21" } }), "tap")).toBe(true);
    expect(dependsOn(project({ devDependencies: { tap: "21" } }), "tap")).toBe(true);
    expect(dependsOn(project({ devDependencies: { tape: "5", "tap-spec": "5" } }), "tap")).toBe(false);
    expect(dependsOn(project({ scripts: { test: "tap" } }), "tap")).toBe(false);
    expect(dependsOn({ root }, "tap")).toBe(false);
  });

  it("finds a binary in a script only as a whole word or a path", () => {
    expect(scriptInvokes("jest", "jest")).toBe(true);
    expect(scriptInvokes("tap", "tap")).toBe(true);
    expect(scriptInvokes("npx jest --ci", "jest")).toBe(true);
    expect(scriptInvokes("npx tap --coverage", "tap")).toBe(true);
    expect(scriptInvokes("cross-env CI=1 jest", "jest")).toBe(true);
    expect(scriptInvokes("npm run build && jest", "jest")).toBe(true);
    expect(scriptInvokes("npm run build&&jest", "jest")).toBe(true);
    expect(scriptInvokes("(cd pkg; jest)", "jest")).toBe(true);
    expect(scriptInvokes("lint && ./node_modules/.bin/tap test", "tap")).toBe(true);
    expect(scriptInvokes("./node_modules/.bin/mocha test", "mocha")).toBe(true);
    expect(scriptInvokes("node node_modules/mocha/bin/mocha.js", "mocha")).toBe(true);

    expect(scriptInvokes("jest-puppeteer", "jest")).toBe(false);
    expect(scriptInvokes("mocha-headless", "mocha")).toBe(false);
    expect(scriptInvokes("vitest run", "jest")).toBe(false);
    expect(scriptInvokes("vitest run", "test")).toBe(false);
    expect(scriptInvokes("tape test/*.js", "tap")).toBe(false);
    expect(scriptInvokes("tape test/*.js | tap-spec", "tap")).toBe(false);
    expect(scriptInvokes("node tap.js", "tap")).toBe(false);
    expect(scriptInvokes("echo jest=1", "jest")).toBe(false);
    expect(scriptInvokes("", "jest")).toBe(false);
    expect(scriptInvokes(undefined, "jest")).toBe(false);
    expect(scriptInvokes(undefined, "tap")).toBe(false);
  });

  it("detects a package by dependency or by any of its binaries in the test script", () => {
    expect(detectPackage({ root, packageJson: { devDependencies: { mocha: "12" } } }, "mocha")).toBe(true);
    expect(
      detectPackage({ root, packageJson: { scripts: { test: "_mocha test" } } }, "mocha", [
        "mocha",
        "_mocha",
      ]),
    ).toBe(true);
    expect(detectPackage({ root, packageJson: { scripts: { test: "_mocha test" } } }, "mocha")).toBe(false);
    expect(detectPackage({ root, packageJson: { scripts: { build: "mocha" } } }, "mocha")).toBe(false);
    expect(detectPackage({ root }, "mocha")).toBe(false);
  });
});

describe("failure messages", () => {
  it("strips colours and hyperlinks", () => {
    expect(stripAnsi("\u001b[1;31mred\u001b[39m")).toBe("red");
    expect(stripAnsi("\u001b]8;;https://example.com\u0007link\u001b]8;;\u0007")).toBe("link");
    expect(stripAnsi("\u001b]8;;https://example.com\u001b\\link\u001b]8;;\u001b\\")).toBe("link");
  });

  it("keeps at most five lines, without colours, stack frames, blank lines or Node's trailer", () => {
    const message = [
      "\u001b[31mTypeError: cannot read x\u001b[39m",
      "    at Object.<anonymous> (/project/test/a.test.js:3:5)",
      "",
      "one",
      "    at async Promise.all (index 0)",
      "two",
      "three",
      "four",
      "five",
      "Node.js v20.20.2",
    ].join("\r\n");

    expect(summarizeFailure(message)).toBe("TypeError: cannot read x\none\ntwo\nthree\nfour");

    const assertion = [
      "\u001b[31mAssertionError: values differ\u001b[39m",
      "",
      "- 1",
      "+ 2",
      "    at Context.<anonymous> (test/a.test.js:3:5)",
      "    at process.processImmediate (node:internal/timers:483:21)",
      "one",
      "two",
      "three",
    ].join("\n");
    expect(summarizeFailure(assertion)).toBe("AssertionError: values differ\n- 1\n+ 2\none\ntwo");
  });

  it("ends the message at a code frame and drops jest's headers and advice before Details", () => {
    const expectation = [
      "\u001b[31mError: expect(received).toBe(expected)\u001b[39m",
      "",
      "Expected: 3",
      "Received: 2",
      "    > 4 |     expect(1 + 1).toBe(3);",
      "    at Object.<anonymous> (test/math.test.js:4:19)",
    ].join("\n");
    expect(summarizeFailure(expectation)).toBe(
      "Error: expect(received).toBe(expected)\nExpected: 3\nReceived: 2",
    );

    const message = [
      "  ● Test suite failed to run",
      "",
      "    Jest encountered an unexpected token",
      "",
      "    Details:",
      "",
      "    SyntaxError: /project/test/a.test.js: Unexpected token (2:0)",
      "",
      '      1 | it("never", () => {',
      "    > 2 |",
      "        | ^",
      "",
      "      at constructor (node_modules/@babel/parser/lib/index.js:367:19)",
      "Test Suites: 1 failed, 1 total",
    ].join("\n");

    expect(summarizeFailure(message)).toBe("SyntaxError: /project/test/a.test.js: Unexpected token (2:0)");
  });

  it("dedents what it keeps and has nothing to say about a bare stack", () => {
    expect(summarizeFailure("    Error: nested\n      detail")).toBe("Error: nested\n  detail");
    expect(summarizeFailure("    at only (a stack)")).toBeUndefined();
    expect(summarizeFailure("    at only (a stack)\n\n")).toBeUndefined();
    expect(summarizeFailure("")).toBeUndefined();
  });

  it("gives a failed result a summarized message, or says that there was none", () => {
    expect(failedResult("a > x", "\u001b[31mError: boom\u001b[39m\n    at x (a.js:1:1)")).toEqual({
      id: "a > x",
      outcome: "failed",
      message: "Error: boom",
    });
    expect(failedResult("a > x", undefined)).toEqual({
      id: "a > x",
      outcome: "failed",
      message: "failed without a message",
    });
    expect(failedResult("a > x", "    at only (a stack)").message).toBe("failed without a message");
  });

  it("finds an uncaught error in Node's stderr, without its source excerpt or stack", () => {
    const stderr = [
      "/project/test/a.test.js:2",
      "syntax error(",
      "       ^^^^^",
      "",
      "\u001b[31mSyntaxError: Unexpected identifier 'error'\u001b[39m",
      "    at wrapSafe (node:internal/modules/cjs/loader:1469:18)",
      "",
      "Node.js v20.20.2",
    ].join("\n");

    expect(errorFromStderr(stderr)).toBe("SyntaxError: Unexpected identifier 'error'");
    expect(errorFromStderr(stderr, ["/project/test/a.test.js"])).toBe(
      "SyntaxError: Unexpected identifier 'error'",
    );
    expect(errorFromStderr(stderr, ["/project/test/b.test.js"])).toBeUndefined();
    expect(errorFromStderr("just some logging\n")).toBeUndefined();
  });

  it("tells apart the errors of several files, ES module and CommonJS, in one stderr", () => {
    const stderr = [
      "file:///work/test/a.test.js:1",
      'import { nope } from "./lib.js";',
      "         ^^^^",
      "SyntaxError: The requested module './lib.js' does not provide an export named 'nope'",
      "    at ModuleJob._instantiate (node:internal/modules/esm/module_job:213:21)",
      "",
      "Node.js v20.20.2",
      "/work/test/b.test.cjs:2",
      "syntax error(",
      "       ^^^^^",
      "",
      "SyntaxError: Unexpected identifier 'error'",
      "    at wrapSafe (node:internal/modules/cjs/loader:1469:18)",
    ].join("\n");

    expect(errorFromStderr(stderr, ["/work/test/a.test.js"])).toBe(
      "SyntaxError: The requested module './lib.js' does not provide an export named 'nope'",
    );
    expect(errorFromStderr(stderr, ["/work/test/b.test.cjs"])).toBe(
      "SyntaxError: Unexpected identifier 'error'",
    );
    expect(errorFromStderr(stderr, ["/work/test/c.test.js"])).toBeUndefined();
  });

  it("finds a CommonJS file's missing module by the require stack naming it, without that stack", () => {
    const stderr = [
      "node:internal/modules/cjs/loader:1210",
      "  throw err;",
      "  ^",
      "",
      "Error: Cannot find module './missing'",
      "Require stack:",
      "- /project/test/a.test.js",
      "    at Module._resolveFilename (node:internal/modules/cjs/loader:1207:15)",
      "    at Object.<anonymous> (/project/test/a.test.js:1:1) {",
      "  code: 'MODULE_NOT_FOUND',",
      "  requireStack: [ '/project/test/a.test.js' ]",
      "}",
      "",
      "Node.js v20.20.2",
      "/project/test/b.test.js:1",
      "throw new Error('b broke')",
      "^",
      "",
      "Error: b broke",
      "    at Object.<anonymous> (/project/test/b.test.js:1:7)",
    ].join("\n");

    expect(errorFromStderr(stderr, ["/project/test/a.test.js"])).toBe(
      "Error: Cannot find module './missing'",
    );
    expect(errorFromStderr(stderr, ["/project/test/b.test.js"])).toBe("Error: b broke");
    expect(errorFromStderr(stderr, ["/project/test/c.test.js"])).toBeUndefined();
    expect(errorFromStderr(stderr)).toBe("Error: Cannot find module './missing'");
  });
});

describe("ids and paths", () => {
  it("joins a test's path into its id", () => {
    expect(testId(["test/a.test.js", "math", "adds"])).toBe("test/a.test.js > math > adds");
    expect(testId(["test/a.test.js"])).toBe("test/a.test.js");
  });

  it("lists a node's names from the outermost ancestor down", () => {
    const outer = { name: "outer" };
    const inner = { name: "inner", parent: outer };
    expect(titlePath({ name: "leaf", parent: inner })).toEqual(["outer", "inner", "leaf"]);
    expect(titlePath(outer)).toEqual(["outer"]);
  });

  it("suffixes repeated ids with #2, #3 in report order, keeping everything else", () => {
    const results = uniqueIds([
      { id: "a > x", outcome: "passed" },
      { id: "a > x", outcome: "failed", message: "m" },
      { id: "a > y", outcome: "passed" },
      { id: "a > x", outcome: "skipped" },
    ]);

    expect(results).toEqual([
      { id: "a > x", outcome: "passed" },
      { id: "a > x #2", outcome: "failed", message: "m" },
      { id: "a > y", outcome: "passed" },
      { id: "a > x #3", outcome: "skipped" },
    ]);
  });

  it("skips a suffix that a real test already has", () => {
    const results = uniqueIds([
      { id: "a > x", outcome: "passed" },
      { id: "a > x #2", outcome: "passed" },
      { id: "a > x", outcome: "failed" },
    ]);

    expect(results.map((result) => result.id)).toEqual(["a > x", "a > x #2", "a > x #3"]);
  });

  it("spells reported and requested files the same way", () => {
    expect(projectRelative(root, "/project/test/a.test.js")).toBe("test/a.test.js");
    expect(projectRelative(root, "./test/a.test.js")).toBe("test/a.test.js");
    expect(projectRelative(root, "test/a.test.js")).toBe("test/a.test.js");
    expect([...requestedFiles(["./test/a.test.js", "test\\b.test.js", "test//c.test.js"])]).toEqual([
      "test/a.test.js",
      "test/b.test.js",
      "test/c.test.js",
    ]);
  });

  it("finds the requested files that have no result, neither a test in them nor one for the file", () => {
    const results = [
      { id: "test/a.test.js > works", outcome: "passed" as const },
      { id: "test/b.test.js", outcome: "failed" as const, message: "did not load" },
      { id: "test/c.test.jsx > other file", outcome: "passed" as const },
    ];
    expect(
      filesWithoutResults(["./test/a.test.js", "test/b.test.js", "test/c.test.js", "test"], results),
    ).toEqual(["test/c.test.js", "test"]);
  });

  it("makes a real path relative to a root reached through a symlink", async () => {
    await using dir = await tempDir("repogym-common-");
    await mkdir(join(dir.path, "real", "test"), { recursive: true });
    await symlink(join(dir.path, "real"), join(dir.path, "link"));

    expect(projectRelative(join(dir.path, "link"), join(dir.path, "real", "test", "a.test.js"))).toBe(
      "test/a.test.js",
    );
  });
});

describe("command lines", () => {
  it("keeps a file that starts with a dash from being read as an option", () => {
    expect(positionalFile("--config=x.test.js")).toBe("./--config=x.test.js");
    expect(positionalFile("test/--x.test.js")).toBe("test/--x.test.js");
  });

  it("turns a path into a glob that matches only it", () => {
    expect(escapeGlob("test/[ab]*.test.js")).toBe("test/\\[ab\\]\\*.test.js");
    expect(escapeGlob("!x/(y)|{z}+@?.js")).toBe("\\!x/\\(y\\)\\|\\{z\\}\\+\\@\\?.js");
    expect(escapeGlob("test/a.test.js")).toBe("test/a.test.js");
  });
});

describe("reports", () => {
  it("refuses a missing or empty report, quoting what the runner printed", () => {
    expect(() => requireReport("jest", input(undefined))).toThrow(
      "jest wrote no report (exit code 1): it crashed or never ran the tests",
    );
    expect(() => requireReport("jest", input(" \n", "Error: broken config\n    at x (a.js:1:1)"))).toThrow(
      "jest wrote an empty report (exit code 1): Error: broken config",
    );
    expect(requireReport("jest", input("{}"))).toBe("{}");
  });

  it("refuses a report that is not JSON", () => {
    expect(() => readJsonReport("mocha", input("1..3\nok 1"))).toThrow(TestRunError);
    expect(readJsonReport("mocha", input('{"a":1}'))).toEqual({ a: 1 });
  });

  it("reads JSON lines up to their closing line, and refuses a truncated or garbled stream", () => {
    type Row = { type: "test" | "done"; name?: string };
    const rows = readJsonLines<Row>("tape", input('{"type":"test","name":"a"}\n\n{"type":"done"}\n'), "done");
    expect(rows).toEqual([{ type: "test", name: "a" }, { type: "done" }]);

    expect(() => readJsonLines<Row>("tape", input('{"type":"test"}\n'), "done")).toThrow(/truncated/);
    expect(() => readJsonLines<Row>("tape", input('{"type":"test"}\nnot json\n'), "done")).toThrow(
      /unreadable line: not json/,
    );
    expect(() => readJsonLines<Row>("tape", input(""), "done")).toThrow(/empty report/);
  });
});
