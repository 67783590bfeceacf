import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import { createCommandAgent } from "../../runner/agents/command.js";
import { runProcess } from "../../runner/process.js";
import { readRollouts } from "../../runner/rollout-store.js";
import { type RunOptions, runSuite } from "../../runner/run-loop.js";
import {
  describeSandbox,
  dockerAvailable,
  dockerImage,
  ensureSandbox,
  sandboxReadOnlyPaths,
  wrapCommand,
} from "../../runner/sandbox.js";
import { shellQuote } from "../../runner/shell.js";
import { PROJECT_ROOT, tempDir } from "../helpers/fixture-repo.js";
import { makeContext } from "./agents/context.js";
import { useMinedFixture } from "./run-fixture.js";

function which(name: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const hasBwrap = which("bwrap");

describe("bwrap sandbox", () => {
  let host: Awaited<ReturnType<typeof tempDir>>;
  let outside: Awaited<ReturnType<typeof tempDir>>;
  let workspace: string;
  let outputDir: string;
  let problemFile: string;
  let cacheModules: string;
  let secret: string;

  beforeAll(async () => {
    host = await tempDir("repogym-sandbox-");
    outside = await tempDir("repogym-outside-");
    workspace = join(host.path, "work space");
    outputDir = join(host.path, "output");
    problemFile = join(host.path, "problem.md");
    await mkdir(workspace, { recursive: true });
    await mkdir(outputDir, { recursive: true });
    await writeFile(problemFile, "Fix it.\n");
    secret = join(outside.path, "gold.patch");
    await writeFile(secret, "the gold patch\n");
    // A dependency cache install, linked into the workspace as the run loop does.
    cacheModules = join(host.path, "cache", "abc123", "node_modules");
    await mkdir(join(cacheModules, "dep"), { recursive: true });
    await writeFile(join(cacheModules, "dep", "package.json"), '{"name":"dep","main":"index.js"}');
    await writeFile(join(cacheModules, "dep", "index.js"), "module.exports = 'from the cache';\n");
    await symlink(cacheModules, join(workspace, "node_modules"), "dir");
    await symlink(secret, join(workspace, "leak"));
  });
  afterAll(async () => {
    await host?.[Symbol.asyncDispose]();
    await outside?.[Symbol.asyncDispose]();
  });

  async function sandboxed(line: string, options: { network?: boolean; env?: NodeJS.ProcessEnv } = {}) {
    const wrapped = wrapCommand({
      level: "bwrap",
      command: "/bin/sh",
      args: ["-c", line],
      workspace,
      outputDir,
      problemFile,
      readOnly: sandboxReadOnlyPaths(workspace),
      network: options.network ?? false,
      env: options.env ?? { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: join(outputDir, "home") },
    });
    return runProcess(wrapped.command, wrapped.args, { cwd: workspace, env: wrapped.env, timeoutMs: 30_000 });
  }

  it("builds the documented argv", () => {
    const wrapped = wrapCommand({
      level: "bwrap",
      command: "/bin/sh",
      args: ["-c", "true"],
      workspace: "/tmp/w",
      outputDir: "/tmp/o",
      problemFile: "/tmp/p.md",
      readOnly: [],
      network: false,
      env: { SECRET_TOKEN: "abcdefgh1234" },
    });
    expect(wrapped.command).toBe("bwrap");
    const args = wrapped.args;
    expect(args.slice(0, 2)).toEqual(["--unshare-all", "--die-with-parent"]);
    expect(args).not.toContain("--share-net");
    expect(args.join(" ")).toContain("--tmpfs /tmp --bind /tmp/w /tmp/w --bind /tmp/o /tmp/o");
    expect(args.join(" ")).toContain("--chdir /tmp/w -- /bin/sh -c true");
    // Secrets travel in the environment, never on a command line (visible in `ps`).
    expect(args.join(" ")).not.toContain("abcdefgh1234");
    expect(wrapped.env).toEqual({ SECRET_TOKEN: "abcdefgh1234" });
    const withNet = wrapCommand({
      level: "bwrap",
      command: "true",
      args: [],
      workspace: "/tmp/w",
      outputDir: "/tmp/o",
      network: true,
      env: {},
    });
    expect(withNet.args.slice(0, 2)).toEqual(["--unshare-all", "--share-net"]);
  });

  it("none returns the command unchanged and says what it does not protect", () => {
    const env = { PATH: "/bin" };
    expect(
      wrapCommand({
        level: "none",
        command: "sh",
        args: ["-c", "x"],
        workspace: "/w",
        outputDir: "/o",
        network: false,
        env,
      }),
    ).toEqual({ command: "sh", args: ["-c", "x"], env });
    expect(describeSandbox("none")).toContain(
      "the agent can read and write anything your user can: the suite's gold patches and hidden tests, your home directory, other workspaces",
    );
    expect(describeSandbox("bwrap", false)).toContain("network off");
  });

  it.skipIf(!hasBwrap)("writes the workspace and the output folder", async () => {
    const result = await sandboxed(
      `echo made > made.txt && echo out > ${shellQuote(join(outputDir, "out.txt"))} && cat ${shellQuote(problemFile)}`,
    );
    expect(result.exitCode, result.output).toBe(0);
    expect(result.stdout).toBe("Fix it.\n");
    expect(await readFile(join(workspace, "made.txt"), "utf8")).toBe("made\n");
    expect(await readFile(join(outputDir, "out.txt"), "utf8")).toBe("out\n");
  });

  it.skipIf(!hasBwrap)("cannot read a file outside, nor see /work, /root or the project", async () => {
    const read = await sandboxed(`cat ${shellQuote(secret)}`);
    expect(read.exitCode).not.toBe(0);
    expect(read.output).toMatch(/No such file/);
    const listing = await sandboxed(
      `for p in /work /root /home ${shellQuote(PROJECT_ROOT)} ${shellQuote(outside.path)}; do test -e "$p" && echo "visible $p"; done; ls /tmp; true`,
    );
    expect(listing.exitCode, listing.output).toBe(0);
    expect(listing.stdout).not.toContain("visible");
    // /tmp holds only the path down to this rollout's own folders.
    expect(listing.stdout.trim().split("\n")).toEqual([host.path.split("/")[2]]);
  });

  it.skipIf(!hasBwrap)("cannot write outside: the write fails and the host file is unchanged", async () => {
    const result = await sandboxed(
      `echo hacked > ${shellQuote(secret)}; echo hacked > ${shellQuote(join(host.path, "beside.txt"))}; echo hacked > /usr/hacked`,
    );
    expect(result.output).toMatch(/(Read-only file system|No such file|Permission denied)/);
    expect(await readFile(secret, "utf8")).toBe("the gold patch\n");
    expect(existsSync(join(host.path, "beside.txt"))).toBe(false);
    expect(existsSync("/usr/hacked")).toBe(false);
  });

  it.skipIf(!hasBwrap)("a symlink in the workspace that points outside resolves to nothing", async () => {
    const result = await sandboxed("cat leak");
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toMatch(/No such file/);
  });

  describe("network", () => {
    let server: Server;
    let port: number;
    beforeAll(async () => {
      server = createServer((socket) => socket.end("hello from the host\n"));
      await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
      port = (server.address() as { port: number }).port;
    });
    afterAll(async () => {
      await new Promise((done) => server.close(done));
    });
    const connect = () =>
      `node -e ${shellQuote(
        `const s = require("net").connect(${"PORT"}, "127.0.0.1"); s.on("data", (d) => { process.stdout.write(d); process.exit(0); }); s.on("error", (e) => { console.log(e.code); process.exit(3); });`,
      )}`;

    it.skipIf(!hasBwrap)("is off by default: the host's listener cannot be reached", async () => {
      const result = await sandboxed(connect().replace("PORT", String(port)));
      expect(result.exitCode, result.output).toBe(3);
      expect(result.stdout).toMatch(/ECONNREFUSED|ENETUNREACH/);
    });

    it.skipIf(!hasBwrap)("is on with network: true", async () => {
      const result = await sandboxed(connect().replace("PORT", String(port)), { network: true });
      expect(result.exitCode, result.output).toBe(0);
      expect(result.stdout).toBe("hello from the host\n");
    });
  });

  it.skipIf(!hasBwrap)("the environment is exactly what was given", async () => {
    const result = await sandboxed("env", {
      env: { PATH: "/usr/bin:/bin", ONLY_THIS: "yes" },
    });
    expect(result.exitCode, result.output).toBe(0);
    const names = result.stdout
      .trim()
      .split("\n")
      .map((line) => line.split("=")[0] ?? "")
      .sort();
    // The shell adds PWD (and SHLVL / _ on some shells); nothing of the host gets in.
    expect(names.filter((n) => !["PWD", "SHLVL", "_", "OLDPWD"].includes(n))).toEqual(["ONLY_THIS", "PATH"]);
  });

  it.skipIf(!hasBwrap)("has its own PID namespace: the host's processes are not visible", async () => {
    const result = await sandboxed(`test -e /proc/${process.pid} && echo seen; ls /proc | grep -c '^[0-9]'`);
    expect(result.exitCode, result.output).toBe(0);
    expect(result.stdout).not.toContain("seen");
    expect(Number(result.stdout.trim())).toBeLessThan(10);
  });

  it.skipIf(!hasBwrap)(
    "node runs, finds node_modules through the link, and cannot write the cache",
    async () => {
      const result = await sandboxed(
        `node -e 'console.log(require("dep"))' && node -e 'require("fs").writeFileSync("node_modules/dep/index.js", "x")'`,
      );
      expect(result.stdout).toBe("from the cache\n");
      expect(result.exitCode).not.toBe(0);
      expect(result.output).toMatch(/EROFS|read-only/i);
      expect(await readFile(join(cacheModules, "dep", "index.js"), "utf8")).toBe(
        "module.exports = 'from the cache';\n",
      );
    },
  );

  it.skipIf(!hasBwrap)("the command agent runs in it", async () => {
    const agent = createCommandAgent({
      name: "probe",
      template: `cat {problem_file} > seen.md; cat ${shellQuote(secret)} > stolen.txt; echo $HOME`,
      sandbox: "bwrap",
    });
    expect(agent.network).toBe(false);
    const context = await makeContext(host.path, { workspace });
    const outcome = await agent.run(context);
    expect(outcome.status).toBe("completed");
    expect(await readFile(join(workspace, "seen.md"), "utf8")).toBe("Fix the failing test.\n");
    expect(await readFile(join(workspace, "stolen.txt"), "utf8")).toBe("");
    expect(await readFile(context.logFile, "utf8")).toContain("No such file");
  });
});

describe("docker sandbox", () => {
  it("builds a docker run argv with only the rollout's folders mounted", () => {
    const wrapped = wrapCommand({
      level: "docker",
      command: "/bin/sh",
      args: ["-c", "my-agent"],
      workspace: "/tmp/w",
      outputDir: "/tmp/o",
      problemFile: "/tmp/p.md",
      readOnly: ["/cache/k/node_modules"],
      network: false,
      env: { PATH: "/usr/bin:/bin", ANTHROPIC_API_KEY: "sk-secret-value" },
    });
    expect(wrapped.command).toBe("docker");
    const argv = wrapped.args.join(" ");
    expect(wrapped.args.slice(0, 4)).toEqual(["run", "--rm", "--network", "none"]);
    expect(argv).toContain("-v /tmp/w:/tmp/w -v /tmp/o:/tmp/o");
    expect(argv).toContain("-v /cache/k/node_modules:/cache/k/node_modules:ro -v /tmp/p.md:/tmp/p.md:ro");
    expect(argv).toContain("-e PATH -e ANTHROPIC_API_KEY");
    expect(argv).not.toContain("sk-secret-value");
    expect(argv).toContain(`-w /tmp/w ${dockerImage()} /bin/sh -c my-agent`);
    expect(dockerImage("22.3.1")).toBe("node:22");
    const online = wrapCommand({
      level: "docker",
      command: "x",
      args: [],
      workspace: "/w",
      outputDir: "/o",
      network: true,
      env: {},
    });
    expect(online.args.slice(0, 4)).toEqual(["run", "--rm", "--network", "bridge"]);
  });

  it("gives one clear error when no Docker engine runs", async () => {
    if (await dockerAvailable()) return;
    await expect(ensureSandbox("docker")).rejects.toThrow(ConfigError);
    await expect(ensureSandbox("docker")).rejects.toThrow("the docker sandbox needs a running Docker engine");
  });

  it("none always works", async () => {
    await expect(ensureSandbox("none")).resolves.toBeUndefined();
  });
});

describe("runSuite with sandbox bwrap", () => {
  const scope = useMinedFixture({ agentSpec: { name: "oracle" }, sandbox: "bwrap" });
  const options = (overrides: Partial<RunOptions>) => scope.options(overrides);

  it.skipIf(!hasBwrap)("the oracle still scores 1 (the tests run sandboxed too)", async () => {
    const result = await runSuite(options({}));
    const records = (await readRollouts(result.rolloutsFile)).rollouts;
    expect(records.map((r) => [r.status, r.reward, r.reason])).toEqual([
      ["scored", 1, undefined],
      ["scored", 1, undefined],
    ]);
  });

  it.skipIf(!hasBwrap)("a command scorer runs in the sandbox too: it cannot see the suite", async () => {
    // Scores 1 when the suite folder is visible to the scorer's command, else 0.
    const probe = `test -e ${shellQuote(scope.fixture.suite)} && echo 1 || echo 0`;
    const config = {
      ...scope.fixture.config,
      scoring: [
        { scorer: "tests", weight: 0.5, options: {} },
        { scorer: "command", weight: 0.5, options: { command: probe, mode: "number" } },
      ],
    };
    const sandboxed = (await readRollouts((await runSuite(options({ config }))).rolloutsFile)).rollouts;
    expect(sandboxed.map((r) => r.reward)).toEqual([0.5, 0.5]);
    const open = (await readRollouts((await runSuite(options({ config, sandbox: "none" }))).rolloutsFile))
      .rollouts;
    expect(open.map((r) => r.reward)).toEqual([1, 1]);
  });

  it.skipIf(!hasBwrap)("a command agent cannot reach the suite or the source repository", async () => {
    const probe = [
      `ls ${shellQuote(scope.fixture.suite)} ${shellQuote(scope.fixture.repo.path)} > ${shellQuote("probe.txt")} 2>&1`,
      "git log --oneline | wc -l >> probe.txt",
    ].join("; ");
    const result = await runSuite(options({ agentSpec: { name: "command", command: probe } }));
    const records = (await readRollouts(result.rolloutsFile)).rollouts;
    for (const r of records) {
      expect(r.status, r.reason).toBe("scored");
      expect(r.reward).toBe(0);
      expect(r.model_patch).toContain("No such file or directory");
      expect(r.model_patch).not.toContain("scenarios");
    }
  });
});
