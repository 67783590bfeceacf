/**
 * Fixture projects that run a chosen node-tap. repogym installs two: tap 21 as `tap` and tap 16
 * under the alias `tap16`, and npm may link either one to `node_modules/.bin/tap`, so fixtures
 * never use repogym's own node_modules: each gets a real `node_modules` folder with `tap`
 * linking to the wanted package and `.bin/tap` to its bin script, and runs are given that
 * `.bin` explicitly. Node resolves the package's own dependencies from its real path, inside
 * repogym's node_modules.
 */
import { mkdir, readFile, symlink } from "node:fs/promises";
import { join } from "node:path";
import { type RunTestsResult, runTests } from "../../../runner/run-tests.js";
import { tapAdapter } from "../../../runner/test-adapters/tap.js";
import { type FileTree, PROJECT_ROOT, tempDir, writeTree } from "../../helpers/fixture-repo.js";

/** The node-tap majors repogym has installed, and the package folder of each. */
export const TAP_PACKAGES = { 21: "tap", 16: "tap16" } as const;
export type TapMajor = keyof typeof TAP_PACKAGES;
export const TAP_MAJORS = Object.keys(TAP_PACKAGES).map(Number) as TapMajor[];

export interface TapProject extends AsyncDisposable {
  path: string;
  /** The project's `node_modules/.bin`, holding only `tap`. */
  binDir: string;
  /** Runs the files with the tap adapter and this project's tap. */
  run(files: string[], options?: { timeoutMs?: number }): Promise<RunTestsResult>;
}

/** A temporary project with `files` whose `tap` is the installed tap `major`. */
export async function tapProject(major: TapMajor, files: FileTree): Promise<TapProject> {
  const dir = await tempDir("repogym-tap-");
  await writeTree(dir.path, files);
  const packageDir = join(PROJECT_ROOT, "node_modules", TAP_PACKAGES[major]);
  const binDir = join(dir.path, "node_modules", ".bin");
  await mkdir(binDir, { recursive: true });
  await symlink(packageDir, join(dir.path, "node_modules", "tap"), "dir");
  await symlink(join("..", "tap", await binScript(packageDir)), join(binDir, "tap"));
  return {
    path: dir.path,
    binDir,
    run: (runFiles, options = {}) =>
      runTests({ adapter: tapAdapter, root: dir.path, files: runFiles, binDir, ...options }),
    [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose](),
  };
}

/** The `tap` bin script of the package in `packageDir`, relative to it. */
async function binScript(packageDir: string): Promise<string> {
  const pkg = JSON.parse(await readFile(join(packageDir, "package.json"), "utf8")) as {
    bin?: string | Record<string, string>;
  };
  const bin = typeof pkg.bin === "string" ? pkg.bin : pkg.bin?.tap;
  if (!bin) throw new Error(`${packageDir} has no tap bin`);
  return bin;
}
