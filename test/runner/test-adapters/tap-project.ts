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
import { tapAdapter } from "../../../runner/test-adapters/tap.js";
import { PROJECT_ROOT } from "../../helpers/fixture-repo.js";
import { type Framework, framework } from "./harness.js";

/** The node-tap majors repogym has installed, and the package folder of each. */
export const TAP_PACKAGES = { 21: "tap", 16: "tap16" } as const;
export type TapMajor = keyof typeof TAP_PACKAGES;
export const TAP_MAJORS = Object.keys(TAP_PACKAGES).map(Number) as TapMajor[];

/** Projects with `packageJson` whose `tap` is the installed tap `major`. */
export function tapFramework(major: TapMajor, packageJson: Record<string, unknown>): Framework {
  return framework(tapAdapter, { packageJson, install: (root) => installTap(root, major) });
}

/** Links tap `major` into the project at `root`; returns its `node_modules/.bin`, holding only `tap`. */
async function installTap(root: string, major: TapMajor): Promise<string> {
  const packageDir = join(PROJECT_ROOT, "node_modules", TAP_PACKAGES[major]);
  const binDir = join(root, "node_modules", ".bin");
  await mkdir(binDir, { recursive: true });
  await symlink(packageDir, join(root, "node_modules", "tap"), "dir");
  await symlink(join("..", "tap", await binScript(packageDir)), join(binDir, "tap"));
  return binDir;
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
