import { execFileSync } from "node:child_process";
import { cp, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseResults } from "../../core/results.js";
import { parseScenario } from "../../core/suite-store.js";
import { commentMarker } from "../../report/comment.js";
import { type FakeGitHub, type FakeRepo, startFakeGitHub } from "../helpers/fake-github/index.js";
import { tempDir } from "../helpers/fixture-repo.js";
import { minedFixture } from "../runner/run-fixture.js";
import { examplePayload, retarget, runAction } from "./run-action.js";

const REPO = "acme/calc";
const WRITE = "ghs_write_token_0123456789";
const READ = "ghs_read_token_0123456789";
const AGENTS = "# How we work\nRun `npm test` before you stop.\n";

type Fixture = Awaited<ReturnType<typeof minedFixture>>;

describe("the Action, run as GitHub's runner runs it", () => {
  let fx: Fixture;
  let fake: FakeGitHub;
  let remote: FakeRepo;
  let scratch: Awaited<ReturnType<typeof tempDir>>;
  let count = 0;

  const resultsDir = () => join(scratch.path, `results-${count++}`);
  const writes = (since: number) =>
    fake.requests.slice(since).filter((r) => r.method !== "GET" && r.method !== "HEAD");

  function pullPayload(number: number, options: { headRef: string; headRepo?: string }) {
    const payload = examplePayload("pull_request", "opened");
    retarget(payload, REPO);
    const pr = payload.pull_request as Record<string, Record<string, unknown>>;
    payload.number = number;
    (pr as Record<string, unknown>).number = number;
    (pr as Record<string, unknown>).title = "Tell agents how we work";
    pr.head!.sha = remote.branchSha(options.headRef);
    pr.head!.ref = options.headRef;
    (pr.head!.repo as Record<string, unknown>).full_name = options.headRepo ?? REPO;
    pr.base!.sha = remote.branchSha("main");
    pr.base!.ref = "main";
    return payload;
  }

  const common = () => ({
    apiUrl: fake.url,
    workspace: fx.repo.path,
    repository: REPO,
    cacheDir: fx.cache,
  });

  function onPull(
    number: number,
    headRef: string,
    inputs: Record<string, string>,
    extra: { token?: string; headRepo?: string; env?: Record<string, string> } = {},
  ) {
    return runAction({
      ...common(),
      ...(extra.env ? { env: extra.env } : {}),
      event: "pull_request",
      payload: pullPayload(number, { headRef, ...(extra.headRepo ? { headRepo: extra.headRepo } : {}) }),
      token: extra.token ?? WRITE,
      sha: remote.branchSha(headRef)!,
      ref: `refs/pull/${number}/merge`,
      inputs,
    });
  }

  /** GitHub's push example, retargeted at REPO's default branch. */
  function pushPayload() {
    const payload = examplePayload("push");
    retarget(payload, REPO);
    payload.ref = "refs/heads/main";
    return payload;
  }

  /** A run on the default branch's tip: a push, a dispatch or a workflow_run. */
  function onMain(
    event: "push" | "workflow_dispatch" | "workflow_run",
    payload: Record<string, unknown>,
    inputs: Record<string, string>,
    extra: { token?: string; workspace?: string; runId?: number } = {},
  ) {
    return runAction({
      ...common(),
      token: WRITE,
      ...extra,
      event,
      payload,
      sha: remote.branchSha("main")!,
      ref: "refs/heads/main",
      inputs,
    });
  }

  beforeAll(async () => {
    fx = await minedFixture();
    // The suite is committed in the repository, as a merged scenarios PR leaves it.
    const suiteFiles: Record<string, string> = {};
    for (const name of await readdir(join(fx.suite, "scenarios"))) {
      suiteFiles[`.repogym/scenarios/${name}`] = await readFile(join(fx.suite, "scenarios", name), "utf8");
    }
    await fx.repo.commit("Add repogym scenarios", suiteFiles);
    // The PR head, checked out: it changes the team's agent instructions.
    fx.repo.git("checkout", "-q", "-b", "agents");
    await fx.repo.commit("Tell agents how we work", { "AGENTS.md": AGENTS });
    scratch = await tempDir();

    fake = await startFakeGitHub();
    fake.addToken(WRITE, { contents: "write", pull_requests: "write", issues: "write" });
    fake.addToken(READ, { contents: "read", pull_requests: "read", issues: "read" });
    remote = fake.createRepo({ owner: "acme", name: "calc", files: { "README.md": "# calc\n" } });
    for (const branch of ["agents", "fork-head", "sharded"]) {
      remote.createBranch(branch);
      remote.commitFiles(branch, { [`${branch}.md`]: `${branch}\n` }, `Work on ${branch}`);
    }
  }, 180_000);

  afterAll(async () => {
    await fake?.close();
    await fx?.[Symbol.asyncDispose]();
    await scratch?.[Symbol.asyncDispose]();
  });

  it("on push to the default branch: runs the agent and keeps the results in the history branch", async () => {
    const payload = pushPayload();
    payload.after = remote.branchSha("main");
    const run = await onMain("push", payload, {
      mode: "evaluate",
      agent: "oracle",
      "results-path": resultsDir(),
    });
    expect(run.stdout).not.toContain("::error::");
    expect(run.code).toBe(0);
    expect(run.outputs["mean-reward"]).toBe("1.0000");
    expect(run.outputs["resolved-rate"]).toBe("1.0000");
    const history = Object.keys(remote.files("repogym-data")).filter((p) =>
      p.startsWith("history/default/main/"),
    );
    expect(history).toHaveLength(1);
    const kept = parseResults(remote.readFile(history[0]!, "repogym-data")!, history[0]!);
    expect(kept.commit).toBe(remote.branchSha("main"));
    expect(kept.rollouts.map((r) => r.reward)).toEqual([1, 1]);
    expect(run.summary).toContain("repogym");
    expect(fake.violations).toEqual([]);
  });

  it("on a pull request: one sticky comment, created once and updated after, compared with the base", async () => {
    const pr = remote.addPull({ head: "agents", title: "Tell agents how we work" });
    const noop = await onPull(pr.number, "agents", {
      agent: "noop",
      "max-regression": "0.1",
      "results-path": resultsDir(),
    });
    // The gate fails: every scenario went from 1 (the base, oracle) to 0.
    expect(noop.code).toBe(1);
    expect(noop.stdout).toMatch(/::error::.*dropped by 1\.000/);
    const first = remote.commentsOn(pr.number).map((c) => ({ id: c.id, body: c.body }));
    expect(first).toHaveLength(1);
    expect(first[0]!.body).toMatch(/regression/i);
    expect(first[0]!.body.startsWith(commentMarker("default"))).toBe(true);
    expect(noop.outputs["comment-id"]).toBe(String(first[0]!.id));
    expect(noop.outputs["mean-reward"]).toBe("0.0000");

    const oracle = await onPull(pr.number, "agents", { agent: "oracle", "results-path": resultsDir() });
    expect(oracle.code).toBe(0);
    const second = remote.commentsOn(pr.number);
    expect(second).toHaveLength(1);
    expect(second[0]!.id).toBe(first[0]!.id);
    expect(second[0]!.body).not.toBe(first[0]!.body);
    expect(oracle.outputs["comment-id"]).toBe(String(first[0]!.id));
    expect(fake.violations).toEqual([]);
  });

  it("lays the PR head's agent instructions over every workspace", async () => {
    const pr = remote.addPull({ head: "agents", base: "main", title: "again" });
    const out = resultsDir();
    // An agent that succeeds only when AGENTS.md from the PR head is in its workspace.
    const run = await onPull(
      pr.number,
      "agents",
      {
        agent: "command",
        command: "grep -q 'Run `npm test`' AGENTS.md",
        env: "AGENT_API_KEY",
        sandbox: "none",
        comment: "false",
        "results-path": out,
      },
      { env: { AGENT_API_KEY: "sk-test-secret-value" } },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Agent instructions from the PR head laid over every workspace: AGENTS.md");
    // The agent's secret is masked before anything could print it; the token too.
    expect(run.stdout).toContain("::add-mask::sk-test-secret-value");
    expect(run.stdout).toContain(`::add-mask::${WRITE}`);
    const results = parseResults(await readFile(join(out, "results.json")), "results.json");
    expect(results.rollouts.map((r) => r.status)).toEqual(["scored", "scored"]);
    const rollouts = (await readFile(join(out, "run", "rollouts.jsonl"), "utf8")).trim().split("\n");
    // AGENTS.md is part of the starting state, never of the agent's patch.
    for (const line of rollouts) expect(JSON.parse(line).model_patch).toBe("");
  });

  it("a fork's PR writes nothing to GitHub; the workflow_run report posts its one comment", async () => {
    const pr = remote.addPull({ head: "fork-head", title: "From a fork" });
    const out = resultsDir();
    const before = fake.requests.length;
    const run = await onPull(
      pr.number,
      "fork-head",
      { agent: "oracle", "results-path": out },
      {
        token: READ,
        headRepo: "stranger/calc",
      },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("comes from a fork");
    expect(writes(before)).toEqual([]);
    expect(remote.commentsOn(pr.number)).toHaveLength(0);
    expect(run.summary).toContain("repogym");
    const results = parseResults(await readFile(join(out, "results.json")), "results.json");
    expect(results.pull_request?.number).toBe(pr.number);

    // The artifact as downloaded by the workflow_run workflow: untrusted data.
    const artifact = join(scratch.path, "artifact");
    await mkdir(artifact, { recursive: true });
    await cp(join(out, "results.json"), join(artifact, "results.json"));
    const report = (headSha: string, results: string, runId = 555) => {
      const payload = examplePayload("workflow_run", "completed");
      retarget(payload, REPO);
      const wr = payload.workflow_run as Record<string, unknown>;
      wr.id = runId;
      wr.head_sha = headSha;
      wr.event = "pull_request";
      wr.conclusion = "success";
      return onMain("workflow_run", payload, { results, "results-path": resultsDir() });
    };

    // A forged artifact (another commit than the run's) is refused, and nothing is written.
    const forged = join(scratch.path, "forged");
    await mkdir(forged, { recursive: true });
    await writeFile(join(forged, "results.json"), JSON.stringify({ ...results, commit: "f".repeat(40) }));
    const beforeForged = fake.requests.length;
    const refused = await report(remote.branchSha("fork-head")!, forged);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/::error::.*the results claim commit fffffff/);
    expect(writes(beforeForged)).toEqual([]);

    // A malformed one gets one clear error naming the file and field.
    const malformed = join(scratch.path, "malformed");
    await mkdir(malformed, { recursive: true });
    await writeFile(
      join(malformed, "results.json"),
      JSON.stringify({ ...results, rollouts: [{ ...results.rollouts[0], reason: "x".repeat(10_000) }] }),
    );
    const bad = await report(remote.branchSha("fork-head")!, malformed);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/::error::.*results\.json: field rollouts\[0\]\.reason/);

    const posted = await report(remote.branchSha("fork-head")!, artifact);
    expect(posted.stdout).not.toContain("::error::");
    expect(posted.code).toBe(0);
    expect(remote.commentsOn(pr.number)).toHaveLength(1);
    const again = await report(remote.branchSha("fork-head")!, artifact, 556);
    expect(again.code).toBe(0);
    expect(remote.commentsOn(pr.number)).toHaveLength(1);
    expect(fake.violations).toEqual([]);
  });

  it("shards run disjoint slices and merge into one comment", async () => {
    const pr = remote.addPull({ head: "sharded", title: "Sharded" });
    const shards = join(scratch.path, "shards");
    const slices: string[][] = [];
    for (const index of [1, 2]) {
      const out = join(shards, `repogym-shard-${index}`);
      const run = await onPull(pr.number, "sharded", {
        agent: "oracle",
        shard: `${index}/2`,
        "results-path": out,
      });
      expect(run.code).toBe(0);
      const results = parseResults(await readFile(join(out, "results.json")), "results.json");
      slices.push(results.scenarios.map((s) => s.instance_id));
    }
    expect(remote.commentsOn(pr.number)).toHaveLength(0);
    expect(slices.map((s) => s.length)).toEqual([1, 1]);
    expect(new Set(slices.flat()).size).toBe(2);

    const out = resultsDir();
    const merged = await onPull(pr.number, "sharded", {
      mode: "merge",
      results: shards,
      "results-path": out,
    });
    expect(merged.code).toBe(0);
    const results = parseResults(await readFile(join(out, "results.json")), "results.json");
    expect(results.scenarios.map((s) => s.instance_id).sort()).toEqual(slices.flat().sort());
    expect(remote.commentsOn(pr.number)).toHaveLength(1);
    expect(merged.outputs["mean-reward"]).toBe("1.0000");
  });

  it("refuses pull_request_target and shallow checkouts with a fix-it message", async () => {
    const pr = remote.addPull({ head: "agents", title: "target" });
    const payload = pullPayload(pr.number, { headRef: "agents" });
    const target = await runAction({
      ...common(),
      event: "pull_request_target",
      payload,
      token: WRITE,
      sha: remote.branchSha("agents")!,
      ref: "refs/heads/main",
      inputs: { agent: "oracle", "results-path": resultsDir() },
    });
    expect(target.code).toBe(1);
    expect(target.stdout).toMatch(/::error::.*refusing to run an agent under pull_request_target/);

    const shallow = join(scratch.path, "shallow");
    fx.repo.git("clone", "-q", "--depth", "1", `file://${fx.repo.path}`, shallow);
    const cut = await runAction({
      ...common(),
      workspace: shallow,
      event: "pull_request",
      payload,
      token: WRITE,
      sha: remote.branchSha("agents")!,
      ref: `refs/pull/${pr.number}/merge`,
      inputs: { agent: "oracle", "results-path": resultsDir() },
    });
    expect(cut.code).toBe(1);
    expect(cut.stdout).toMatch(/::error::.*shallow clone.*fetch-depth: 0/);
  });

  it("on push: mines new scenarios into one pull request that later runs update, never a second", async () => {
    // The history before the suite was committed: two provable fixes, nothing mined yet.
    const clone = join(scratch.path, "mine-clone");
    fx.repo.git("clone", "-q", `file://${fx.repo.path}`, clone);
    const inClone = (...args: string[]) => execFileSync("git", ["-C", clone, ...args], { encoding: "utf8" });
    inClone("checkout", "-q", "-B", "main", "HEAD~2");
    inClone("remote", "set-url", "origin", "https://github.com/acme/calc.git");
    const payload = pushPayload();
    const mine = () => onMain("push", payload, { "results-path": resultsDir() }, { workspace: clone });
    const first = await mine();
    expect(first.stdout).not.toContain("::error::");
    expect(first.code).toBe(0);
    expect(first.outputs["scenarios-added"]).toBe("2");
    const proposed = () => remote.pulls().filter((p) => p.pull?.head.ref === "repogym/scenarios");
    expect(proposed()).toHaveLength(1);
    expect(first.outputs["pull-request"]).toBe(String(proposed()[0]!.number));
    const files = Object.entries(remote.files("repogym/scenarios")).filter(([p]) =>
      p.startsWith(".repogym/scenarios/"),
    );
    expect(files).toHaveLength(2);
    for (const [path, text] of files)
      expect(parseScenario(text, path).FAIL_TO_PASS.length).toBeGreaterThan(0);
    // The branch is built on the default branch's tip: the PR adds only the scenarios.
    expect(remote.readFile("README.md", "repogym/scenarios")).toBe("# calc\n");

    const second = await mine();
    expect(second.code).toBe(0);
    expect(second.outputs["scenarios-added"]).toBe("2");
    expect(second.outputs["pull-request"]).toBe(first.outputs["pull-request"]);
    expect(proposed()).toHaveLength(1);
    expect(fake.violations).toEqual([]);
  });

  it("pr-scenario: turns the PR's own fix into a scenario and reports whether the agent could have written it", async () => {
    const clone = join(scratch.path, "pr-clone");
    fx.repo.git("clone", "-q", `file://${fx.repo.path}`, clone);
    const inClone = (...args: string[]) =>
      execFileSync("git", ["-C", clone, ...args], { encoding: "utf8" }).trim();
    inClone("remote", "set-url", "origin", "https://github.com/acme/calc.git");
    inClone("checkout", "-q", "-b", "numbers", "origin/main");
    const base = inClone("rev-parse", "HEAD");
    const calc = await readFile(join(clone, "src", "calc.js"), "utf8");
    await writeFile(
      join(clone, "src", "calc.js"),
      calc.replace("return a + b;", "return Number(a) + Number(b);"),
    );
    const test = await readFile(join(clone, "test", "calc.test.js"), "utf8");
    await writeFile(
      join(clone, "test", "calc.test.js"),
      `${test}test("add strings", () => assert.equal(add("1", 2), 3));\n`,
    );
    inClone(
      "-c",
      "user.name=Dev",
      "-c",
      "user.email=dev@example.com",
      "commit",
      "-qam",
      "Add numbers given as strings",
    );
    const head = inClone("rev-parse", "HEAD");

    const pr = remote.addPull({ head: "agents", title: "Add numbers given as strings" });
    const payload = pullPayload(pr.number, { headRef: "agents" });
    const pull = payload.pull_request as Record<string, Record<string, unknown>>;
    pull.head!.sha = head;
    pull.base!.sha = base;
    const run = await runAction({
      ...common(),
      workspace: clone,
      event: "pull_request",
      payload,
      token: WRITE,
      sha: head,
      ref: `refs/pull/${pr.number}/merge`,
      inputs: { mode: "pr-scenario", agent: "oracle", "results-path": resultsDir() },
    });
    expect(run.stdout).not.toContain("::error::");
    expect(run.code).toBe(0);
    const [comment] = remote.commentsOn(pr.number);
    expect(comment?.body).toContain("Could the agent have written this PR?");
    expect(comment?.body).toMatch(
      new RegExp(`✅ Yes: resolved in 1 of 1 attempt on \`acme__calc-pr${pr.number}\``),
    );
  });

  it("validate: re-proves the committed suite", async () => {
    const payload = examplePayload("push");
    retarget(payload, REPO);
    const run = await onMain("workflow_dispatch", payload, {
      mode: "validate",
      "results-path": resultsDir(),
    });
    expect(run.code).toBe(0);
    expect(run.summary).toContain("2 of 2 scenarios proven");
  });

  it("two pushes at once lose nothing: each run keeps its own history file, retrying past conflicts", async () => {
    // Run alone, the data branch does not exist yet: both runs then race to create it too.
    const before = remote.branchSha("repogym-data")
      ? Object.keys(remote.files("repogym-data")).filter((p) => p.startsWith("history/")).length
      : 0;
    const payload = pushPayload();
    // GitHub answers 409 when the branch moved under a write: the next two writes get one.
    const conflicts = fake.injectContentsConflict(2);
    const push = (runId: number) =>
      onMain("push", payload, { mode: "evaluate", agent: "oracle", "results-path": resultsDir() }, { runId });
    const runs = await Promise.all([push(2001), push(2002)]);
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    expect(conflicts.hits).toBe(2);
    expect(runs.map((r) => r.stdout).join("\n")).toContain("History write conflicted (409)");
    const after = Object.keys(remote.files("repogym-data")).filter((p) => p.startsWith("history/"));
    expect(after).toHaveLength(before + 2);
    expect(fake.violations).toEqual([]);
  });

  it("a run the app dispatched for a pull request evaluates the pinned commit and writes nothing", async () => {
    const pr = remote.addPull({ head: "agents", title: "Dispatched" });
    const payload = examplePayload("workflow_dispatch");
    retarget(payload, REPO);
    const pinned = remote.branchSha("agents")!;
    payload.inputs = {
      command: "run",
      pr: String(pr.number),
      sha: pinned,
      agent: "oracle",
      attempts: "1",
      sample: "",
    };
    const out = resultsDir();
    const before = fake.requests.length;
    const run = await onMain(
      "workflow_dispatch",
      payload,
      { mode: "evaluate", agent: "oracle", "history-branch": "", "results-path": out },
      { token: READ },
    );
    expect(run.stdout).not.toContain("::error::");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("dispatched by the repogym app");
    const results = parseResults(await readFile(join(out, "results.json")), "results.json");
    expect(results.commit).toBe(pinned);
    expect(results.pull_request).toMatchObject({ number: pr.number, head_sha: pinned, base_ref: "main" });
    expect(writes(before)).toEqual([]);
    expect(fake.requests.slice(before).map((r) => r.operationId)).toEqual(["pulls/get"]);
    expect(fake.violations).toEqual([]);
  });
});
