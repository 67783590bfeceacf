/**
 * Harbor (laude-institute/harbor, the successor of terminal-bench): one task folder per
 * scenario.
 *
 *   task.toml             [metadata], [verifier] timeout_sec, [agent] timeout_sec, [environment]
 *   instruction.md        what the agent is told
 *   environment/          Docker build context of the agent's container (Dockerfile, prepare.sh)
 *   tests/test.sh         the verifier; writes the reward to /logs/verifier/reward.txt
 *   solution/solve.sh     the reference solution Harbor's oracle agent runs
 *
 * Sources: harbor's `src/harbor/models/task/config.py` (TaskConfig: `version` / `schema_version`,
 * metadata, verifier, agent, environment with build_timeout_sec, cpus, memory_mb, storage_mb,
 * allow_internet; unknown keys ignored), `src/harbor/models/trial/paths.py` (tests uploaded to
 * /tests after the agent, solution to /solution for the oracle, reward read from
 * /logs/verifier/reward.txt or reward.json) and `src/harbor/verifier/verifier.py`.
 */
import { ConfigError } from "../core/errors.js";
import type { Scenario } from "../core/scenario.js";
import { type ExportContext, type ExportScenario, type FormatOutput, plural } from "./context.js";
import type { ExportFile } from "./files.js";
import { GRADE_SCRIPT } from "./grade-script.js";
import type { Bucket } from "./solve-rate.js";
import { stringifyToml, type TomlTable, tomlFloat } from "./toml.js";
import {
  type Grading,
  graderConfig,
  gradingOf,
  nodeMajor,
  prepareScript,
  solveScript,
  verifyScript,
} from "./verifier.js";

/** Where the repository is in the task's container (Harbor's own tasks use /app). */
export const HARBOR_APP_DIR = "/app";
export const HARBOR_VERIFIER_DIR = "/logs/verifier";

export const HARBOR_TIMEOUTS = { agentSec: 1800, verifierSec: 900, buildSec: 1800, testMs: 600_000 };

/** Folder and image names: lower case, as Docker image names must be. */
export function harborTaskName(instanceId: string): string {
  return instanceId.toLowerCase().replace(/[^a-z0-9._-]/g, "-");
}

/** Harbor's difficulty words; an unsolved scenario is hard, an untried one unknown. */
function harborDifficulty(bucket: Bucket): string {
  if (bucket === "unsolved") return "hard";
  if (bucket === "untried") return "unknown";
  return bucket;
}

export function taskToml(item: ExportScenario, grading: Grading, toolVersion: string): string {
  const s = item.scenario;
  const metadata: TomlTable = {
    author_name: "repogym",
    author_email: "unknown",
    difficulty: harborDifficulty(item.stats.bucket),
    category: "software-engineering",
    tags: ["repogym", "bug-fix", s.environment.framework],
    instance_id: s.instance_id,
    repo: s.repo,
    base_commit: s.base_commit,
    source_kind: s.source.kind,
    source_sha: s.source.sha,
    source_url: s.source.url,
    created_at: s.created_at,
    bucket: item.stats.bucket,
    solve_rate: item.stats.solve_rate === null ? undefined : tomlFloat(item.stats.solve_rate),
    rollouts: item.stats.rollouts,
    split: item.split,
    fail_to_pass: s.FAIL_TO_PASS.length,
    pass_to_pass: s.PASS_TO_PASS.length,
    grading,
    exported_by: toolVersion,
  };
  return stringifyToml({
    version: "1.0",
    metadata,
    verifier: { timeout_sec: tomlFloat(HARBOR_TIMEOUTS.verifierSec) },
    agent: { timeout_sec: tomlFloat(HARBOR_TIMEOUTS.agentSec) },
    environment: {
      build_timeout_sec: tomlFloat(HARBOR_TIMEOUTS.buildSec),
      cpus: 2,
      memory_mb: 4096,
      storage_mb: 10240,
      // The agent may need a model API; the build needs the repository and the registry.
      allow_internet: true,
    },
  });
}

export function instruction(scenario: Scenario): string {
  const statement = scenario.problem_statement.trimEnd();
  return `${statement}\n\nThe repository is checked out in ${HARBOR_APP_DIR}.\n`;
}

export function dockerfile(scenario: Scenario): string {
  const major = nodeMajor(scenario);
  const image = major === undefined ? "node:lts-bookworm" : `node:${major}-bookworm`;
  const copy = scenario.task.tests_visible
    ? "COPY prepare.sh test.patch /repogym/"
    : "COPY prepare.sh /repogym/";
  return [
    `# ${scenario.instance_id} (repogym export): ${scenario.repo} at ${scenario.base_commit}.`,
    `# Node ${major ?? "LTS"} as the scenario was validated with (${scenario.environment.node_version}); the image has git.`,
    `FROM ${image}`,
    "# Where the repository is fetched from: its GitHub URL unless given (--build-arg REPOGYM_REPO_URL=...).",
    "ARG REPOGYM_REPO_URL",
    `WORKDIR ${HARBOR_APP_DIR}`,
    copy,
    "RUN bash /repogym/prepare.sh && rm -rf /repogym",
    "",
  ].join("\n");
}

/** One task folder's files, or why the scenario cannot be a Harbor task. */
export function harborTask(
  item: ExportScenario,
  toolVersion: string,
): { files: ExportFile[] } | { skipped: string } {
  const s = item.scenario;
  const graded = gradingOf(s);
  if ("unsupported" in graded) return { skipped: graded.unsupported };
  const dir = `${item.split === undefined ? "harbor" : `harbor/${item.split}`}/${harborTaskName(s.instance_id)}`;
  const config = graderConfig(s, graded.grading, HARBOR_TIMEOUTS.testMs);
  const files: ExportFile[] = [
    { path: `${dir}/task.toml`, content: taskToml(item, graded.grading, toolVersion) },
    { path: `${dir}/instruction.md`, content: instruction(s) },
    { path: `${dir}/environment/Dockerfile`, content: dockerfile(s) },
    {
      path: `${dir}/environment/prepare.sh`,
      content: prepareScript(s, { appDir: HARBOR_APP_DIR, testPatch: "file", installNode: false }),
      executable: true,
    },
    {
      path: `${dir}/tests/test.sh`,
      content: verifyScript(s, { appDir: HARBOR_APP_DIR, outputDir: HARBOR_VERIFIER_DIR }),
      executable: true,
    },
    { path: `${dir}/tests/grade.mjs`, content: GRADE_SCRIPT },
    { path: `${dir}/tests/config.json`, content: `${JSON.stringify(config, null, 2)}\n` },
    { path: `${dir}/tests/test.patch`, content: s.test_patch },
    { path: `${dir}/solution/solve.sh`, content: solveScript(s, HARBOR_APP_DIR), executable: true },
    { path: `${dir}/solution/gold.patch`, content: s.patch },
  ];
  // Hidden tests stay out of the agent's image: the build context gets the test patch only when visible.
  if (s.task.tests_visible) files.push({ path: `${dir}/environment/test.patch`, content: s.test_patch });
  return { files };
}

export function buildHarbor(ctx: ExportContext): FormatOutput {
  const files: ExportFile[] = [];
  const notes: string[] = [];
  const names = new Map<string, string>();
  let tasks = 0;
  for (const item of ctx.scenarios) {
    const name = harborTaskName(item.scenario.instance_id);
    const other = names.get(name);
    if (other !== undefined) {
      throw new ConfigError(
        `${item.scenario.instance_id} and ${other} would share the Harbor task folder ${name}`,
      );
    }
    names.set(name, item.scenario.instance_id);
    const task = harborTask(item, ctx.toolVersion);
    if ("skipped" in task) {
      notes.push(`harbor: ${item.scenario.instance_id} left out: ${task.skipped}`);
      continue;
    }
    files.push(...task.files);
    tasks++;
  }
  notes.push(...remoteNotes("harbor", ctx, "build with --build-arg REPOGYM_REPO_URL=<url>"));
  return { files, summary: plural(tasks, "task"), notes };
}

/** Scenarios mined from a checkout without a remote cannot be fetched by their environments as they are. */
export function remoteNotes(format: string, ctx: ExportContext, fix: string): string[] {
  const local = [
    ...new Set(ctx.scenarios.map((s) => s.scenario.repo).filter((repo) => repo.startsWith("local/"))),
  ];
  return local.map(
    (repo) =>
      `${format}: ${repo} has no remote, so its environments fetch https://github.com/${repo}.git; publish the repository or ${fix}`,
  );
}
