import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { git, gitEnv, runCommand } from "./measure.js";

/**
 * A small node:test project for the mining figures: `modules` source files each with a test
 * file of `testsPerFile` tests, real dependencies installed from local tarballs (packed with
 * `npm pack`, referenced as `file:` URLs in package.json and package-lock.json, so installs
 * copy real files and never need the network), a few unrelated commits, and `fixes` commits
 * that each fix a bug in one module and add the test that catches it: that test fails on
 * the parent and passes on the commit.
 */
export interface AppRepoOptions {
  /** Folder that receives the repository (`repo/`) and the dependency tarballs (`deps/`). */
  dir: string;
  modules: number;
  testsPerFile: number;
  fixes: number;
  /** Files in the largest dependency (installs copy them all). */
  dependencyFiles: number;
  /** Environment for npm (offline, private cache). */
  npmEnv: NodeJS.ProcessEnv;
}

export interface FixCommit {
  sha: string;
  parent: string;
  sourceFiles: string[];
  testFiles: string[];
}

export interface AppRepo {
  path: string;
  fixes: FixCommit[];
  testFiles: number;
  commits: number;
  /** Files an install puts into node_modules. */
  installedFiles: number;
}

interface DependencySpec {
  name: string;
  files: number;
}

async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    const full = join(root, path);
    await mkdir(join(full, ".."), { recursive: true });
    await writeFile(full, text);
  }
}

/** A dependency package whose index loads a slice of its many files, as real libraries do. */
async function packDependency(
  depsDir: string,
  spec: DependencySpec,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const src = join(depsDir, "src", spec.name);
  const files: Record<string, string> = {
    "package.json": `${JSON.stringify({ name: spec.name, version: "1.0.0", type: "module", main: "index.js" }, null, 2)}\n`,
    "README.md": `# ${spec.name}\n\nA local dependency for repogym's benchmark.\n`,
  };
  const loaded = Math.min(20, spec.files);
  const imports: string[] = [];
  for (let i = 0; i < spec.files; i++) {
    const body = Array.from(
      { length: 40 },
      (_, j) => `  if (x === ${i * 100 + j}) return ${j} + y; // branch ${j} of helper ${i}`,
    ).join("\n");
    files[`lib/helper-${i}.js`] = `export function helper${i}(x, y) {\n${body}\n  return x + y;\n}\n`;
    if (i < loaded) imports.push(`export { helper${i} } from "./lib/helper-${i}.js";`);
  }
  files["index.js"] =
    `${imports.join("\n")}\n` +
    "export function clamp(value, min, max) {\n  return Math.min(max, Math.max(min, value));\n}\n" +
    "export function pad(text, width) {\n  return text.padStart(width);\n}\n";
  await writeFiles(src, files);
  const packed = await runCommand("npm", ["pack", "--silent", "--pack-destination", depsDir], {
    cwd: src,
    env,
  });
  return join(depsDir, packed.stdout.trim().split("\n").pop()!);
}

const moduleName = (i: number) => `m${String(i).padStart(2, "0")}`;

function sourceFile(i: number, fixed: boolean): string {
  // `scale` is the bug a fix commit repairs: it forgot the offset.
  const scale = fixed ? "return value * factor + offset;" : "return value * factor;";
  return `import { clamp, helper0 } from "bench-dep-a";
import { pad } from "bench-dep-b";

export function area${i}(width, height) {
  return clamp(width, 0, 1000) * clamp(height, 0, 1000);
}

export function label${i}(value) {
  return pad(String(value), ${8 + (i % 4)});
}

export function mix${i}(a, b) {
  return helper0(a, b);
}

export function scale${i}(value, factor, offset = 0) {
  ${scale}
}
`;
}

function testFile(i: number, tests: number, withFixTest: boolean): string {
  const name = moduleName(i);
  const lines = [
    `import assert from "node:assert/strict";`,
    `import { describe, it } from "node:test";`,
    `import { area${i}, label${i}, mix${i}, scale${i} } from "../src/${name}.js";`,
    "",
    `describe("${name}", () => {`,
  ];
  for (let t = 0; t < tests; t++) {
    const w = (t * 7 + i) % 50;
    lines.push(
      `  it("area of ${w} x ${t + 1}", () => {`,
      `    assert.equal(area${i}(${w}, ${t + 1}), ${w * (t + 1)});`,
      "  });",
    );
  }
  lines.push(
    `  it("labels are padded", () => {`,
    `    assert.equal(label${i}(7).length, ${8 + (i % 4)});`,
    "  });",
    `  it("mixes", () => {`,
    `    assert.equal(mix${i}(1, 2), 3);`,
    "  });",
    `  it("scales", () => {`,
    `    assert.equal(scale${i}(3, 2), 6);`,
    "  });",
  );
  if (withFixTest) {
    lines.push(`  it("scales with an offset", () => {`, `    assert.equal(scale${i}(3, 2, 1), 7);`, "  });");
  }
  lines.push("});", "");
  return lines.join("\n");
}

export async function generateAppRepo(options: AppRepoOptions): Promise<AppRepo> {
  const depsDir = join(options.dir, "deps");
  const repo = join(options.dir, "repo");
  await mkdir(depsDir, { recursive: true });
  await mkdir(repo, { recursive: true });
  const specs: DependencySpec[] = [
    { name: "bench-dep-a", files: options.dependencyFiles },
    { name: "bench-dep-b", files: Math.ceil(options.dependencyFiles / 3) },
    { name: "bench-dep-c", files: Math.ceil(options.dependencyFiles / 6) },
  ];
  const dependencies: Record<string, string> = {};
  for (const spec of specs)
    dependencies[spec.name] = `file:${await packDependency(depsDir, spec, options.npmEnv)}`;
  const manifest = {
    name: "bench-app",
    version: "1.0.0",
    private: true,
    type: "module",
    scripts: { test: "node --test" },
    dependencies,
  };

  await git(repo, ["init", "-q", "-b", "main"]);
  let clock = Date.UTC(2024, 0, 1) / 1000;
  let commits = 0;
  const commit = async (message: string): Promise<string> => {
    clock += 3600;
    const date = `${clock} +0000`;
    await git(repo, ["add", "-A"]);
    await git(repo, ["commit", "-q", "-m", message], {
      env: gitEnv({ GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date }),
    });
    commits++;
    return (await git(repo, ["rev-parse", "HEAD"])).stdout.trim();
  };

  const initial: Record<string, string> = {
    "package.json": `${JSON.stringify(manifest, null, 2)}\n`,
    ".gitignore": "node_modules/\n",
    "README.md": "# bench-app\n\nA generated project for `npm run bench`.\n",
  };
  for (let i = 0; i < options.modules; i++) {
    initial[`src/${moduleName(i)}.js`] = sourceFile(i, false);
    initial[`test/${moduleName(i)}.test.js`] = testFile(i, options.testsPerFile, false);
  }
  // No lockfile: npm records `file:` tarballs relative to the project, which would point
  // nowhere from a clone or from repogym's install cache. Both sides run the same `npm install`.
  await writeFiles(repo, initial);
  await commit("Initial commit");

  const fixes: FixCommit[] = [];
  const step = Math.max(1, Math.floor(options.modules / options.fixes));
  for (let f = 0; f < options.fixes; f++) {
    const i = (f * step) % options.modules;
    const name = moduleName(i);
    // Unrelated work between fixes, as in a real history: docs, a refactor, a test-only change.
    await writeFiles(repo, { [`docs/${name}.md`]: `# ${name}\n\nNotes on ${name}, revision ${f}.\n` });
    await commit(`docs: describe ${name}`);
    const other = moduleName((i + 1) % options.modules);
    await writeFiles(repo, {
      [`src/${other}.js`]: `${sourceFile((i + 1) % options.modules, false)}// refactor ${f}\n`,
    });
    await commit(`refactor(${other}): tidy up`);

    await writeFiles(repo, {
      [`src/${name}.js`]: sourceFile(i, true),
      [`test/${name}.test.js`]: testFile(i, options.testsPerFile, true),
    });
    const sha = await commit(`fix(${name}): scale ignored its offset\n\nscale${i}(3, 2, 1) returned 6.`);
    const parent = (await git(repo, ["rev-parse", `${sha}^`])).stdout.trim();
    fixes.push({ sha, parent, sourceFiles: [`src/${name}.js`], testFiles: [`test/${name}.test.js`] });
  }

  const installedFiles = specs.reduce((n, s) => n + s.files + 3, 0);
  const testFiles = (await readdir(join(repo, "test"))).length;
  return { path: repo, fixes, testFiles, commits, installedFiles };
}
