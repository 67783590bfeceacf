import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { runTests } from "../../runner/run-tests.js";
import { sandboxReadOnlyPaths, wrapCommand } from "../../runner/sandbox.js";
import { getAdapter } from "../../runner/test-adapters/index.js";
import { linkNodeModules, tempDir, writeTree } from "../helpers/fixture-repo.js";

const hasBwrap = (() => {
  try {
    execFileSync("sh", ["-c", "command -v bwrap"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("runTests through the bwrap sandbox (the wrap hook)", () => {
  it.skipIf(!hasBwrap)(
    "vitest runs and reports with the network off and node_modules read-only",
    async () => {
      await using dir = await tempDir();
      await writeTree(dir.path, {
        "package.json": '{"name":"x","type":"module"}',
        "sum.test.js":
          'import { test, expect } from "vitest";\ntest("adds", () => expect(1 + 1).toBe(2));\ntest("fails", () => expect(1).toBe(2));\n',
      });
      await linkNodeModules(dir.path);
      let wrapped = 0;
      const result = await runTests({
        adapter: getAdapter("vitest"),
        root: dir.path,
        files: ["sum.test.js"],
        timeoutMs: 60_000,
        wrap: (spawn) => {
          wrapped++;
          const [outputDir = dir.path, ...writable] = spawn.writable;
          return wrapCommand({
            level: "bwrap",
            command: spawn.command,
            args: spawn.args,
            workspace: dir.path,
            outputDir,
            writable,
            readOnly: sandboxReadOnlyPaths(dir.path),
            network: false,
            env: { ...spawn.env, HOME: "/tmp" },
          });
        },
      });
      expect(wrapped).toBe(1);
      expect(result.ok, result.ok ? "" : `${result.reason}\n${result.output}`).toBe(true);
      if (result.ok) expect(result.results.map((r) => r.outcome).sort()).toEqual(["failed", "passed"]);
    },
  );
});
