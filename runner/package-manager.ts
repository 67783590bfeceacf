import { existsSync } from "node:fs";
import { join } from "node:path";
import type { PackageManager } from "../core/scenario.js";

export interface InstallPlan {
  packageManager: PackageManager;
  /** The lockfile the install is pinned to, if any. */
  lockfile?: string;
  /** Shell command run in the dependency cache folder. */
  command: string;
}

const LOCKFILES: Array<[string, PackageManager]> = [
  ["pnpm-lock.yaml", "pnpm"],
  ["yarn.lock", "yarn"],
  ["package-lock.json", "npm"],
  ["npm-shrinkwrap.json", "npm"],
];

/** Picks the package manager from the lockfile (or `packageManager` field) and its install command. */
export function planInstall(root: string, packageJson: Record<string, unknown> | undefined): InstallPlan {
  const declared = typeof packageJson?.packageManager === "string" ? packageJson.packageManager : "";
  for (const [lockfile, manager] of LOCKFILES) {
    if (existsSync(join(root, lockfile)))
      return { packageManager: manager, lockfile, command: installCommand(manager, true, declared) };
  }
  const manager: PackageManager = declared.startsWith("pnpm")
    ? "pnpm"
    : declared.startsWith("yarn")
      ? "yarn"
      : "npm";
  return { packageManager: manager, command: installCommand(manager, false, declared) };
}

function installCommand(manager: PackageManager, locked: boolean, declared: string): string {
  const common = "--no-audit --no-fund";
  switch (manager) {
    case "pnpm":
      return `corepack pnpm install ${locked ? "--frozen-lockfile" : ""}`.trim();
    case "yarn":
      // Yarn 2+ ("berry") spells the frozen install differently from yarn 1.
      if (/^yarn@[2-9]/.test(declared)) return `corepack yarn install ${locked ? "--immutable" : ""}`.trim();
      return `corepack yarn install ${locked ? "--frozen-lockfile" : ""} --non-interactive`.replace(
        "  ",
        " ",
      );
    default:
      return locked ? `npm ci ${common}` : `npm install ${common}`;
  }
}
