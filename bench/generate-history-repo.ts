import { spawn } from "node:child_process";
import { gitEnv, runCommand } from "./measure.js";
import { Random } from "./random.js";

/**
 * A long, realistic-looking history for the scan and materialization figures: a JS library
 * (src/, test/, test/fixtures/, docs/, examples/, benchmark/, CI config) whose commits mix
 * source-only, test-only, source+test, docs and chore changes, plus merged pull requests.
 * It is written in one `git fast-import` stream, so 2,500 commits take seconds, not minutes.
 * The code is never run; only its shape (paths, sizes, hunks) matters.
 */
export interface HistoryRepoOptions {
  dir: string;
  /** Commits in total, side-branch commits of merged pull requests included. */
  commits: number;
  seed?: number;
}

export type HistoryCommitKind = "source" | "test" | "source+test" | "docs" | "chore" | "merge" | "branch";

export interface HistoryRepo {
  path: string;
  commits: number;
  /** Commits on the first-parent walk of HEAD (what `repogym mine` scans). */
  firstParentCommits: number;
  kinds: Record<HistoryCommitKind, number>;
  /** Files in the HEAD tree. */
  files: number;
  /** A commit about a third of the way down the history, for materializing an older state. */
  olderCommit: string;
}

const WORDS = [
  "parse",
  "format",
  "merge",
  "clone",
  "debounce",
  "throttle",
  "chunk",
  "flatten",
  "pick",
  "omit",
  "escape",
  "template",
  "range",
  "sort",
  "group",
  "zip",
  "diff",
  "match",
  "tokenize",
  "serialize",
  "validate",
  "resolve",
  "compose",
  "memoize",
  "retry",
  "queue",
  "stream",
  "encode",
  "decode",
  "walk",
];
const DIRS = ["", "", "utils/", "core/", "internal/"];
const IDENTS = [
  "value",
  "options",
  "input",
  "result",
  "key",
  "index",
  "node",
  "list",
  "cache",
  "state",
  "token",
  "depth",
  "limit",
  "source",
  "target",
  "buffer",
  "entry",
  "items",
  "path",
  "config",
];
const PROSE = [
  "the",
  "value",
  "returns",
  "when",
  "empty",
  "input",
  "handles",
  "nested",
  "objects",
  "edge",
  "case",
  "with",
  "unicode",
  "keys",
  "arrays",
  "default",
  "options",
  "faster",
  "path",
  "for",
  "large",
  "strings",
  "null",
  "and",
  "undefined",
];

type FileKind = "source" | "test" | "docs" | "other";

class LibraryModel {
  readonly files = new Map<string, string[]>();
  readonly modules: Array<{ source: string; test?: string; fixture?: string }> = [];
  private version = 0;

  constructor(private readonly rng: Random) {}

  seed(): void {
    let n = 0;
    for (const word of WORDS) {
      for (const suffix of ["", "By", "Deep"]) {
        if (n >= 60) break;
        const name = `${word}${suffix}`;
        const dir = DIRS[n % DIRS.length]!;
        const module: { source: string; test?: string; fixture?: string } = {
          source: `src/${dir}${name}.js`,
        };
        this.files.set(module.source, this.lines("source", this.rng.int(80, 260)));
        if (n % 3 !== 2) {
          module.test = `test/${dir}${name}.test.js`;
          this.files.set(module.test, this.lines("test", this.rng.int(40, 160)));
        }
        if (n % 3 === 0) {
          module.fixture = `test/fixtures/${name}.json`;
          this.files.set(module.fixture, this.lines("other", this.rng.int(10, 60)));
        }
        this.modules.push(module);
        n++;
      }
    }
    for (const word of WORDS) this.files.set(`docs/${word}.md`, this.lines("docs", this.rng.int(20, 120)));
    for (let i = 0; i < 15; i++) this.files.set(`examples/example-${i}.js`, this.lines("source", 30));
    for (let i = 0; i < 6; i++) this.files.set(`benchmark/${WORDS[i]}.bench.js`, this.lines("source", 40));
    this.files.set("src/index.js", this.lines("source", 70));
    this.files.set("types/index.d.ts", this.lines("source", 200));
    this.files.set("test/helpers/setup.js", this.lines("test", 30));
    this.files.set("README.md", this.lines("docs", 200));
    this.files.set("CHANGELOG.md", this.lines("docs", 40));
    this.files.set("LICENSE", this.lines("docs", 21));
    this.files.set(".github/workflows/ci.yml", this.lines("other", 40));
    this.files.set(".gitignore", ["node_modules/", "coverage/", "dist/"]);
    this.files.set("package.json", this.packageJson());
  }

  packageJson(): string[] {
    this.version++;
    return JSON.stringify(
      {
        name: "bench-lib",
        version: `1.${this.version}.0`,
        type: "module",
        main: "src/index.js",
        scripts: { test: "node --test" },
      },
      null,
      2,
    ).split("\n");
  }

  line(kind: FileKind): string {
    const r = this.rng;
    const a = r.pick(IDENTS);
    const b = r.pick(IDENTS);
    const words = Array.from({ length: r.int(3, 10) }, () => r.pick(PROSE)).join(" ");
    switch (kind) {
      case "source":
        return r.pick([
          `  const ${a} = ${b}.${r.pick(WORDS)}(${r.pick(IDENTS)}, ${r.int(0, 99)});`,
          `  if (${a} === undefined) return ${b};`,
          `  for (const ${a} of ${b}) ${r.pick(IDENTS)}.push(${a});`,
          `  // ${words}`,
          `  ${a} = ${a} + ${r.int(1, 9)};`,
          `  return ${a}.${b} ?? ${r.int(0, 9)};`,
          `export function ${r.pick(WORDS)}${r.int(0, 999)}(${a}, ${b}) {`,
          "}",
        ]);
      case "test":
        return r.pick([
          `  assert.equal(${r.pick(WORDS)}(${r.int(0, 99)}), ${r.int(0, 99)});`,
          `  assert.deepEqual(${r.pick(WORDS)}([${a}]), { ${b}: ${r.int(0, 9)} });`,
          `test("${words}", () => {`,
          "});",
          `  const ${a} = fixture("${b}");`,
        ]);
      case "docs":
        return r.next() < 0.1 ? `## ${words}` : `${words[0]!.toUpperCase()}${words.slice(1)}.`;
      default:
        return `  "${a}${r.int(0, 99)}": ${r.int(0, 9999)},`;
    }
  }

  lines(kind: FileKind, count: number): string[] {
    return Array.from({ length: count }, () => this.line(kind));
  }

  /** Replaces and inserts a few lines in one to three places (a typical small diff). */
  edit(path: string, kind: FileKind): string[] {
    const r = this.rng;
    const lines = [...(this.files.get(path) ?? [])];
    const hunks = r.int(1, 3);
    for (let h = 0; h < hunks; h++) {
      const at = r.int(0, lines.length);
      const removed = Math.min(r.int(0, 3), lines.length - at);
      lines.splice(at, removed, ...this.lines(kind, r.int(removed === 0 ? 1 : 0, 6)));
    }
    if (lines.length > 400) lines.splice(r.int(0, 300), r.int(20, 60));
    return lines;
  }

  kindOf(path: string): FileKind {
    if (path.startsWith("src/")) return "source";
    if (path.startsWith("test/") && path.endsWith(".js")) return "test";
    if (path.endsWith(".md")) return "docs";
    return "other";
  }

  message(kind: HistoryCommitKind, module: { source: string }): string {
    const r = this.rng;
    const name = module.source.replace(/^.*\//, "").replace(/\.js$/, "");
    const words = Array.from({ length: r.int(3, 7) }, () => r.pick(PROSE)).join(" ");
    const subject = {
      source: `${r.pick(["fix", "refactor", "perf", "feat"])}(${name}): ${words}`,
      test: `test(${name}): cover ${words}`,
      "source+test": `${r.pick(["fix", "feat"])}(${name}): ${words}`,
      docs: `docs: ${words}`,
      chore: r.pick([`chore(release): v1.${this.version}.0`, "ci: update node matrix", `build: ${words}`]),
      merge: "",
      branch: `${r.pick(["fix", "feat"])}(${name}): ${words}`,
    }[kind];
    if (r.next() < 0.4) {
      const body = Array.from({ length: r.int(1, 4) }, () => this.line("docs")).join("\n");
      return `${subject}\n\n${body}`;
    }
    return subject;
  }
}

/** Writes a fast-import stream to git, waiting for the pipe to drain instead of buffering it all. */
class ImportStream {
  private readonly child;
  private readonly done: Promise<void>;

  constructor(cwd: string) {
    this.child = spawn("git", ["fast-import", "--quiet", "--done"], {
      cwd,
      env: gitEnv(),
      stdio: ["pipe", "ignore", "pipe"],
    });
    let stderr = "";
    this.child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    this.done = new Promise((resolve, reject) => {
      this.child.on("error", reject);
      this.child.on("close", (code) =>
        code === 0 ? resolve() : reject(new Error(`git fast-import exited with ${code}: ${stderr.trim()}`)),
      );
    });
  }

  async write(text: string): Promise<void> {
    if (!this.child.stdin.write(text)) {
      await new Promise<void>((resolve) => this.child.stdin.once("drain", resolve));
    }
  }

  data(text: string): string {
    return `data ${Buffer.byteLength(text)}\n${text}\n`;
  }

  async finish(): Promise<void> {
    this.child.stdin.end("done\n");
    await this.done;
  }
}

export async function generateHistoryRepo(options: HistoryRepoOptions): Promise<HistoryRepo> {
  const rng = new Random(options.seed ?? 2500);
  const model = new LibraryModel(rng);
  await runCommand("git", ["init", "-q", "-b", "main", options.dir], { cwd: "/", env: gitEnv() });
  const stream = new ImportStream(options.dir);
  const kinds: Record<HistoryCommitKind, number> = {
    source: 0,
    test: 0,
    "source+test": 0,
    docs: 0,
    chore: 0,
    merge: 0,
    branch: 0,
  };
  let clock = Date.UTC(2019, 0, 1) / 1000;
  let mark = 0;
  let mainTip = 0;
  let pullNumber = 1;

  const commit = async (
    ref: string,
    message: string,
    changes: Map<string, string[] | null>,
    parents: { from?: number; merge?: number },
  ): Promise<number> => {
    clock += rng.int(600, 72_000);
    mark++;
    let text = `commit ${ref}\nmark :${mark}\n`;
    text += `author Bench Author <bench@example.com> ${clock} +0000\n`;
    text += `committer Bench Author <bench@example.com> ${clock} +0000\n`;
    text += stream.data(message);
    if (parents.from) text += `from :${parents.from}\n`;
    if (parents.merge) text += `merge :${parents.merge}\n`;
    for (const [path, lines] of changes) {
      text +=
        lines === null ? `D ${path}\n` : `M 100644 inline ${path}\n${stream.data(`${lines.join("\n")}\n`)}`;
    }
    await stream.write(text);
    return mark;
  };
  const apply = (changes: Map<string, string[] | null>) => {
    for (const [path, lines] of changes) {
      if (lines === null) model.files.delete(path);
      else model.files.set(path, lines);
    }
  };
  const tested = () => rng.pick(model.modules.filter((m) => m.test !== undefined));

  model.seed();
  mainTip = await commit("refs/heads/main", "Initial commit", new Map(model.files), {});
  let made = 1;
  while (made < options.commits) {
    if (made % 60 === 30 && options.commits - made > 4) {
      // A merged pull request: one to three commits on a topic branch, a commit on main in
      // between, then a merge commit whose first-parent diff is the whole pull request.
      const topic = `refs/heads/topic-${pullNumber}`;
      const module = tested();
      const side = new Map<string, string[]>();
      let sideTip = mainTip;
      const sideCommits = rng.int(1, 3);
      for (let i = 0; i < sideCommits; i++) {
        const changes = new Map<string, string[] | null>();
        changes.set(module.source, model.edit(module.source, "source"));
        if (i === sideCommits - 1) changes.set(module.test!, model.edit(module.test!, "test"));
        for (const [path, lines] of changes) if (lines) side.set(path, lines);
        sideTip = await commit(topic, model.message("branch", module), changes, { from: sideTip });
        for (const [path, lines] of changes) if (lines) model.files.set(path, lines);
        kinds.branch++;
        made++;
      }
      const docs = `docs/${rng.pick(WORDS)}.md`;
      const between = new Map<string, string[] | null>([[docs, model.edit(docs, "docs")]]);
      apply(between);
      mainTip = await commit("refs/heads/main", model.message("docs", module), between, { from: mainTip });
      kinds.docs++;
      made++;
      const title = model.message("branch", module).split("\n")[0]!;
      mainTip = await commit(
        "refs/heads/main",
        `Merge pull request #${pullNumber} from contributor/topic-${pullNumber}\n\n${title}`,
        side,
        { from: mainTip, merge: sideTip },
      );
      kinds.merge++;
      made++;
      pullNumber++;
      continue;
    }
    const kind = rng.weighted({ source: 30, test: 12, "source+test": 28, docs: 18, chore: 12 });
    const changes = new Map<string, string[] | null>();
    const module = kind === "source" ? rng.pick(model.modules) : tested();
    if (kind === "source" || kind === "source+test") {
      changes.set(module.source, model.edit(module.source, "source"));
      if (rng.next() < 0.25) {
        const other = rng.pick(model.modules).source;
        changes.set(other, model.edit(other, "source"));
      }
      if (rng.next() < 0.1) changes.set("src/index.js", model.edit("src/index.js", "source"));
    }
    if (kind === "test" || kind === "source+test") {
      changes.set(module.test!, model.edit(module.test!, "test"));
      if (module.fixture && rng.next() < 0.3)
        changes.set(module.fixture, model.edit(module.fixture, "other"));
    }
    if (kind === "source+test" && rng.next() < 0.05) {
      // A new module with its test.
      const name = `${rng.pick(WORDS)}${made}`;
      const added = { source: `src/${name}.js`, test: `test/${name}.test.js` };
      changes.set(added.source, model.lines("source", rng.int(30, 120)));
      changes.set(added.test, model.lines("test", rng.int(20, 60)));
      model.modules.push(added);
    }
    if (kind === "docs") {
      for (let i = rng.int(1, 3); i > 0; i--) {
        const path = rng.next() < 0.2 ? "README.md" : `docs/${rng.pick(WORDS)}.md`;
        changes.set(path, model.edit(path, "docs"));
      }
    }
    if (kind === "chore") {
      changes.set("package.json", model.packageJson());
      changes.set("CHANGELOG.md", [...model.lines("docs", 6), ...(model.files.get("CHANGELOG.md") ?? [])]);
      if (rng.next() < 0.3)
        changes.set(".github/workflows/ci.yml", model.edit(".github/workflows/ci.yml", "other"));
    }
    apply(changes);
    mainTip = await commit("refs/heads/main", model.message(kind, module), changes, { from: mainTip });
    kinds[kind]++;
    made++;
  }
  await stream.finish();

  // Merged topic branches are deleted, as on a hosted repository.
  const topics = await runCommand(
    "git",
    ["for-each-ref", "--format=delete %(refname)", "refs/heads/topic-*"],
    {
      cwd: options.dir,
      env: gitEnv(),
    },
  );
  await runCommand("git", ["update-ref", "--stdin"], {
    cwd: options.dir,
    env: gitEnv(),
    input: topics.stdout,
  });
  // fast-import's pack deltifies each blob against its previous version; a clone from a host
  // gets a properly repacked history, so repack as `git gc` would (the scan reads blobs).
  await runCommand("git", ["repack", "-a", "-d", "-f", "-q"], { cwd: options.dir, env: gitEnv() });
  const head = async (args: string[]) =>
    (await runCommand("git", args, { cwd: options.dir, env: gitEnv() })).stdout.trim();
  const firstParent = Number(await head(["rev-list", "--count", "--first-parent", "HEAD"]));
  const files = (await head(["ls-tree", "-r", "--name-only", "HEAD"])).split("\n").length;
  const olderCommit = await head(["rev-parse", `HEAD~${Math.floor(firstParent / 3)}`]);
  return { path: options.dir, commits: made, firstParentCommits: firstParent, kinds, files, olderCommit };
}
