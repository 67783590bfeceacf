import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { installedTapMajor, tapAdapter } from "../../../runner/test-adapters/tap.js";
import type { TestAdapter } from "../../../runner/test-adapters/types.js";
import { tempDir, writeTree } from "../../helpers/fixture-repo.js";
import {
  byId,
  commandFor,
  expectBailOverridden,
  expectDetection,
  expectHangTimesOut,
  expectInfraError,
  expectRefused,
  expectRefusesReports,
  ids,
  outcomes,
  parseInput,
  resultsOf,
  runFixture,
} from "./harness.js";
import { TAP_MAJORS, type TapMajor, tapFramework } from "./tap-project.js";

/**
 * The fixture's package.json. tap 16 reads settings from it; these ask for everything that must
 * not reach a run: coverage checks at 100%, a coverage map that does not exist, another reporter
 * and report file, a one-second timeout.
 */
function packageJson(major: TapMajor): Record<string, unknown> {
  return {
    name: "fixture",
    type: "module",
    scripts: { test: "tap" },
    devDependencies: { tap: major === 16 ? "^16.3.10" : "^21.8.0" },
    ...(major === 16
      ? {
          tap: {
            "check-coverage": true,
            100: true,
            "coverage-map": "missing-map.js",
            reporter: "spec",
            "output-file": "elsewhere.tap",
            timeout: 1,
          },
        }
      : {}),
  };
}

/** Projects that run tap `major`, with its package.json. */
const tap = (major: TapMajor) => tapFramework(major, packageJson(major));

const MAIN_TEST = `
import t from "tap";
import { add } from "../src/lib.js";

t.test("math", async (t) => {
  t.test("adds", async (t) => {
    t.equal(add(1, 1), 2);
  });
  t.test("subtracts wrongly", async (t) => {
    t.equal(3 - 1, 1, "three minus one");
  });
  t.test("nested", async (t) => {
    t.test("same name", async (t) => {
      // tap passes this through at the file's depth, left of the subtest it comes from.
      console.log("printed from a nested test");
      t.ok(true);
    });
  });
  t.test("skipped", { skip: "not now" }, async (t) => {
    t.fail("never runs");
  });
  t.test("later", { todo: true }, async (t) => {
    t.fail("not yet");
  });
});

t.test("strings", async (t) => {
  t.test("same name", async (t) => {
    t.ok(true);
  });
});

t.test("twice", async (t) => {
  t.ok(true);
});
t.test("twice", async (t) => {
  t.equal("a", "b", "second twice");
});

t.test("throws", async () => {
  throw new Error("kaboom");
});
`;

const FILES = {
  "src/lib.js": "export const add = (a, b) => a + b;\n",
  "test/main.test.js": MAIN_TEST,
  // Assertions outside any subtest count as one test named after the file.
  "test/plain.test.js": `import t from "tap";\nt.ok(true, "plain");\nt.equal(2, 2);\n`,
  // The usual "before fix" state: the test imports something the source does not have yet.
  "test/broken.test.js": `import t from "tap";\nimport { subtract } from "../src/lib.js";\nt.equal(subtract(2, 1), 1);\n`,
  "test/other.test.js": `import t from "tap";\nt.test("must not run", async (t) => t.ok(true));\n`,
};

describe.each(TAP_MAJORS)("tapAdapter with tap %i", (major) => {
  it("reports every subtest of the given files by file and parent subtests", async () => {
    const run = await runFixture(tap(major), FILES, [
      "test/main.test.js",
      "test/plain.test.js",
      "test/broken.test.js",
    ]);

    expect(outcomes(run)).toEqual({
      "test/main.test.js > math > adds": "passed",
      "test/main.test.js > math > subtracts wrongly": "failed",
      "test/main.test.js > math > nested > same name": "passed",
      "test/main.test.js > math > skipped": "skipped",
      "test/main.test.js > math > later": "skipped",
      "test/main.test.js > strings > same name": "passed",
      "test/main.test.js > twice": "passed",
      "test/main.test.js > twice #2": "failed",
      "test/main.test.js > throws": "failed",
      "test/plain.test.js": "passed",
      "test/broken.test.js": "failed",
    });
    const results = byId(run);
    expect(results.get("test/main.test.js > math > subtracts wrongly")?.message).toContain("three minus one");
    expect(results.get("test/main.test.js > twice #2")?.message).toContain("second twice");
    expect(results.get("test/main.test.js > throws")?.message).toContain("kaboom");
    expect(results.get("test/broken.test.js")?.message).toContain(
      "does not provide an export named 'subtract'",
    );
    // Only the given files ran.
    expect(ids(run).some((id) => id.startsWith("test/other.test.js"))).toBe(false);
  });

  it("names a CommonJS file that cannot load by its own error", async () => {
    const tree = {
      "test/fine.test.cjs": `const t = require("tap");\nt.test("fine", async (t) => t.ok(true));\n`,
      "test/missing.test.cjs": `const t = require("tap");\nrequire("./not-there.cjs");\nt.ok(true);\n`,
    };
    const run = await runFixture(tap(major), tree, ["test/fine.test.cjs", "test/missing.test.cjs"]);

    expect(resultsOf(run)).toEqual([
      { id: "test/fine.test.cjs > fine", outcome: "passed" },
      {
        id: "test/missing.test.cjs",
        outcome: "failed",
        message: "Error: Cannot find module './not-there.cjs'",
      },
    ]);
  });

  it("runs every test even when the project's config bails on the first failure", async () => {
    await expectBailOverridden(tap(major), {
      ".taprc": "bail: true\n",
      "test/a.test.js": `import t from "tap";\nt.test("first fails", async (t) => t.fail("one"));\nt.test("second fails", async (t) => t.fail("two"));\n`,
      "test/b.test.js": `import t from "tap";\nt.test("passes", async (t) => t.pass("yes"));\n`,
    });
  });

  it("drops files it was not asked for", async () => {
    // A configured command that also runs another file.
    const withExtraFile: TestAdapter = {
      ...tapAdapter,
      buildCommand(options) {
        const command = tapAdapter.buildCommand(options);
        return { ...command, args: [...command.args, "test/extra.test.js"] };
      },
    };
    const tree = {
      "test/a.test.js": `import t from "tap";\nt.test("works", async (t) => t.pass("yes"));\n`,
      "test/extra.test.js": `import t from "tap";\nt.test("not asked for", async (t) => t.fail("no"));\nt.ok(true);\n`,
    };
    const run = await runFixture(tap(major), tree, ["test/a.test.js"], { adapter: withExtraFile });

    expect(outcomes(run)).toEqual({ "test/a.test.js > works": "passed" });
  });

  it("runs exactly the given files when their names hold glob syntax", async () => {
    const passing = `import t from "tap";\nt.test("runs", async (t) => t.pass("yes"));\n`;
    const globby = ["test/[ab].test.js", "test/x@{1,2} (copy)+!.test.js"];
    const tree = {
      ...Object.fromEntries(globby.map((file) => [file, passing])),
      "test/a.test.js": `import t from "tap";\nt.test("must not run", async (t) => t.pass("yes"));\n`,
      "test/b.test.js": `import t from "tap";\nt.test("must not run", async (t) => t.pass("yes"));\n`,
    };
    const run = await runFixture(tap(major), tree, globby);

    expect(outcomes(run)).toEqual({
      "test/[ab].test.js > runs": "passed",
      "test/x@{1,2} (copy)+!.test.js > runs": "passed",
    });
  });

  it("turns a hanging test into a timeout, not a result", async () => {
    await expectHangTimesOut(
      tap(major),
      `import t from "tap";\nt.test("hangs", () => new Promise(() => setInterval(() => {}, 1000)));\n`,
      4_000,
    );
  });

  it("fails the run when the runner itself dies", async () => {
    const tree = {
      "test/first.test.js": `import t from "tap";\nt.test("passes", async (t) => t.ok(true));\n`,
      // Test files run as child processes of the tap runner.
      "test/kill.test.js": `import t from "tap";\nt.test("kills the runner", async () => { process.kill(process.ppid, "SIGKILL"); });\n`,
    };
    const run = await runFixture(tap(major), tree, ["test/first.test.js", "test/kill.test.js"]);
    expectInfraError(run);
  });

  it("reads the project's tap version from the package its bin links to", async () => {
    await using project = await tap(major).project({});

    expect(installedTapMajor(project.path, project.binDir)).toBe(major);
    // Without a usable bin folder, the package Node resolves from the project root.
    expect(installedTapMajor(project.path, join(project.path, "nowhere"))).toBe(major);
  });
});

describe("tapAdapter", () => {
  it("runs tap 18+ with raw TAP into the report and coverage off", async () => {
    await using project = await tap(21).project({});
    const command = commandFor(tapAdapter, { root: project.path, binDir: project.binDir });
    expect(command.command).toBe(join(project.binDir, "tap"));
    expect(command.args.slice(0, 3)).toEqual(["run", "--reporter=tap", "--reporter-file=/tmp/report"]);
    expect(command.args).toContain("--disable-coverage");
    expect(command.args).toContain("--no-bail");
    expect(command.args.slice(-2)).toEqual(["--", "test/a.test.js"]);
  });

  it("ends its options before the files, and escapes glob syntax for tap 16, which globs them", async () => {
    await using tap21 = await tap(21).project({});
    await using tap16 = await tap(16).project({});
    const files = ["--config=x.test.js", "test/[ab].test.js"];
    const commandIn = (project: typeof tap21) =>
      commandFor(tapAdapter, { root: project.path, binDir: project.binDir, files });

    expect(commandIn(tap21).args.slice(-3)).toEqual(["--", ...files]);
    expect(commandIn(tap16).args.slice(-3)).toEqual(["--", "--config=x.test.js", "test/\\[ab\\].test.js"]);
  });

  it("runs tap 13-16 with raw TAP into an output file, coverage, its checks and tap's timeout off", async () => {
    await using project = await tap(16).project({});
    const command = commandFor(tapAdapter, { root: project.path, binDir: project.binDir });
    expect(command.command).toBe(join(project.binDir, "tap"));
    expect(command.args).toEqual([
      "--reporter=tap",
      "--output-file=/tmp/report",
      "--no-coverage",
      "--timeout=0",
      "--no-color",
      "--no-check-coverage",
      "--no-coverage-map",
      "--no-bail",
      "--",
      "test/a.test.js",
    ]);
  });

  it("gives tap 12, which refuses flags it does not know, only the ones it has", async () => {
    await using dir = await tempDir();
    // An installed tap 12 as npm lays it out: the package, and .bin/tap linking to its bin.
    const packageDir = join(dir.path, "node_modules", "tap");
    await writeTree(packageDir, {
      "package.json": JSON.stringify({ name: "tap", version: "12.7.0", bin: { tap: "bin/run.js" } }),
      "bin/run.js": "#!/usr/bin/env node\n",
    });
    await mkdir(join(dir.path, "node_modules", ".bin"));
    await symlink("../tap/bin/run.js", join(dir.path, "node_modules", ".bin", "tap"));

    const command = commandFor(tapAdapter, {
      root: dir.path,
      binDir: join(dir.path, "node_modules", ".bin"),
    });
    expect(command.args).toEqual([
      "--reporter=tap",
      "--output-file=/tmp/report",
      "--no-coverage",
      "--timeout=0",
      "--no-color",
      "--no-bail",
      "--",
      "test/a.test.js",
    ]);
  });

  it("runs the current generation's command when no tap version can be read", async () => {
    await using dir = await tempDir();
    await writeFile(join(dir.path, "package.json"), "{}");
    const command = commandFor(tapAdapter, {
      root: dir.path,
      binDir: join(dir.path, "node_modules", ".bin"),
    });
    expect(command.args[0]).toBe("run");
  });

  it("reads tap 12-14's report of files that ran in parallel, each a buffered { } block", () => {
    // The shape tap 14 writes with --jobs=2, cut down.
    const report = [
      "TAP version 13",
      "not ok 1 - test/a.test.js # time=62.565ms",
      "  ---",
      "  file: test/a.test.js",
      "  exitCode: 1",
      "  ...",
      "{",
      "    # Subtest: math",
      "        # Subtest: adds",
      "            ok 1 - should be equal",
      "    hello from a",
      "            1..1",
      "        ok 1 - adds # time=13.165ms",
      "        ",
      "        # Subtest: wrong",
      "            not ok 1 - three minus one",
      "              ---",
      "              diff: |",
      "                --- expected",
      "                +++ actual",
      "                @@ -1,1 +1,1 @@",
      "                -1",
      "                +2",
      "              ...",
      "            ",
      "            1..1",
      "        not ok 2 - wrong # time=20.543ms",
      "        ",
      "        1..2",
      "    not ok 1 - math # time=40ms",
      "    ",
      "    1..1",
      "}",
      "",
      "ok 2 - test/b.test.js # time=2.043ms {",
      "    ok 1 - plain",
      "    1..1",
      "}",
      "",
      "not ok 3 - test/c.test.js # time=198.076ms",
      "  ---",
      "  exitCode: 1",
      "  ...",
      "{",
      "    1..0 # no tests found",
      "}",
      "",
      "1..3",
    ].join("\n");
    const stderr = [
      "/project/test/c.test.js:1",
      "Error: Cannot find module './nonexistent'",
      "Require stack:",
      "- /project/test/c.test.js",
      "    at Object.<anonymous> (/project/test/c.test.js:1)",
    ].join("\n");

    const files = ["test/a.test.js", "test/b.test.js", "test/c.test.js"];
    const results = tapAdapter.parseReport(parseInput({ files, report, stderr }));

    expect(results).toEqual([
      { id: "test/a.test.js > math > adds", outcome: "passed" },
      {
        id: "test/a.test.js > math > wrong",
        outcome: "failed",
        message: "three minus one\n--- expected\n+++ actual\n-1\n+2",
      },
      { id: "test/b.test.js", outcome: "passed" },
      { id: "test/c.test.js", outcome: "failed", message: "Error: Cannot find module './nonexistent'" },
    ]);
  });

  it("detects tap from dependencies or the test script, and not from tape or tap-spec", () => {
    expectDetection(tapAdapter, {
      detects: [{ devDependencies: { tap: "21" } }, "tap --allow-empty-coverage", "npx tap test/*.js"],
      ignores: ["tape test/*.js | tap-spec", { devDependencies: { tape: "5" } }],
    });
  });

  it("refuses a missing, empty, unreadable or truncated report", () => {
    expectRefusesReports(tapAdapter, [undefined, "", "Segmentation fault (core dumped)\n"]);
    const truncated =
      "TAP version 14\n1..2\n# Subtest: test/a.test.js\n    ok 1 - works\n    1..1\nok 1 - test/a.test.js\n";
    expectRefused(tapAdapter, { report: truncated }, /truncated/);
  });

  it("keeps what ran before a bail out and fails the subtest that bailed", () => {
    const report = [
      "TAP version 14",
      "1..1",
      "# Subtest: test/a.test.js",
      "    # Subtest: first",
      "        ok 1 - fine",
      "        1..1",
      "    ok 1 - first",
      "    # Subtest: bails",
      "        Bail out! database is down",
      "Bail out! database is down",
      "",
    ].join("\n");
    const results = tapAdapter.parseReport(parseInput({ report }));
    expect(results).toEqual([
      { id: "test/a.test.js > first", outcome: "passed" },
      { id: "test/a.test.js > bails", outcome: "failed", message: "Bail out! database is down" },
    ]);
  });
});
