/**
 * The grader shipped with Harbor tasks and Runloop scenarios: a dependency-free Node program
 * that runs a scenario's test files once and grades them against FAIL_TO_PASS and
 * PASS_TO_PASS, as repogym's `tests` scorer does. Test ids are built as repogym's adapters
 * build them (`file > describe > test`, repeated ids numbered ` #2`), from the same reports:
 * jest's `--json` (jest, vitest) and a JSON-lines `node --test` reporter. mocha, ava, tape and
 * tap are graded by the runner's exit code, which is exact only for scenarios with no test
 * excluded by validation (see gradingOf in verifier.ts).
 *
 * It is kept as text (not a module of this package) because it runs inside the task's own
 * environment, where repogym is not installed; tests run it for real.
 */
export const GRADE_SCRIPT = String.raw`// repogym grader, written by "repogym export". Runs the scenario's test files once and grades
// them against FAIL_TO_PASS and PASS_TO_PASS: reward 1 when every one of them passed, else 0.
// Usage: node grade.mjs <config.json> <project dir> <output dir>
// Writes <output dir>/reward.txt and <output dir>/repogym-report.json; exits 0 only when resolved.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, relative, resolve, sep } from "node:path";

const [configPath, projectArg, outputArg] = process.argv.slice(2);
if (!configPath || !projectArg || !outputArg) {
  console.error("usage: node grade.mjs <config.json> <project dir> <output dir>");
  process.exit(2);
}
const config = JSON.parse(readFileSync(configPath, "utf8"));
const root = resolve(projectArg);
const output = resolve(outputArg);
mkdirSync(output, { recursive: true });
const scratch = mkdtempSync(join(tmpdir(), "repogym-grade-"));
const reportPath = join(scratch, "report");
const bin = join(root, "node_modules", ".bin");
const files = config.test_files;

const NODE_REPORTER = [
  "export default async function* repogymReporter(source) {",
  "  for await (const event of source) {",
  "    const d = event.data ?? {};",
  "    if (event.type === 'test:start') {",
  "      yield JSON.stringify({ type: 'start', name: d.name, nesting: d.nesting, file: d.file }) + '\\n';",
  "    } else if (event.type === 'test:pass' || event.type === 'test:fail') {",
  "      const skipped = (d.skip !== undefined && d.skip !== false) || (d.todo !== undefined && d.todo !== false);",
  "      yield JSON.stringify({ type: event.type === 'test:pass' ? 'pass' : 'fail', name: d.name, nesting: d.nesting, file: d.file, skipped }) + '\\n';",
  "    }",
  "  }",
  "  yield JSON.stringify({ type: 'end' }) + '\\n';",
  "}",
].join("\n");

/** A literal path as a glob that matches only it; a leading "-" would read as an option. */
function globFile(file) {
  const escaped = file.replace(/[\\*?[\]{}()!+@|]/g, "\\$&");
  return escaped.startsWith("-") ? "./" + escaped : escaped;
}

function tapMajor() {
  try {
    const pkg = JSON.parse(readFileSync(join(root, "node_modules", "tap", "package.json"), "utf8"));
    return Number(String(pkg.version).split(".")[0]);
  } catch {
    return undefined;
  }
}

function command() {
  switch (config.framework) {
    case "node-test":
      return [process.execPath, ["--test", "--test-reporter=data:text/javascript," + encodeURIComponent(NODE_REPORTER),
        "--test-reporter-destination=" + reportPath, "--test-reporter=spec", "--test-reporter-destination=stdout",
        "--", ...files]];
    case "vitest":
      return [join(bin, "vitest"), ["run", "--reporter=default", "--reporter=json", "--outputFile.json=" + reportPath,
        "--no-color", "--coverage.enabled=false", "--bail=0", ...files.map((f) => (f.startsWith("-") ? "./" + f : f))]];
    case "jest":
      return [join(bin, "jest"), ["--ci", "--json", "--outputFile=" + reportPath, "--watchAll=false",
        "--coverage=false", "--bail=0", "--runTestsByPath", "--", ...files]];
    case "mocha":
      return [join(bin, "mocha"), ["--no-parallel", "--no-watch", "--no-color", "--exit", "--no-bail", "--", ...files]];
    case "ava":
      return [join(bin, "ava"), ["--no-color", "--no-fail-fast", ...files.map(globFile)]];
    case "tape":
      return [join(bin, "tape"), files.map(globFile)];
    case "tap": {
      const major = tapMajor();
      if (major !== undefined && major < 18) {
        const args = ["--no-coverage", "--timeout=0", "--no-color"];
        if (major >= 13) args.push("--no-check-coverage");
        if (major >= 15) args.push("--no-coverage-map");
        return [join(bin, "tap"), [...args, "--no-bail", "--", ...files.map(globFile)]];
      }
      return [join(bin, "tap"), ["run", "--disable-coverage", "--allow-empty-coverage", "--allow-incomplete-coverage",
        "--no-color", "--no-bail", "--", ...files]];
    }
    default:
      throw new Error("unknown test framework " + config.framework);
  }
}

/** The project-relative posix path of a file a runner reported. */
function rel(file) {
  const absolute = resolve(root, file);
  let path = relative(root, absolute);
  if (path.startsWith("..")) {
    try {
      path = relative(realpathSync(root), absolute);
    } catch {}
  }
  return path.split(sep).join("/");
}

/** Repeated ids get " #2", " #3" in report order, as repogym's adapters number them. */
function uniqueIds(results) {
  const seen = new Map();
  const taken = new Set(results.map((r) => r.id));
  return results.map((r) => {
    const count = (seen.get(r.id) ?? 0) + 1;
    seen.set(r.id, count);
    if (count === 1) return r;
    let suffix = count;
    while (taken.has(r.id + " #" + suffix)) suffix++;
    taken.add(r.id + " #" + suffix);
    return { ...r, id: r.id + " #" + suffix };
  });
}

function jestResults(text) {
  const report = JSON.parse(text);
  if (!report || !Array.isArray(report.testResults)) throw new Error("the report has no testResults");
  const results = [];
  for (const file of report.testResults) {
    const name = rel(file.name);
    for (const a of file.assertionResults ?? []) {
      results.push({ id: [name, ...a.ancestorTitles, a.title].join(" > "), passed: a.status === "passed" });
    }
  }
  return uniqueIds(results);
}

function nodeTestResults(text) {
  const events = text.split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line));
  if (events.length === 0 || events[events.length - 1].type !== "end") throw new Error("the report is truncated");
  const stack = [];
  const done = [];
  const open = (event, file) => {
    const nesting = event.nesting ?? 0;
    const parent = nesting > 0 ? stack[nesting - 1] : undefined;
    const node = { name: event.name ?? "", file: parent ? parent.file : file, parent, hasChildren: false };
    if (parent) parent.hasChildren = true;
    stack.length = nesting;
    stack[nesting] = node;
    return node;
  };
  for (const event of events) {
    if (typeof event.file !== "string") continue;
    const file = rel(event.file);
    if (event.type === "start") open(event, file);
    else if (event.type === "pass" || event.type === "fail") {
      // Node reports each file's process as a test named after the file.
      if ((event.nesting ?? 0) === 0 && typeof event.name === "string" && resolve(root, event.name) === event.file) continue;
      let node = stack[event.nesting ?? 0];
      if (!node || node.name !== event.name) node = open(event, file);
      node.passed = event.type === "pass" && !event.skipped;
      done.push(node);
    }
  }
  const results = [];
  for (const node of done) {
    if (node.hasChildren) continue;
    const names = [];
    for (let n = node; n; n = n.parent) names.unshift(n.name);
    results.push({ id: [node.file, ...names].join(" > "), passed: node.passed });
  }
  return uniqueIds(results);
}

const [cmd, args] = command();
const env = { ...process.env, NO_COLOR: "1", CI: "true", PATH: bin + delimiter + (process.env.PATH ?? "") };
const run = spawnSync(cmd, args, {
  cwd: root,
  env,
  stdio: ["ignore", "inherit", "inherit"],
  timeout: config.timeout_ms,
  killSignal: "SIGKILL",
});

let results;
let error;
if (run.error) error = "the test runner could not run: " + run.error.message;
else if (config.grading === "exit-code") {
  results = run.status === 0 ? [...config.FAIL_TO_PASS, ...config.PASS_TO_PASS].map((id) => ({ id, passed: true })) : [];
} else {
  const text = existsSync(reportPath) ? readFileSync(reportPath, "utf8") : "";
  if (text.trim() === "") error = "the test runner wrote no report (exit code " + run.status + ")";
  else {
    try {
      results = config.framework === "node-test" ? nodeTestResults(text) : jestResults(text);
    } catch (e) {
      error = "the test report could not be read: " + e.message;
    }
  }
}
rmSync(scratch, { recursive: true, force: true });

// A test passes only when it was reported, and reported as passed, every time: missing means failed.
const outcomes = new Map();
for (const r of results ?? []) outcomes.set(r.id, (outcomes.get(r.id) ?? true) && r.passed);
const sort = (ids) => ({
  success: ids.filter((id) => outcomes.get(id) === true),
  failure: ids.filter((id) => outcomes.get(id) !== true),
});
const tests = { FAIL_TO_PASS: sort(config.FAIL_TO_PASS), PASS_TO_PASS: sort(config.PASS_TO_PASS) };
const resolved = error === undefined && tests.FAIL_TO_PASS.failure.length === 0 && tests.PASS_TO_PASS.failure.length === 0;
const reward = resolved ? 1 : 0;
writeFileSync(join(output, "reward.txt"), reward + "\n");
const report = { instance_id: config.instance_id, resolved, reward, grading: config.grading, tests_status: tests };
if (error !== undefined) report.error = error;
writeFileSync(join(output, "repogym-report.json"), JSON.stringify(report, null, 2) + "\n");
console.log("repogym: " + config.instance_id + " " + (resolved ? "resolved" : "not resolved") + ", reward " + reward +
  " (FAIL_TO_PASS " + tests.FAIL_TO_PASS.success.length + "/" + config.FAIL_TO_PASS.length +
  ", PASS_TO_PASS " + tests.PASS_TO_PASS.success.length + "/" + config.PASS_TO_PASS.length + ")" +
  (error === undefined ? "" : ": " + error));
process.exit(resolved ? 0 : 1);
`;
