import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { readJsonObject } from "../core/json.js";
import type { PackageManager } from "../core/scenario.js";
import { INSTALL_INPUTS, planInstall } from "./package-manager.js";
import { outsideProcessScope, runProcess } from "./process.js";

export type DependencyResult =
  | {
      ok: true;
      key: string;
      packageManager: PackageManager;
      command: string;
      installed: boolean;
      durationMs: number;
    }
  | { ok: false; key: string; reason: string; output: string };

export interface DependencyCacheOptions {
  /** Folder holding one installed node_modules per dependency key. */
  cacheDir: string;
  timeoutMs: number;
  /** Environment for installs (they need the registry, HOME and proxies). */
  env?: NodeJS.ProcessEnv;
}

export interface PrepareOptions {
  /** Replaces the detected install command. */
  installCommand?: string;
  /** Use this package manager (and its lockfile) instead of the detected one. */
  packageManager?: PackageManager;
}

const MARKER = ".repogym-installed";

/**
 * Installs dependencies once per distinct manifest + lockfile and links the result into each
 * state. The install happens in a cache folder, never in the state, so whatever the installer
 * rewrites (lockfiles, package.json formatting) cannot leak into a diff; root lifecycle
 * scripts are dropped from the copied manifest because the source they build is not there.
 */
export class DependencyCache {
  private readonly inflight = new Map<string, Promise<DependencyResult>>();
  constructor(private readonly options: DependencyCacheOptions) {}

  async prepare(stateDir: string, prepareOptions: PrepareOptions = {}): Promise<DependencyResult> {
    const manifest = await readJsonObject(join(stateDir, "package.json"));
    const plan = planInstall(stateDir, manifest, prepareOptions.packageManager);
    const command = prepareOptions.installCommand ?? plan.command;
    if (!manifest || !hasDependencies(manifest)) {
      return {
        ok: true,
        key: "none",
        packageManager: plan.packageManager,
        command,
        installed: false,
        durationMs: 0,
      };
    }
    const { scripts: _scripts, ...rest } = manifest;
    const inputs: Array<[string, string]> = [["package.json", `${JSON.stringify(rest, null, 2)}\n`]];
    for (const name of INSTALL_INPUTS) {
      const text = await readOptional(join(stateDir, name));
      if (text !== undefined) inputs.push([name, text]);
    }
    const hash = createHash("sha256").update(command);
    for (const [name, text] of inputs) hash.update(`\0${name}\0${text}`);
    const key = hash.digest("hex").slice(0, 16);

    const shared = this.inflight.get(key);
    const pending = shared ?? this.install(key, command, inputs, plan.packageManager);
    if (!shared) this.inflight.set(key, pending);
    // Only the first caller did the install; the others reused it.
    const result = shared ? { ...(await pending), installed: false } : await pending;
    if (result.ok) await linkNodeModules(stateDir, join(this.options.cacheDir, key, "node_modules"));
    return result;
  }

  private async install(
    key: string,
    command: string,
    inputs: Array<[string, string]>,
    packageManager: PackageManager,
  ): Promise<DependencyResult> {
    const target = join(this.options.cacheDir, key);
    if (existsSync(join(target, MARKER))) {
      return { ok: true, key, packageManager, command, installed: false, durationMs: 0 };
    }
    const staging = `${target}.tmp-${randomBytes(4).toString("hex")}`;
    await mkdir(staging, { recursive: true });
    try {
      for (const [name, text] of inputs) await writeFile(join(staging, name), text);
      // Every rollout that needs this key waits on this one install: cutting the rollout that
      // happened to start it (a reward-service deadline) must not fail the others.
      const result = await outsideProcessScope(() =>
        runProcess("/bin/sh", ["-c", command], {
          cwd: staging,
          env: { ...(this.options.env ?? process.env), COREPACK_ENABLE_DOWNLOAD_PROMPT: "0", CI: "true" },
          timeoutMs: this.options.timeoutMs,
          maxOutputBytes: 256 * 1024,
        }),
      );
      if (result.timedOut || result.exitCode !== 0) {
        const why = result.timedOut
          ? `timed out after ${this.options.timeoutMs} ms`
          : `exited with code ${result.exitCode}`;
        return { ok: false, key, reason: `\`${command}\` ${why}`, output: result.output };
      }
      await mkdir(join(staging, "node_modules"), { recursive: true });
      await writeFile(join(staging, MARKER), new Date().toISOString());
      try {
        await rename(staging, target);
      } catch {
        // Another process finished the same install first; theirs is as good as ours.
        if (!existsSync(join(target, MARKER))) throw new Error(`cannot move the install into ${target}`);
      }
      return { ok: true, key, packageManager, command, installed: true, durationMs: result.durationMs };
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
}

async function linkNodeModules(stateDir: string, nodeModules: string): Promise<void> {
  const link = join(stateDir, "node_modules");
  if (existsSync(link)) return;
  await symlink(nodeModules, link, "dir");
}

function hasDependencies(manifest: Record<string, unknown>): boolean {
  return ["dependencies", "devDependencies", "optionalDependencies"].some((field) => {
    const deps = manifest[field];
    return typeof deps === "object" && deps !== null && Object.keys(deps).length > 0;
  });
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}
