import { describe, expect, it } from "vitest";
import { planInstall } from "../../runner/package-manager.js";
import { tempDir, writeTree } from "../helpers/fixture-repo.js";

describe("planInstall", () => {
  it.each([
    ["package-lock.json", undefined, "npm", "npm ci --no-audit --no-fund"],
    ["pnpm-lock.yaml", "pnpm@10.28.0+sha512.abc", "pnpm", "npx --yes pnpm@10.28.0 install --frozen-lockfile"],
    ["yarn.lock", undefined, "yarn", "npx --yes yarn@1 install --non-interactive --frozen-lockfile"],
    ["yarn.lock", "yarn@4.5.0", "yarn", "corepack yarn install --immutable"],
  ])("%s (packageManager %s) -> %s", async (lockfile, declared, manager, command) => {
    await using dir = await tempDir();
    await writeTree(dir.path, { [lockfile]: "" });
    const plan = planInstall(dir.path, declared ? { packageManager: declared } : {});
    expect(plan).toMatchObject({ packageManager: manager, lockfile, command });
  });

  it("installs without a lockfile when there is none", async () => {
    await using dir = await tempDir();
    expect(planInstall(dir.path, {})).toEqual({
      packageManager: "npm",
      command: "npm install --no-audit --no-fund",
    });
  });

  it("honours a configured package manager over the detected lockfile", async () => {
    await using dir = await tempDir();
    await writeTree(dir.path, { "package-lock.json": "", "pnpm-lock.yaml": "" });
    expect(planInstall(dir.path, {}).packageManager).toBe("pnpm");
    expect(planInstall(dir.path, {}, "npm")).toMatchObject({
      packageManager: "npm",
      lockfile: "package-lock.json",
    });
  });
});
