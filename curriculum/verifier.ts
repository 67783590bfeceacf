/**
 * The shell side of a scenario outside repogym, shared by the Harbor and Runloop exports:
 * building the starting state (prepare), putting the test side back and grading (verify), and
 * applying the gold patch (solve). The scripts take their folders from REPOGYM_* variables
 * with the task's defaults, so the same files run in a container and, in tests, in a temp dir.
 *
 * What they keep from repogym's own runner: the workspace is a fresh repository whose only
 * history is the starting state (no later commits to copy a fix from), `.repogym` folders
 * removed, dependencies installed without the root lifecycle scripts and without leaving a
 * rewritten lockfile in the diff; before grading, every file the test patch touches is
 * restored and the test patch applied again, so edits to the tests do not count.
 * What they do not: the restore trusts the container's `repogym-base` commit (as SWE-bench's
 * harness trusts its base commit), and test configuration outside the test patch is not reset.
 */
import { ConfigError } from "../core/errors.js";
import type { Scenario } from "../core/scenario.js";
import { shellQuote } from "../runner/shell.js";

export type Grading = "per-test" | "exit-code";

/** Frameworks whose per-test reports the grader reads; the others are graded by exit code. */
const PER_TEST = new Set(["node-test", "vitest", "jest"]);

/**
 * How a scenario can be graded outside repogym. By exit code only when that equals per-test
 * grading: when validation excluded no test of the scenario's files (flaky, always failing,
 * not run before, broken by the fix), the run passes exactly when every F2P and P2P test does.
 */
export function gradingOf(scenario: Scenario): { grading: Grading } | { unsupported: string } {
  if (PER_TEST.has(scenario.environment.framework)) return { grading: "per-test" };
  const v = scenario.validation;
  const excluded = v.flaky.length + v.always_failing.length + v.not_run_before.length + v.pass_to_fail.length;
  if (excluded === 0) return { grading: "exit-code" };
  return {
    unsupported: `${scenario.environment.framework} is graded by exit code outside repogym, and validation excluded ${excluded} of the scenario's tests, which would fail that run even after a correct fix`,
  };
}

/** What the grader reads (tests/config.json). */
export function graderConfig(scenario: Scenario, grading: Grading, timeoutMs: number) {
  return {
    instance_id: scenario.instance_id,
    framework: scenario.environment.framework,
    grading,
    test_files: scenario.environment.test_files,
    FAIL_TO_PASS: scenario.FAIL_TO_PASS,
    PASS_TO_PASS: scenario.PASS_TO_PASS,
    timeout_ms: timeoutMs,
  };
}

/** Undoes git's C-style quoting of a path (`"a\tb\303\251"`). */
export function unquoteGitPath(text: string): string {
  if (!text.startsWith('"')) return text;
  const bytes: number[] = [];
  const simple: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, "\\": 92 };
  for (let i = 1; i < text.length - 1; i++) {
    const char = text[i]!;
    if (char !== "\\") {
      bytes.push(...Buffer.from(char, "utf8"));
      continue;
    }
    const next = text[i + 1]!;
    if (/[0-7]/.test(next)) {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(simple[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** One path from a `--- a/x`, `+++ b/x` or `rename from x` line: unquoted, prefix dropped. */
function pathOf(text: string, prefix: string): string | undefined {
  const raw = text.replace(/\t$/, "");
  if (raw === "/dev/null") return undefined;
  const path = unquoteGitPath(raw);
  return prefix !== "" && path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

/** Both paths of a `diff --git a/x b/x` header, for blocks with no ---/+++ lines (modes, binaries). */
function headerPaths(line: string): [string, string] | undefined {
  const rest = line.slice("diff --git ".length);
  const quoted = /^("(?:[^"\\]|\\.)*")\s+("(?:[^"\\]|\\.)*"|\S.*)$/.exec(rest);
  if (quoted) return [pathOf(quoted[1]!, "a/") ?? "", pathOf(quoted[2]!, "b/") ?? ""];
  // Unquoted: the two halves are the same path but for their prefix (a rename has its own lines).
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest.slice(2, half) === rest.slice(half + 3)) {
    return [rest.slice(2, half), rest.slice(half + 3)];
  }
  const at = rest.indexOf(" b/");
  return at === -1 ? undefined : [rest.slice(2, at), rest.slice(at + 3)];
}

export interface PatchPaths {
  /** Paths the patch changes that exist before it (modified, deleted, renamed or copied from). */
  existing: string[];
  /** Paths the patch creates (new files, rename and copy targets). */
  created: string[];
}

/** The files a git patch touches, split by whether they exist before it. */
export function patchPaths(patch: string): PatchPaths {
  const existing = new Set<string>();
  const created = new Set<string>();
  let block: { old?: string; new?: string; added: boolean; deleted: boolean; moved: boolean } | undefined;
  const flush = () => {
    if (!block) return;
    if (block.old !== undefined && !block.added) existing.add(block.old);
    if (block.new !== undefined && (block.added || block.moved)) created.add(block.new);
    if (block.new !== undefined && !block.added && !block.moved && !block.deleted) existing.add(block.new);
  };
  let inHeader = false;
  for (const line of patch.split("\n")) {
    if (line.startsWith("diff --git ")) {
      flush();
      const [old, neu] = headerPaths(line) ?? [];
      block = { added: false, deleted: false, moved: false };
      if (old) block.old = old;
      if (neu) block.new = neu;
      inHeader = true;
      continue;
    }
    if (!block || !inHeader) continue;
    if (line.startsWith("@@") || line.startsWith("GIT binary patch")) inHeader = false;
    else if (line.startsWith("new file mode")) block.added = true;
    else if (line.startsWith("deleted file mode")) block.deleted = true;
    else if (line.startsWith("rename from ") || line.startsWith("copy from ")) {
      block.old = pathOf(line.replace(/^(rename|copy) from /, ""), "");
      block.moved = true;
    } else if (line.startsWith("rename to ") || line.startsWith("copy to ")) {
      block.new = pathOf(line.replace(/^(rename|copy) to /, ""), "");
      block.moved = true;
    } else if (line.startsWith("--- ")) {
      const old = pathOf(line.slice(4), "a/");
      if (old === undefined) block.added = true;
      else block.old = old;
    } else if (line.startsWith("+++ ")) {
      const neu = pathOf(line.slice(4), "b/");
      if (neu === undefined) block.deleted = true;
      else block.new = neu;
      inHeader = false;
    }
  }
  flush();
  return { existing: [...existing].sort(), created: [...created].sort() };
}

/** Paths from a patch go into rm and git commands: they must stay inside the repository. */
function checkedPaths(paths: readonly string[], instanceId: string): string[] {
  for (const path of paths) {
    if (path === "" || path.startsWith("/") || path.split("/").includes("..") || path.includes("\0")) {
      throw new ConfigError(`the test patch touches a path outside the repository: "${path}"`, instanceId);
    }
  }
  return [...paths];
}

/** The Node major a scenario was validated with (`v20.20.2` -> 20). */
export function nodeMajor(scenario: Scenario): number | undefined {
  const match = /^v?(\d+)\./.exec(scenario.environment.node_version);
  return match ? Number(match[1]) : undefined;
}

/** A heredoc delimiter that is not a line of the text. */
function heredocMark(text: string): string {
  const lines = new Set(text.split("\n"));
  let mark = "REPOGYM_EOF";
  for (let n = 1; lines.has(mark); n++) mark = `REPOGYM_EOF_${n}`;
  return mark;
}

/** `here`: the folder of the running script, for the files shipped beside it. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a bash parameter expansion, not a template
const SCRIPT_DIR = 'here="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd)"';

/**
 * `g`: git with an identity for the commits, no signing, and any owner accepted (the agent or
 * verifier may run as another user than the one that built the folder).
 */
const GIT_FUNCTION =
  "g() { git -c safe.directory='*' -c user.name=repogym -c user.email=repogym@localhost -c commit.gpgsign=false \"$@\"; }";
const GIT = "g";

export interface PrepareOptions {
  /** Where the repository goes unless REPOGYM_APP_DIR says otherwise. */
  appDir: string;
  /** Where it is fetched from unless REPOGYM_REPO_URL says otherwise; default its GitHub URL. */
  repoUrl?: string;
  /**
   * The visible test patch: a file beside the script (Harbor's build context) or inlined
   * (Runloop's launch command). Ignored when the scenario hides its tests.
   */
  testPatch: "file" | "inline";
  /** Download the scenario's Node when the machine has another (Runloop devboxes). */
  installNode: boolean;
}

export function defaultRepoUrl(scenario: Scenario): string {
  return `https://github.com/${scenario.repo}.git`;
}

/** The node binaries a prepare script downloaded, next to the repository. */
const NODE_DIR = '"$(dirname "$app")/.repogym-node"';

/**
 * Builds the starting state: the base commit as a fresh one-commit repository tagged
 * `repogym-base`, the visible test side as a second commit, dependencies installed the way
 * repogym installs them, then the scenario's setup commands.
 */
export function prepareScript(scenario: Scenario, options: PrepareOptions): string {
  const env = scenario.environment;
  const lines = [
    "#!/usr/bin/env bash",
    `# Starting state of ${scenario.instance_id}, written by repogym export: ${scenario.repo} at`,
    `# ${scenario.base_commit} as a fresh repository with no later history${scenario.task.tests_visible ? ", the visible test side" : ""},`,
    "# dependencies installed. REPOGYM_REPO_URL and REPOGYM_APP_DIR override where it comes from and goes.",
    "set -euo pipefail",
    `repo_url="\${REPOGYM_REPO_URL:-${options.repoUrl ?? defaultRepoUrl(scenario)}}"`,
    `app="\${REPOGYM_APP_DIR:-${options.appDir}}"`,
    `base=${scenario.base_commit}`,
    SCRIPT_DIR,
    GIT_FUNCTION,
    "export CI=true COREPACK_ENABLE_DOWNLOAD_PROMPT=0",
  ];
  const major = nodeMajor(scenario);
  if (options.installNode && major !== undefined && /^v\d+\.\d+\.\d+$/.test(env.node_version)) {
    lines.push(
      "",
      `# Node ${major}, as the scenario was validated with, unless the machine has it.`,
      `node_dir=${NODE_DIR}`,
      `if ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]')" != "${major}" ]; then`,
      '  if [ ! -x "$node_dir/bin/node" ]; then',
      '    case "$(uname -m)" in x86_64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) echo "no Node build for $(uname -m)" >&2; exit 1 ;; esac',
      '    mkdir -p "$node_dir"',
      `    curl -fsSL "https://nodejs.org/dist/${env.node_version}/node-${env.node_version}-linux-$arch.tar.gz" | tar -xz -C "$node_dir" --strip-components=1`,
      "  fi",
      '  export PATH="$node_dir/bin:$PATH"',
      "fi",
    );
  }
  lines.push(
    "",
    "# The base commit alone: fetched by sha where the server allows it, else with the branches.",
    'mkdir -p "$app"',
    'cd "$app"',
    `${GIT} init -q`,
    `if ! ${GIT} fetch -q --depth 1 "$repo_url" "$base" 2>/dev/null; then`,
    `  ${GIT} fetch -q "$repo_url" '+refs/heads/*:refs/remotes/origin/*' '+refs/tags/*:refs/tags/*'`,
    "fi",
    `${GIT} checkout -q --detach "$base"`,
    "rm -rf .git",
    "find . -name .repogym -prune -exec rm -rf {} +",
    `${GIT} init -q`,
    // -f: files the repository tracks even though its .gitignore matches them.
    `${GIT} add -A -f`,
    `${GIT} commit -q --no-verify --allow-empty -m "Starting state"`,
    `${GIT} tag repogym-base`,
  );
  if (scenario.task.tests_visible) {
    lines.push("", "# The tests that define the fix (visible to the agent).");
    if (options.testPatch === "file") {
      lines.push(`${GIT} apply --whitespace=nowarn "$here/test.patch"`);
    } else {
      const mark = heredocMark(scenario.test_patch);
      const patch = scenario.test_patch.endsWith("\n") ? scenario.test_patch : `${scenario.test_patch}\n`;
      lines.push(`${GIT} apply --whitespace=nowarn - <<'${mark}'`, `${patch}${mark}`);
    }
    lines.push(`${GIT} add -A`, `${GIT} commit -q --no-verify -m "Tests"`);
  }
  if (env.dependency_key !== "none") {
    lines.push(
      "",
      "# Dependencies without the root lifecycle scripts (the source they build is not installed yet);",
      "# whatever the installer rewrites (lockfiles, package.json) is put back.",
    );
    if (env.package_manager !== "npm")
      lines.push("command -v corepack >/dev/null 2>&1 && corepack enable >/dev/null 2>&1 || true");
    lines.push(
      `node -e 'const fs = require("fs"); const p = JSON.parse(fs.readFileSync("package.json", "utf8")); delete p.scripts; fs.writeFileSync("package.json", JSON.stringify(p, null, 2) + "\\n");'`,
      env.install,
      `${GIT} checkout -q -- .`,
      `${GIT} clean -fdq -e node_modules`,
    );
  }
  if (env.setup.length > 0) {
    lines.push("", "# Setup (builds).", ...env.setup);
  }
  return `${lines.join("\n")}\n`;
}

export interface VerifyOptions {
  appDir: string;
  /** Where reward.txt and repogym-report.json go unless REPOGYM_VERIFIER_DIR says otherwise. */
  outputDir: string;
}

/**
 * Restores every file the test patch touches from `repogym-base`, applies the test patch and
 * runs the grader (grade.mjs, config.json and test.patch beside this script). A test side the
 * agent broke so that it cannot be restored scores 0.
 */
export function verifyScript(scenario: Scenario, options: VerifyOptions): string {
  const paths = patchPaths(scenario.test_patch);
  const existing = checkedPaths(paths.existing, scenario.instance_id);
  const created = checkedPaths(paths.created, scenario.instance_id);
  const lines = [
    "#!/usr/bin/env bash",
    `# Verifier of ${scenario.instance_id}, written by repogym export: puts back the files the test patch`,
    "# touches, applies it, runs the scenario's tests and writes reward.txt (1 when every FAIL_TO_PASS",
    "# and PASS_TO_PASS test passes, else 0). REPOGYM_APP_DIR and REPOGYM_VERIFIER_DIR override folders.",
    "set -uo pipefail",
    SCRIPT_DIR,
    GIT_FUNCTION,
    `app="\${REPOGYM_APP_DIR:-${options.appDir}}"`,
    `out="\${REPOGYM_VERIFIER_DIR:-${options.outputDir}}"`,
    'mkdir -p "$out"',
    `node_dir=${NODE_DIR}`,
    'if [ -x "$node_dir/bin/node" ]; then export PATH="$node_dir/bin:$PATH"; fi',
    'zero() { echo "repogym: $1" >&2; echo 0 > "$out/reward.txt"; exit 1; }',
    'cd "$app" || zero "no repository at $app"',
  ];
  if (existing.length > 0) {
    lines.push(
      `${GIT} checkout -q repogym-base -- ${existing.map(shellQuote).join(" ")} || zero "the test files cannot be restored from repogym-base"`,
    );
  }
  if (created.length > 0) lines.push(`rm -rf -- ${created.map(shellQuote).join(" ")}`);
  lines.push(
    `${GIT} apply --whitespace=nowarn "$here/test.patch" || zero "the test patch does not apply to the changed repository"`,
    'node "$here/grade.mjs" "$here/config.json" "$app" "$out"',
  );
  return `${lines.join("\n")}\n`;
}

/** Applies the gold patch (gold.patch beside the script). */
export function solveScript(scenario: Scenario, appDir: string): string {
  return [
    "#!/usr/bin/env bash",
    `# Reference solution of ${scenario.instance_id} (the gold patch), written by repogym export.`,
    "# REPOGYM_APP_DIR overrides the repository folder.",
    "set -euo pipefail",
    SCRIPT_DIR,
    GIT_FUNCTION,
    `cd "\${REPOGYM_APP_DIR:-${appDir}}"`,
    `${GIT} apply --whitespace=nowarn "$here/gold.patch"`,
    "",
  ].join("\n");
}
