import { existsSync } from "node:fs";
import { join } from "node:path";
import type { PackageManager } from "../core/scenario.js";

/**
 * Files besides package.json that decide what an install produces: lockfiles and package
 * manager settings. The dependency cache hashes them; a commit that changes one needs a
 * different install for each of its states.
 */
export const INSTALL_INPUTS: readonly string[] = [
  "package-lock.json",
  "npm-shrinkwrap.json",
  "pnpm-lock.yaml",
  "pnpm-workspace.yaml",
  "yarn.lock",
  ".npmrc",
  ".yarnrc",
  ".yarnrc.yml",
];

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
export function planInstall(
  root: string,
  packageJson: Record<string, unknown> | undefined,
  override?: PackageManager,
): InstallPlan {
  const declared = typeof packageJson?.packageManager === "string" ? packageJson.packageManager : "";
  for (const [lockfile, manager] of LOCKFILES) {
    if (override && manager !== override) continue;
    if (existsSync(join(root, lockfile)))
      return { packageManager: manager, lockfile, command: installCommand(manager, true, declared) };
  }
  if (override) return { packageManager: override, command: installCommand(override, false, declared) };
  const manager: PackageManager = declared.startsWith("pnpm")
    ? "pnpm"
    : declared.startsWith("yarn")
      ? "yarn"
      : "npm";
  return { packageManager: manager, command: installCommand(manager, false, declared) };
}

function installCommand(manager: PackageManager, locked: boolean, declared: string): string {
  const common = "--no-audit --no-fund";
  // The version the project pins (`packageManager: "pnpm@10.28.0+sha..."`), without the hash.
  const pinned = declared.startsWith(`${manager}@`)
    ? declared.slice(manager.length + 1).split("+")[0]
    : undefined;
  switch (manager) {
    case "pnpm":
      // npx fetches pnpm from the npm registry with npm's integrity checks; the corepack that
      // ships with Node 20 rejects current pnpm releases over outdated signing keys.
      return `npx --yes pnpm@${pinned ?? "9"} install ${locked ? "--frozen-lockfile" : ""}`.trim();
    case "yarn":
      // Yarn 2+ ("berry") is only distributed through corepack and spells frozen installs differently.
      if (pinned && !pinned.startsWith("1."))
        return `corepack yarn install ${locked ? "--immutable" : ""}`.trim();
      return `npx --yes yarn@${pinned ?? "1"} install --non-interactive ${locked ? "--frozen-lockfile" : ""}`.trim();
    default:
      return locked ? `npm ci ${common}` : `npm install ${common}`;
  }
}
