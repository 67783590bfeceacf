import { existsSync, lstatSync, readlinkSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { ConfigError } from "../core/errors.js";
import { runProcess } from "./process.js";

/**
 * How an agent process is isolated from the host (README "Sandbox"):
 * - `bwrap`: bubblewrap; own mount, PID, IPC, UTS and cgroup namespaces, network off unless
 *   asked for. The process sees the toolchain read-only, the workspace and its output folder
 *   read-write, the problem file and the dependencies read-only, and nothing else.
 * - `docker`: the same folders mounted into a `node:<major>` container.
 * - `none`: no isolation at all, for trusted local use.
 */
export type SandboxLevel = "bwrap" | "docker" | "none";
export const SANDBOX_LEVELS: readonly SandboxLevel[] = ["bwrap", "docker", "none"];

export function isSandboxLevel(value: string): value is SandboxLevel {
  return (SANDBOX_LEVELS as readonly string[]).includes(value);
}

export interface WrapOptions {
  level: SandboxLevel;
  command: string;
  args: readonly string[];
  /** Read-write, and the working directory. */
  workspace: string;
  /** Read-write (trajectory, usage, the agent's HOME). */
  outputDir: string;
  /** Read-only. */
  problemFile?: string;
  /** More read-only paths, e.g. the dependency install the workspace's node_modules links to. */
  readOnly?: readonly string[];
  /** More read-write paths, e.g. a test runner's report folder. */
  writable?: readonly string[];
  network: boolean;
  /** The complete environment of the wrapped process. */
  env: NodeJS.ProcessEnv;
}

export interface WrappedCommand {
  command: string;
  args: string[];
  /**
   * The environment to spawn `command` with. bwrap and docker hand it on to the sandboxed
   * process (bwrap keeps its own environment; docker gets `-e NAME` without values), so API
   * keys never appear on a command line, where any host user could read them in `ps`.
   */
  env: NodeJS.ProcessEnv;
}

/** Host paths the toolchain needs, bound read-only (or re-created as the same symlink). */
const TOOLCHAIN = [
  "/usr",
  "/bin",
  "/sbin",
  "/lib",
  "/lib32",
  "/lib64",
  "/libx32",
  // Debian's /usr/bin/* alternatives point here.
  "/etc/alternatives",
  "/etc/ssl/certs",
  "/etc/ssl/openssl.cnf",
  "/etc/ca-certificates",
  "/etc/resolv.conf",
  "/etc/hosts",
  "/etc/nsswitch.conf",
  "/etc/passwd",
  "/etc/group",
  "/etc/localtime",
  "/etc/ld.so.cache",
  "/etc/ld.so.conf",
  "/etc/ld.so.conf.d",
];

function inside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** The install prefix of the running node (e.g. `~/.nvm/versions/node/v20.1.0`), when outside /usr. */
export function nodePrefix(execPath: string = process.execPath): string | undefined {
  let real: string;
  try {
    real = realpathSync(execPath);
  } catch {
    return undefined;
  }
  const prefix = dirname(dirname(real));
  return inside("/usr", prefix) || prefix === "/" ? undefined : prefix;
}

/**
 * What the sandbox must show read-only besides the workspace: the real folder the workspace's
 * `node_modules` links to (the shared dependency cache), and node's install prefix when it is
 * outside /usr. Only that folder of the cache is exposed, not the cache's other installs.
 */
export function sandboxReadOnlyPaths(workspace: string): string[] {
  const paths: string[] = [];
  const link = join(workspace, "node_modules");
  try {
    if (lstatSync(link).isSymbolicLink()) {
      const target = realpathSync(link);
      if (!inside(resolve(workspace), target)) paths.push(target);
    }
  } catch {
    // No node_modules, or a dangling link: nothing to expose.
  }
  const prefix = nodePrefix();
  if (prefix) paths.push(prefix);
  return paths;
}

function bwrapArgs(options: WrapOptions): string[] {
  const args = ["--unshare-all"];
  if (options.network) args.push("--share-net");
  args.push("--die-with-parent", "--new-session", "--proc", "/proc", "--dev", "/dev");
  for (const path of TOOLCHAIN) {
    let stat: ReturnType<typeof lstatSync>;
    try {
      stat = lstatSync(path);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) args.push("--symlink", readlinkSync(path), path);
    else args.push("--ro-bind", path, path);
  }
  const prefix = nodePrefix();
  // /tmp is empty and private: other workspaces, the suite's scratch files are not there.
  args.push("--tmpfs", "/tmp");
  const readOnly = [...(prefix ? [prefix] : []), ...(options.readOnly ?? [])];
  if (options.problemFile) readOnly.push(options.problemFile);
  const writable = [options.workspace, options.outputDir, ...(options.writable ?? [])];
  for (const path of writable) args.push("--bind", path, path);
  // After the writable binds, so a read-only path inside one of them stays read-only.
  for (const path of new Set(readOnly)) {
    if (existsSync(path)) args.push("--ro-bind", path, path);
  }
  args.push("--chdir", options.workspace, "--", options.command, ...options.args);
  return args;
}

/** `node:20` for node 20.x: the image the docker sandbox runs in. */
export function dockerImage(version: string = process.versions.node): string {
  return `node:${version.split(".")[0]}`;
}

function dockerArgs(options: WrapOptions): string[] {
  const args = ["run", "--rm", "--network", options.network ? "bridge" : "none"];
  args.push("--cap-drop", "ALL", "--security-opt", "no-new-privileges");
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  if (uid !== undefined && gid !== undefined) args.push("--user", `${uid}:${gid}`);
  for (const path of [options.workspace, options.outputDir, ...(options.writable ?? [])]) {
    args.push("-v", `${path}:${path}`);
  }
  const readOnly = [...(options.readOnly ?? [])];
  if (options.problemFile) readOnly.push(options.problemFile);
  for (const path of new Set(readOnly)) args.push("-v", `${path}:${path}:ro`);
  for (const [name, value] of Object.entries(options.env)) {
    if (value !== undefined) args.push("-e", name);
  }
  args.push("-w", options.workspace, dockerImage(), options.command, ...options.args);
  return args;
}

/** The command line that runs `command args` inside the sandbox `level` (unchanged for `none`). */
export function wrapCommand(options: WrapOptions): WrappedCommand {
  switch (options.level) {
    case "none":
      return { command: options.command, args: [...options.args], env: options.env };
    case "bwrap":
      return { command: "bwrap", args: bwrapArgs(options), env: options.env };
    case "docker":
      return { command: "docker", args: dockerArgs(options), env: options.env };
  }
}

/** The plain statement of what a level protects and what it does not. */
export function describeSandbox(level: SandboxLevel, network?: boolean): string {
  const net =
    network === undefined
      ? ""
      : network
        ? "; network on: the agent can reach the internet, including the package registry"
        : "; network off";
  switch (level) {
    case "bwrap":
      return `sandbox bwrap: the agent sees the toolchain and its dependencies read-only, the workspace and its output folder read-write, and nothing else of the host (not the suite, not this checkout, not other workspaces, not your home directory); its processes cannot see or signal yours${net}`;
    case "docker":
      return `sandbox docker: the agent runs in a ${dockerImage()} container that mounts only the workspace, its output folder, the problem file and its dependencies; the agent's CLI must exist in that image${net}`;
    case "none":
      return "sandbox none: no isolation; the agent can read and write anything your user can: the suite's gold patches and hidden tests, your home directory, other workspaces. Use it only with agents you trust";
  }
}

async function succeeds(command: string, args: string[]): Promise<boolean> {
  try {
    const result = await runProcess(command, args, {
      cwd: "/",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      timeoutMs: 15_000,
      maxOutputBytes: 16 * 1024,
    });
    return result.exitCode === 0;
  } catch {
    return false;
  }
}

let bwrapProbe: Promise<boolean> | undefined;

/** Whether bubblewrap is installed and may create namespaces here (tried once per process). */
export function bwrapAvailable(): Promise<boolean> {
  bwrapProbe ??= succeeds("bwrap", [
    "--unshare-all",
    "--die-with-parent",
    "--ro-bind",
    "/",
    "/",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--",
    "/bin/sh",
    "-c",
    "true",
  ]);
  return bwrapProbe;
}

/** Whether a Docker engine answers (`docker info`). */
export function dockerAvailable(): Promise<boolean> {
  return succeeds("docker", ["info", "--format", "{{.ServerVersion}}"]);
}

/** bwrap when it works here, else none. */
export async function detectSandbox(): Promise<SandboxLevel> {
  return (await bwrapAvailable()) ? "bwrap" : "none";
}

/** Throws one clear ConfigError when the level cannot run on this machine. */
export async function ensureSandbox(level: SandboxLevel): Promise<void> {
  if (level === "bwrap" && !(await bwrapAvailable())) {
    throw new ConfigError(
      "the bwrap sandbox needs bubblewrap (Debian/Ubuntu: apt-get install bubblewrap) and permission to create namespaces; use --sandbox none only with agents you trust",
    );
  }
  if (level === "docker" && !(await dockerAvailable())) {
    throw new ConfigError("the docker sandbox needs a running Docker engine (`docker info` failed)");
  }
}
