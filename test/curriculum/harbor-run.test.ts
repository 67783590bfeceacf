/**
 * The exported Harbor task scripts and Runloop launch/scoring commands, run for real without
 * Docker: the starting state is built from the mined fixture repository into a temp folder
 * (REPOGYM_REPO_URL / REPOGYM_APP_DIR), the verifier writes its reward into another
 * (REPOGYM_VERIFIER_DIR), exactly as the container would.
 */
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { ScenarioSchema } from "../../core/scenario.js";
import { writeScenario } from "../../core/suite-store.js";
import { exportCurriculum } from "../../curriculum/export.js";
import { harborTaskName } from "../../curriculum/harbor.js";
import { useMinedFixture } from "../runner/run-fixture.js";
import { RunloopScenarioCreateSchema } from "./format-schemas.js";

async function sh(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("Harbor task scripts and Runloop commands, run on a mined suite", () => {
  const scope = useMinedFixture();
  let out: string;
  let hidden: string;
  const git = (dir: string, ...args: string[]) => sh("git", ["-C", dir, ...args]);

  beforeAll(async () => {
    out = join(scope.work, "export");
    await exportCurriculum({
      suiteDir: scope.fixture.suite,
      runDirs: [],
      outDir: out,
      formats: ["harbor", "runloop"],
      informative: false,
      force: false,
      toolVersion: "repogym test",
    });
    // The same scenarios in issue mode: tests hidden until scoring.
    const hiddenSuite = join(scope.work, "hidden-suite");
    for (const s of scope.fixture.scenarios) {
      await writeScenario(hiddenSuite, ScenarioSchema.parse({ ...s, task: { tests_visible: false } }));
    }
    hidden = join(scope.work, "hidden-export");
    await exportCurriculum({
      suiteDir: hiddenSuite,
      runDirs: [],
      outDir: hidden,
      formats: ["harbor"],
      informative: false,
      force: false,
      toolVersion: "repogym test",
    });
  });

  /** Builds the task's starting state into a fresh folder; returns its folders. */
  async function prepare(exportDir: string, instanceId: string, name: string) {
    const task = join(exportDir, "harbor", harborTaskName(instanceId));
    const app = join(scope.work, name, "app");
    const logs = join(scope.work, name, "logs");
    const env = {
      REPOGYM_REPO_URL: scope.fixture.repo.path,
      REPOGYM_APP_DIR: app,
      REPOGYM_VERIFIER_DIR: logs,
    };
    const built = await sh("bash", [join(task, "environment/prepare.sh")], { env });
    expect(built.code, built.stderr).toBe(0);
    const verify = async () => {
      const run = await sh("bash", [join(task, "tests/test.sh")], { env });
      const reward = (await readFile(join(logs, "reward.txt"), "utf8")).trim();
      return { ...run, reward };
    };
    return { task, app, logs, env, verify };
  }

  it("prepare.sh builds the base commit as a fresh repository; test.sh gives 0, and 1 after solve.sh", async () => {
    for (const scenario of scope.fixture.scenarios) {
      const { task, app, logs, env, verify } = await prepare(
        out,
        scenario.instance_id,
        `visible-${scenario.instance_id}`,
      );
      // No later history to copy the fix from: two commits (starting state, tests), no remote.
      expect((await git(app, "log", "--format=%s")).stdout.trim().split("\n")).toEqual([
        "Tests",
        "Starting state",
      ]);
      expect((await git(app, "rev-list", "--all")).stdout.trim().split("\n")).toHaveLength(2);
      expect((await git(app, "remote")).stdout.trim()).toBe("");
      expect((await git(app, "status", "--porcelain")).stdout).toBe("");
      const original = await readFile(join(app, "src/calc.js"), "utf8");
      expect(
        await sh("git", ["-C", scope.fixture.repo.path, "show", `${scenario.base_commit}:src/calc.js`]),
      ).toMatchObject({
        stdout: original,
      });

      const before = await verify();
      expect(before.reward, before.stdout + before.stderr).toBe("0");
      expect(before.code).toBe(1);
      const report = JSON.parse(await readFile(join(logs, "repogym-report.json"), "utf8"));
      expect(report.tests_status.FAIL_TO_PASS.failure).toEqual(scenario.FAIL_TO_PASS);
      expect(report.tests_status.PASS_TO_PASS.success).toEqual(scenario.PASS_TO_PASS);

      const solved = await sh("bash", [join(task, "solution/solve.sh")], { env });
      expect(solved.code, solved.stderr).toBe(0);
      const after = await verify();
      expect(after.reward, after.stdout + after.stderr).toBe("1");
      expect(after.code).toBe(0);
      expect(after.stdout).toContain(`${scenario.instance_id} resolved, reward 1`);
    }
  });

  it("an agent that rewrites or deletes the failing tests still gets 0", async () => {
    const scenario = scope.fixture.scenarios[0]!;
    const { app, verify } = await prepare(out, scenario.instance_id, "cheat");
    await writeFile(
      join(app, "test/calc.test.js"),
      [
        'import { test } from "node:test";',
        ...[...scenario.FAIL_TO_PASS, ...scenario.PASS_TO_PASS].map(
          (id) => `test(${JSON.stringify(id.split(" > ").pop())}, () => {});`,
        ),
        "",
      ].join("\n"),
    );
    expect((await verify()).reward).toBe("0");
    await sh("rm", ["-rf", join(app, "test")]);
    expect((await verify()).reward).toBe("0");
    // Rewriting history does not help either: the verifier restores from repogym-base.
    await git(
      app,
      "-c",
      "user.name=x",
      "-c",
      "user.email=x@x",
      "commit",
      "-qam",
      "tests gone",
      "--allow-empty",
    );
    expect((await verify()).reward).toBe("0");
  });

  it("hidden tests: the starting state has no test side; the verifier adds it, 0 before and 1 after", async () => {
    for (const scenario of scope.fixture.scenarios) {
      const { task, app, env, verify } = await prepare(
        hidden,
        scenario.instance_id,
        `hidden-${scenario.instance_id}`,
      );
      expect((await git(app, "log", "--format=%s")).stdout.trim()).toBe("Starting state");
      expect(await readFile(join(task, "environment/Dockerfile"), "utf8")).toContain(
        "COPY prepare.sh /repogym/\n",
      );
      const base = await sh("git", [
        "-C",
        scope.fixture.repo.path,
        "show",
        `${scenario.base_commit}:test/calc.test.js`,
      ]);
      expect(await readFile(join(app, "test/calc.test.js"), "utf8")).toBe(base.stdout);
      expect((await verify()).reward).toBe("0");
      expect((await sh("bash", [join(task, "solution/solve.sh")], { env })).code).toBe(0);
      expect((await verify()).reward).toBe("1");
    }
  });

  it("Runloop: the launch command builds the same state and the test-based scorer passes only the fix", async () => {
    for (const scenario of scope.fixture.scenarios) {
      const body = RunloopScenarioCreateSchema.parse(
        JSON.parse(await readFile(join(out, "runloop/scenarios", `${scenario.instance_id}.json`), "utf8")),
      );
      const app = join(scope.work, `runloop-${scenario.instance_id}`, "calc");
      const env = { REPOGYM_REPO_URL: scope.fixture.repo.path, REPOGYM_APP_DIR: app };
      for (const command of body.environment_parameters!.launch_parameters!.launch_commands!) {
        const launched = await sh("sh", ["-c", command], { env });
        expect(launched.code, launched.stderr).toBe(0);
      }
      expect(body.environment_parameters!.working_directory).toBe("/home/user/calc");
      const scorer = body.scoring_contract.scoring_function_parameters[0]?.scorer;
      if (scorer?.type !== "test_based_scorer") throw new Error("expected a test-based scorer");
      // Runloop writes the test files after the agent is done, then runs the command in the working directory.
      const score = async () => {
        for (const file of scorer.test_files ?? []) {
          await mkdir(dirname(join(app, file.file_path!)), { recursive: true });
          await writeFile(join(app, file.file_path!), file.file_contents!);
        }
        return sh("sh", ["-c", scorer.test_command!], { cwd: app, env });
      };
      expect((await score()).code).not.toBe(0);
      const patch = join(scope.work, `gold-${scenario.instance_id}.patch`);
      await writeFile(patch, body.reference_output!);
      expect((await git(app, "apply", patch)).code).toBe(0);
      const after = await score();
      expect(after.code, after.stdout + after.stderr).toBe(0);
    }
  });
});
