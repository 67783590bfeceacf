import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  gradingOf,
  patchPaths,
  prepareScript,
  unquoteGitPath,
  verifyScript,
} from "../../curriculum/verifier.js";
import { FixtureRepo } from "../helpers/fixture-repo.js";
import { sampleScenario } from "../helpers/sample-scenario.js";

describe("patchPaths", () => {
  it("reads what git diff writes: changes, new and deleted files, renames, modes, binaries, odd names", async () => {
    await using repo = await FixtureRepo.create();
    await repo.commit("before", {
      "test/changed.test.js": "a\n",
      "test/deleted.test.js": "b\n",
      "test/old name.test.js": "c\nc\nc\nc\n",
      "test/mode.sh": "echo\n",
      "test/data.bin": "\u0000\u0001",
      "test/tab\there.js": "d\n",
    });
    const base = repo.head();
    await repo.commit("after", {
      "test/changed.test.js": "a2\n",
      "test/deleted.test.js": null,
      "test/old name.test.js": null,
      "test/new name.test.js": "c\nc\nc\nc\n",
      "test/added.test.js": "e\n",
      "test/data.bin": "\u0000\u0002",
      "test/ünï.test.js": "f\n",
      "test/tab\there.js": "d2\n",
    });
    repo.git("update-index", "--chmod=+x", "test/mode.sh");
    repo.git("commit", "-qm", "mode");
    const patch = repo.git("diff", "--binary", "-M", base, "HEAD");
    expect(patchPaths(patch)).toEqual({
      existing: [
        "test/changed.test.js",
        "test/data.bin",
        "test/deleted.test.js",
        "test/mode.sh",
        "test/old name.test.js",
        "test/tab\there.js",
      ],
      created: ["test/added.test.js", "test/new name.test.js", "test/ünï.test.js"],
    });
  });

  it("unquotes git's C-style paths", () => {
    expect(unquoteGitPath('"a\\tb"')).toBe("a\tb");
    expect(unquoteGitPath('"\\303\\274ber \\"x\\" \\\\"')).toBe('über "x" \\');
    expect(unquoteGitPath("plain/path.js")).toBe("plain/path.js");
  });

  it("refuses a test patch that reaches outside the repository", () => {
    const scenario = sampleScenario({
      test_patch:
        "diff --git a/../x b/../x\nnew file mode 100644\n--- /dev/null\n+++ b/../x\n@@ -0,0 +1 @@\n+x\n",
    });
    expect(() => verifyScript(scenario, { appDir: "/app", outputDir: "/logs" })).toThrow(
      /acme__lib-0123456789: the test patch touches a path outside the repository: "..\/x"/,
    );
  });
});

describe("gradingOf", () => {
  it("grades node:test, vitest and jest per test; others by exit code only when validation excluded nothing", () => {
    const env = sampleScenario().environment;
    for (const framework of ["node-test", "vitest", "jest"] as const) {
      const s = sampleScenario({
        environment: { ...env, framework },
        validation: { ...sampleScenario().validation, flaky: ["x"] },
      });
      expect(gradingOf(s)).toEqual({ grading: "per-test" });
    }
    for (const framework of ["mocha", "ava", "tape", "tap"] as const) {
      expect(gradingOf(sampleScenario({ environment: { ...env, framework } }))).toEqual({
        grading: "exit-code",
      });
      const flaky = sampleScenario({
        environment: { ...env, framework },
        validation: { ...sampleScenario().validation, always_failing: ["a"], pass_to_fail: ["b"] },
      });
      expect(gradingOf(flaky)).toEqual({
        unsupported: expect.stringMatching(/excluded 2 of the scenario's tests/),
      });
    }
  });
});

describe("the scripts", () => {
  it("are valid bash, with heredocs that survive a text containing the delimiter", () => {
    const scenario = sampleScenario({
      // Not a patch git would write (its lines start with a marker), but the quoting must hold anyway.
      test_patch:
        "diff --git a/test/a.test.js b/test/a.test.js\n--- a/test/a.test.js\n+++ b/test/a.test.js\nREPOGYM_EOF\n",
      environment: {
        ...sampleScenario().environment,
        dependency_key: "abc",
        package_manager: "pnpm",
        setup: ["pnpm build"],
      },
    });
    const inline = prepareScript(scenario, {
      appDir: "/home/user/lib",
      testPatch: "inline",
      installNode: true,
    });
    expect(inline).toContain("<<'REPOGYM_EOF_1'");
    expect(inline).toContain("corepack enable");
    expect(inline).toContain("https://nodejs.org/dist/v20.0.0/node-v20.0.0-linux-$arch.tar.gz");
    for (const script of [
      inline,
      prepareScript(scenario, { appDir: "/app", testPatch: "file", installNode: false }),
      verifyScript(scenario, { appDir: "/app", outputDir: "/logs/verifier" }),
    ]) {
      expect(() => execFileSync("bash", ["-n"], { input: script })).not.toThrow();
    }
  });
});
