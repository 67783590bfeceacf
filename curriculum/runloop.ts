/**
 * Runloop: one scenario-create body per scenario (POST /v1/scenarios), so a suite can be
 * pushed to Runloop and run there on many devboxes at once.
 *
 * Source: the types @runloop/api-client publishes (`resources/scenarios/scenarios.d.ts`,
 * ScenarioCreateParams; `sdk/scenario-builder.d.ts`): name, input_context.problem_statement,
 * environment_parameters (launch_parameters.launch_commands, working_directory), a
 * scoring_contract of scoring functions whose weights sum to 1 (names `[a-zA-Z0-9_-]`),
 * reference_output, string-only metadata. test/curriculum/runloop.test.ts checks the body
 * against those types at compile time and at run time.
 *
 * The devbox builds the starting state with the same prepare script as a Harbor task (Node is
 * downloaded when the devbox has another major), and the test-based scorer writes the verifier
 * into `.repogym-verifier/` after the agent is done, then runs it: exit code 0 means every
 * FAIL_TO_PASS and PASS_TO_PASS test passed.
 */
import type { Scenario } from "../core/scenario.js";
import { shellQuote } from "../runner/shell.js";
import { type ExportContext, type ExportScenario, type FormatOutput, plural } from "./context.js";
import { bySplit, type ExportFile, splitName } from "./files.js";
import { GRADE_SCRIPT } from "./grade-script.js";
import { remoteNotes } from "./harbor.js";
import { graderConfig, gradingOf, prepareScript, verifyScript } from "./verifier.js";

export interface RunloopTestFile {
  file_path: string;
  file_contents: string;
}

export interface RunloopScoringFunction {
  name: string;
  weight: number;
  scorer: { type: "test_based_scorer"; test_command: string; test_files: RunloopTestFile[] };
}

/** The body of Runloop's scenario create call, as this export fills it. */
export interface RunloopScenario {
  name: string;
  input_context: { problem_statement: string; additional_context: Record<string, string> };
  environment_parameters: {
    launch_parameters: {
      launch_commands: string[];
      resource_size_request: "MEDIUM";
      keep_alive_time_seconds: number;
    };
    working_directory: string;
  };
  scoring_contract: { scoring_function_parameters: RunloopScoringFunction[] };
  reference_output: string;
  metadata: Record<string, string>;
  scorer_timeout_sec: number;
}

/** The devbox's home (its default user is `user`); the repository goes into a folder of its name. */
export function runloopWorkingDirectory(scenario: Scenario): string {
  const name = (scenario.repo.split("/").pop() ?? "repo").replace(/[^A-Za-z0-9._-]/g, "-");
  return `/home/user/${/^\.+$/.test(name) || name === "" ? "repo" : name}`;
}

const VERIFIER_DIR = ".repogym-verifier";
const SCORER_TIMEOUT_SEC = 900;
const TEST_TIMEOUT_MS = 600_000;

export function toRunloopScenario(
  item: ExportScenario,
  toolVersion: string,
): RunloopScenario | { skipped: string } {
  const s = item.scenario;
  const graded = gradingOf(s);
  if ("unsupported" in graded) return { skipped: graded.unsupported };
  const workdir = runloopWorkingDirectory(s);
  const prepare = prepareScript(s, { appDir: workdir, testPatch: "inline", installNode: true });
  const verify = verifyScript(s, { appDir: workdir, outputDir: `${workdir}/${VERIFIER_DIR}/out` });
  const metadata: Record<string, string> = {
    instance_id: s.instance_id,
    repo: s.repo,
    base_commit: s.base_commit,
    source_kind: s.source.kind,
    source_sha: s.source.sha,
    created_at: s.created_at,
    framework: s.environment.framework,
    tests_visible: String(s.task.tests_visible),
    fail_to_pass: String(s.FAIL_TO_PASS.length),
    pass_to_pass: String(s.PASS_TO_PASS.length),
    bucket: item.stats.bucket,
    rollouts: String(item.stats.rollouts),
    grading: graded.grading,
    exported_by: toolVersion,
  };
  if (item.stats.solve_rate !== null) metadata.solve_rate = String(item.stats.solve_rate);
  if (item.split !== undefined) metadata.split = item.split;
  return {
    name: s.instance_id,
    input_context: {
      problem_statement: s.problem_statement,
      additional_context: {
        instance_id: s.instance_id,
        repo: s.repo,
        base_commit: s.base_commit,
        hints_text: s.hints_text,
      },
    },
    environment_parameters: {
      launch_parameters: {
        launch_commands: [`bash -c ${shellQuote(prepare)}`],
        resource_size_request: "MEDIUM",
        keep_alive_time_seconds: 4 * 3600,
      },
      working_directory: workdir,
    },
    scoring_contract: {
      scoring_function_parameters: [
        {
          name: "tests",
          weight: 1,
          scorer: {
            type: "test_based_scorer",
            test_command: `bash ${VERIFIER_DIR}/verify.sh`,
            test_files: [
              { file_path: `${VERIFIER_DIR}/verify.sh`, file_contents: verify },
              { file_path: `${VERIFIER_DIR}/grade.mjs`, file_contents: GRADE_SCRIPT },
              {
                file_path: `${VERIFIER_DIR}/config.json`,
                file_contents: `${JSON.stringify(graderConfig(s, graded.grading, TEST_TIMEOUT_MS), null, 2)}\n`,
              },
              { file_path: `${VERIFIER_DIR}/test.patch`, file_contents: s.test_patch },
            ],
          },
        },
      ],
    },
    reference_output: s.patch,
    metadata,
    scorer_timeout_sec: SCORER_TIMEOUT_SEC,
  };
}

export function buildRunloop(ctx: ExportContext): FormatOutput {
  const files: ExportFile[] = [];
  const notes: string[] = [];
  const bodies: Array<{ split: ExportScenario["split"]; body: RunloopScenario }> = [];
  for (const item of ctx.scenarios) {
    const body = toRunloopScenario(item, ctx.toolVersion);
    if ("skipped" in body) {
      notes.push(`runloop: ${item.scenario.instance_id} left out: ${body.skipped}`);
      continue;
    }
    bodies.push({ split: item.split, body });
    files.push({
      path: `runloop/scenarios/${body.name}.json`,
      content: `${JSON.stringify(body, null, 2)}\n`,
    });
  }
  for (const { split, items } of bySplit(bodies, (b) => b.split, ctx.split)) {
    files.push({
      path: `runloop/${splitName("scenarios", split)}.jsonl`,
      content: items.map((b) => `${JSON.stringify(b.body)}\n`).join(""),
    });
  }
  notes.push(...remoteNotes("runloop", ctx, "set repo_url in the launch command"));
  return { files, summary: plural(bodies.length, "scenario"), notes };
}
