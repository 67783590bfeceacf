import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { parseResults, type Results } from "../../core/results.js";
import { commentMarker } from "../../report/comment.js";
import type { FakeRepo } from "../helpers/fake-github/index.js";
import { buildResults } from "../report/build-results.js";
import { type Harness, type HarnessOptions, harnessPerTest } from "./harness.js";
import { createCalcRepo, openPull, REPO, workflowRunPayload } from "./world.js";

const start = harnessPerTest();

/** Results of an evaluate run on `commit` (for a pull request when given), scored 1 and 0.5. */
function results(commit: string, pull?: { number: number; base_sha: string }, runId = "run-1"): Results {
  const built = buildResults({
    run_id: runId,
    commit: "a",
    scenarios: [
      { id: "acme__calc-0000001", rewards: [1, 1] },
      { id: "acme__calc-0000002", rewards: [0, 1] },
    ],
    links: { run: "https://evil.example/phish" },
  });
  return parseResults(
    JSON.stringify({
      ...built,
      commit,
      ...(pull
        ? {
            pull_request: {
              number: pull.number,
              head_sha: commit,
              base_sha: pull.base_sha,
              base_ref: "main",
            },
          }
        : {}),
    }),
    "results",
  );
}

/** The artifact as actions/upload-artifact makes it: a zip of the results folder. */
function artifactZip(files: Record<string, string | Uint8Array>): Uint8Array {
  return zipSync(
    Object.fromEntries(
      Object.entries(files).map(([name, content]) => [
        name,
        typeof content === "string" ? new TextEncoder().encode(content) : content,
      ]),
    ),
  );
}

interface World {
  h: Harness;
  repo: FakeRepo;
  fork: FakeRepo;
  pr: { number: number; sha: string };
  base: string;
}

async function forkWorld(options: HarnessOptions = {}): Promise<World> {
  const h = await start(options);
  const repo = createCalcRepo(h);
  const fork = h.fake.createRepo({ owner: "stranger", name: "calc", forkOf: REPO });
  const pr = openPull(repo, "faster", { "src/calc.js": "export const add = (a, b) => b + a;\n" }, { fork });
  return { h, repo, fork, pr, base: repo.branchSha("main")! };
}

function forkRun(world: World, runId: number, headSha = world.pr.sha) {
  return workflowRunPayload({
    runId,
    name: "repogym evaluate",
    event: "pull_request",
    headSha,
    headRepository: "stranger/calc",
  });
}

describe("workflow_run: results of a fork's pull request", () => {
  it("arrive as one sticky comment and a check run, across two runs", async () => {
    const w = await forkWorld();
    const { h, repo, pr } = w;
    const zip = artifactZip({
      "results.json": JSON.stringify(results(pr.sha, { number: pr.number, base_sha: w.base })),
      "comment.md": "ignored",
      "run/rollouts.jsonl": "{}\n",
    });
    repo.addArtifact({ runId: 555, name: "repogym-results", zip });
    const before = h.mark();
    const first = await h.deliver("workflow_run", forkRun(w, 555));
    expect(first.status).toBe(200);
    expect(first.ms).toBeLessThan(5000);
    const artifactId = [...repo.artifacts.values()][0]!.id;
    expect(h.ops(before)).toEqual([
      "GET repos/get-content",
      "GET actions/list-workflow-run-artifacts",
      "GET actions/download-artifact",
      `GET /_fake/artifacts/${repo.id}/${artifactId}.zip`,
      "GET pulls/get",
      "GET repos/get-content",
      "GET issues/list-comments",
      "POST issues/create-comment",
      "GET issues/list-comments",
      "POST checks/create",
    ]);
    const comments = repo.commentsOn(pr.number);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body.split("\n")[0]).toBe(commentMarker());
    expect(body).toContain("Mean reward 0.75");
    expect(body).toContain("https://github.com/acme/calc/actions/runs/555");
    expect(body).not.toContain("evil.example");
    expect(comments[0]!.user.login).toBe("repogym[bot]");
    const [check] = [...repo.checkRuns.values()];
    expect(check).toMatchObject({
      name: "repogym",
      headSha: pr.sha,
      status: "completed",
      conclusion: "success",
      detailsUrl: "https://github.com/acme/calc/actions/runs/555",
      externalId: "555",
      output: { title: "Mean reward 0.75" },
    });
    expect(check?.output.summary).not.toContain("<!-- repogym");
    expect(check?.output.summary).toContain("Mean reward 0.75");

    // A re-run uploads new results: the same comment is updated, a second check run is added.
    repo.addArtifact({
      runId: 556,
      name: "repogym-results",
      zip: artifactZip({
        "results.json": JSON.stringify(results(pr.sha, { number: pr.number, base_sha: w.base }, "run-2")),
      }),
    });
    expect((await h.deliver("workflow_run", forkRun(w, 556))).status).toBe(200);
    expect(repo.commentsOn(pr.number)).toHaveLength(1);
    expect(repo.commentsOn(pr.number)[0]!.body).toContain("actions/runs/556");
    expect(repo.checkRuns.size).toBe(2);
  });

  it("compares with the base branch's history, as the Action's comment does", async () => {
    const w = await forkWorld();
    const { h, repo, pr } = w;
    const baseResults = { ...results(w.base, undefined, "base-run"), ref: "main" };
    repo.createBranch("repogym-data");
    repo.commitFiles("repogym-data", {
      [`history/default/main/20250301T120000Z-${w.base.slice(0, 12)}-base-run.json`]: JSON.stringify({
        ...baseResults,
        rollouts: baseResults.rollouts.map((r) => ({ ...r, reward: 0, resolved: false })),
      }),
    });
    repo.addArtifact({
      runId: 600,
      name: "repogym-results",
      zip: artifactZip({
        "results.json": JSON.stringify(results(pr.sha, { number: pr.number, base_sha: w.base })),
      }),
    });
    await h.deliver("workflow_run", forkRun(w, 600));
    const body = repo.commentsOn(pr.number)[0]!.body;
    expect(body).toContain(`vs base \`${w.base.slice(0, 7)}\``);
  });

  it("posts nothing for results of another commit, a pull request that moved on, or another repository", async () => {
    const w = await forkWorld();
    const { h, repo, pr } = w;
    const cases: Array<[number, Results, RegExp]> = [
      [
        701,
        results("f".repeat(40), { number: pr.number, base_sha: w.base }),
        /the results claim commit fffffff/,
      ],
      [
        702,
        { ...results(pr.sha, { number: pr.number, base_sha: w.base }), repo: "stranger/calc" },
        /are for stranger\/calc/,
      ],
      [703, results(pr.sha), /name no pull request/],
    ];
    for (const [runId, body, log] of cases) {
      repo.addArtifact({
        runId,
        name: "repogym-results",
        zip: artifactZip({ "results.json": JSON.stringify(body) }),
      });
      const before = h.mark();
      expect((await h.deliver("workflow_run", forkRun(w, runId))).status).toBe(200);
      expect(h.writes(before)).toEqual([]);
      expect(h.logs.some((l) => l.level === "warn" && log.test(l.msg))).toBe(true);
    }
    // Pushed to since: the newer commit's own run reports.
    repo.addArtifact({
      runId: 704,
      name: "repogym-results",
      zip: artifactZip({
        "results.json": JSON.stringify(results(pr.sha, { number: pr.number, base_sha: w.base })),
      }),
    });
    w.fork.commitFiles("faster", { "src/calc.js": "newer\n" });
    const before = h.mark();
    await h.deliver("workflow_run", forkRun(w, 704));
    expect(h.writes(before)).toEqual([]);
    expect(h.logs.some((l) => /has moved on to/.test(l.msg))).toBe(true);
    expect(repo.commentsOn(pr.number)).toEqual([]);
  });

  it("refuses an artifact that is too large, escapes its folder, or inflates past the cap", async () => {
    const w = await forkWorld({
      app: {
        artifactLimits: {
          maxZipBytes: 200_000,
          maxEntries: 50,
          maxUncompressedBytes: 64 * 1024 * 1024,
          maxResultsFiles: 4,
          maxDepth: 8,
        },
      },
    });
    const { h, repo, pr } = w;
    const good = JSON.stringify(results(pr.sha, { number: pr.number, base_sha: w.base }));
    const random = new Uint8Array(300_000).map(() => Math.floor(Math.random() * 256));
    const cases: Array<[number, Uint8Array, RegExp]> = [
      [801, artifactZip({ "results.json": good, "big.bin": random }), /above the 200000-byte limit/],
      [
        802,
        artifactZip({ "results.json": good, "../../etc/x": "x" }),
        /escapes its folder: "..\/..\/etc\/x"/,
      ],
      [
        803,
        artifactZip(Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`f${i}`, "x"]))),
        /60 entries/,
      ],
      [804, artifactZip({ "results.json": new Uint8Array(9 * 1024 * 1024) }), /above the 8388608-byte limit/],
      [805, Uint8Array.from(Buffer.from("not a zip at all")), /not a readable zip archive/],
      [806, artifactZip({ "results.json": '{"schema":"repogym/results@1"}' }), /results\.json: .*field/],
    ];
    for (const [runId, zip, log] of cases) {
      repo.addArtifact({ runId, name: "repogym-results", zip });
      const before = h.mark();
      expect((await h.deliver("workflow_run", forkRun(w, runId))).status).toBe(200);
      expect(h.writes(before)).toEqual([]);
      expect({
        runId,
        refused: h.logs.some(
          (l) => l.level === "warn" && /refused the results/.test(l.msg) && log.test(l.msg),
        ),
      }).toEqual({ runId, refused: true });
    }
    expect(repo.commentsOn(pr.number)).toEqual([]);
  });

  it("makes no call for same-repository runs, default-branch runs and cancelled runs", async () => {
    const w = await forkWorld();
    const { h, pr } = w;
    const before = h.mark();
    await h.deliver(
      "workflow_run",
      workflowRunPayload({ runId: 901, name: "repogym evaluate", event: "pull_request", headSha: pr.sha }),
    );
    await h.deliver(
      "workflow_run",
      workflowRunPayload({ runId: 902, name: "repogym evaluate", event: "push", headSha: w.base }),
    );
    await h.deliver("workflow_run", {
      ...forkRun(w, 903),
      workflow_run: { ...(forkRun(w, 903).workflow_run as object), conclusion: "cancelled" },
    });
    await h.deliver(
      "workflow_run",
      workflowRunPayload({
        runId: 904,
        name: "repogym",
        event: "workflow_dispatch",
        headSha: w.base,
        displayTitle: "repogym mine",
      }),
    );
    expect(h.calls(before)).toEqual([]);
  });

  it("a run that uploaded no results (another workflow, a mining run) posts nothing", async () => {
    const w = await forkWorld();
    const { h } = w;
    const before = h.mark();
    await h.deliver("workflow_run", {
      ...forkRun(w, 950),
      workflow_run: { ...(forkRun(w, 950).workflow_run as object), name: "CI" },
    });
    expect(h.ops(before)).toEqual(["GET repos/get-content"]);
    const later = h.mark();
    await h.deliver("workflow_run", forkRun(w, 951));
    expect(h.ops(later)).toEqual(["GET repos/get-content", "GET actions/list-workflow-run-artifacts"]);
  });
});

describe("workflow_run: the app's own dispatched runs", () => {
  it("report on the pull request and commit its run-name names", async () => {
    const h = await start();
    const repo = createCalcRepo(h);
    const pr = openPull(repo, "feature", { "src/calc.js": "export const add = (a, b) => a + b + 0;\n" });
    const main = repo.branchSha("main")!;
    // The Action ran on the default branch (GITHUB_SHA) with the pinned head checked out.
    repo.addArtifact({
      runId: 1001,
      name: "repogym-results",
      zip: artifactZip({ "repogym-results/results.json": JSON.stringify({ ...results(main), ref: "main" }) }),
    });
    const payload = workflowRunPayload({
      runId: 1001,
      name: "repogym",
      event: "workflow_dispatch",
      headSha: main,
      displayTitle: `repogym run #${pr.number} @ ${pr.sha}`,
    });
    expect((await h.deliver("workflow_run", payload)).status).toBe(200);
    const [comment] = repo.commentsOn(pr.number);
    expect(comment?.body).toContain(`at \`${pr.sha.slice(0, 7)}\` · PR into \`main\``);
    expect([...repo.checkRuns.values()].map((c) => c.headSha)).toEqual([pr.sha]);

    // The PR moved on after the command: that run's results are not posted on the new head.
    repo.commitFiles("feature", { "src/calc.js": "newer\n" });
    repo.addArtifact({
      runId: 1002,
      name: "repogym-results",
      zip: artifactZip({ "results.json": JSON.stringify(results(main)) }),
    });
    const before = h.mark();
    await h.deliver("workflow_run", {
      ...payload,
      workflow_run: { ...(payload.workflow_run as object), id: 1002 },
    });
    expect(h.writes(before)).toEqual([]);
  });
});
