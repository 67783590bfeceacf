import { describe, expect, it } from "vitest";
import { ONBOARDING_BRANCH } from "../../bot/messages.js";
import { loadTemplates } from "../../bot/templates.js";
import { parseConfig } from "../../core/config.js";
import { examplePayload, harnessPerTest, ManualClock } from "./harness.js";
import { closedPullPayload, createCalcRepo, createDocsRepo, openPull, pushPayload, REPO } from "./world.js";

const start = harnessPerTest();

describe("webhook signatures", () => {
  it("a body changed after signing is rejected before anything runs; the signed one is accepted", async () => {
    const h = await start();
    const repo = createCalcRepo(h);
    const payload = pushPayload(repo.branchSha("main")!);
    const tampered = await h.deliver("push", payload, {
      tamper: (body) => body.replace('"refs/heads/main"', '"refs/heads/main" '),
    });
    expect(tampered.status).toBe(400);
    expect(tampered.body).toContain("signature does not match");
    expect(h.calls()).toEqual([]);
    // Signed with another secret: rejected too.
    const forged = await h.deliver("push", payload, { secret: "not-the-app-secret" });
    expect(forged.status).toBe(400);
    expect(h.calls()).toEqual([]);
    expect(repo.workflowDispatches).toEqual([]);

    expect(h.logs.some((l) => l.level === "warn" && /does not match WEBHOOK_SECRET/.test(l.msg))).toBe(true);

    const signed = await h.deliver("push", payload);
    expect(signed.status).toBe(200);
    expect(repo.workflowDispatches).toHaveLength(1);
  });

  it("credentials GitHub refuses fail the delivery with a line that says which settings to check", async () => {
    const h = await start();
    const repo = createCalcRepo(h);
    // The app was registered again: GitHub knows another id, so the app's JWT is refused.
    h.fake.setApp({ id: 1, slug: "repogym" });
    const delivery = await h.deliver("push", pushPayload(repo.branchSha("main")!));
    expect(delivery.status).toBe(500);
    expect(repo.workflowDispatches).toEqual([]);
    expect(
      h.logs.some(
        (l) =>
          l.level === "error" &&
          /push \(delivery .*\) failed: .*401 .*GitHub refused the app's credentials: check APP_ID and PRIVATE_KEY/.test(
            l.msg,
          ),
      ),
    ).toBe(true);
  });

  it("GitHub's ping is answered", async () => {
    const h = await start();
    const ping = examplePayload("ping");
    expect((await h.deliver("ping", ping)).status).toBe(200);
    expect(h.calls()).toEqual([]);
  });
});

describe("installation", () => {
  function installationPayload(repos: string[]) {
    const payload = examplePayload("installation", "created");
    payload.installation = { ...(payload.installation as object), id: 77 };
    (payload.installation as { account: { login: string } }).account.login = "acme";
    payload.repositories = repos.map((fullName, i) => ({
      id: 1000 + i,
      node_id: `R_${i}`,
      name: fullName.split("/")[1],
      full_name: fullName,
      private: false,
    }));
    return payload;
  }

  it("dispatches the first mining run where the workflow is, and opens one onboarding PR where it is not", async () => {
    const h = await start();
    const ready = createCalcRepo(h);
    const bare = h.fake.createRepo({
      owner: "acme",
      ownerType: "Organization",
      name: "docs",
      defaultBranch: "trunk",
      files: { "README.md": "# docs\n" },
    });
    const before = h.mark();
    const delivery = await h.deliver("installation", installationPayload([REPO, "acme/docs"]));
    expect(delivery.status).toBe(200);
    await h.app.idle();
    expect(h.ops(before)).toEqual([
      // acme/calc: the workflow is there.
      "GET repos/get",
      "GET repos/get-content",
      "GET repos/get-content",
      "POST actions/create-workflow-dispatch",
      // acme/docs: it is not.
      "GET repos/get",
      "GET repos/get-content",
      "GET repos/get-content",
      "GET actions/get-workflow",
      "GET pulls/list",
      "GET git/get-ref",
      "GET git/get-ref",
      "POST git/create-ref",
      "PUT repos/create-or-update-file-contents",
      "PUT repos/create-or-update-file-contents",
      "POST pulls/create",
    ]);
    expect(ready.workflowDispatches.map((d) => [d.ref, d.inputs])).toEqual([["main", { command: "mine" }]]);
    expect(bare.workflowDispatches).toEqual([]);
    const [onboarding] = bare.pulls();
    expect(onboarding).toMatchObject({ title: "Set up repogym", state: "open" });
    expect(onboarding?.pull).toMatchObject({ head: { ref: ONBOARDING_BRANCH }, base: { ref: "trunk" } });
    expect(onboarding?.body).toContain("Until this is merged the app does nothing here");
    const files = bare.files(ONBOARDING_BRANCH);
    const templates = loadTemplates();
    expect(files[".github/workflows/repogym.yml"]).toBe(templates.workflow);
    expect(files[".repogym/config.yml"]).toBe(templates.config);
    expect(parseConfig(files[".repogym/config.yml"]!, "starter").bot.dry_run).toBe(false);
    expect(files["README.md"]).toBe("# docs\n");

    // Installed again (another delivery): still one onboarding PR, and it is not touched.
    const again = h.mark();
    await h.deliver("installation", installationPayload(["acme/docs"]));
    await h.app.idle();
    expect(h.writes(again)).toEqual([]);
    expect(bare.pulls()).toHaveLength(1);
    expect(
      h.logs.some((l) => /onboarding pull request #\d+ is open; the app opens only one/.test(l.msg)),
    ).toBe(true);
  });

  it("a closed onboarding PR is the owners' no: repositories added later do not get another", async () => {
    const h = await start();
    const bare = createDocsRepo(h);
    await h.deliver("installation", installationPayload(["acme/docs"]));
    await h.app.idle();
    bare.pulls()[0]!.state = "closed";
    const payload = examplePayload("installation_repositories", "added");
    payload.installation = { ...(payload.installation as object), id: 77 };
    payload.repositories_added = [
      { id: 9, node_id: "R_9", name: "docs", full_name: "acme/docs", private: false },
    ];
    const before = h.mark();
    expect((await h.deliver("installation_repositories", payload)).status).toBe(200);
    await h.app.idle();
    expect(h.writes(before)).toEqual([]);
    expect(bare.pulls()).toHaveLength(1);
  });

  it("a half-written onboarding branch is deleted, and a redelivery opens the pull request", async () => {
    const h = await start();
    const bare = createDocsRepo(h);
    h.fake.injectFault({
      operationId: "repos/create-or-update-file-contents",
      match: (r) => r.path.includes(".github%2Fworkflows") || r.path.includes(".github/workflows"),
      status: 403,
      body: { message: "Resource not accessible by integration" },
    });
    const payload = installationPayload(["acme/docs"]);
    const failed = await h.deliver("installation", payload, { id: "install-1" });
    expect(failed.status).toBe(500);
    expect(bare.branchSha(ONBOARDING_BRANCH)).toBeUndefined();
    expect(bare.pulls()).toEqual([]);
    expect(
      h.logs.some(
        (l) => l.level === "error" && /the app is missing the `workflows: write` permission/.test(l.msg),
      ),
    ).toBe(true);
    expect((await h.deliver("installation", payload, { id: "install-1" })).status).toBe(200);
    expect(bare.pulls()).toHaveLength(1);
  });

  it("answers at once when setting up takes long, and sets the rest up afterwards, one by one", async () => {
    const h = await start({ app: { inlineBudgetMs: 0 } });
    const names = ["a", "b", "c"].map((name) => {
      h.fake.createRepo({ owner: "acme", ownerType: "Organization", name, files: { "x.md": "x\n" } });
      return `acme/${name}`;
    });
    const delivery = await h.deliver("installation", installationPayload(names));
    expect(delivery.status).toBe(200);
    expect(delivery.ms).toBeLessThan(2000);
    await h.app.idle();
    expect(names.map((n) => h.fake.repo(n).pulls().length)).toEqual([1, 1, 1]);
  });
});

describe("push to the default branch", () => {
  it("a burst of pushes makes one mining run at once and one when the burst is over", async () => {
    const clock = new ManualClock();
    const h = await start({ clock });
    const repo = createCalcRepo(h);
    const shas = [1, 2, 3, 4].map((i) => repo.commitFiles("main", { [`docs/${i}.md`]: `${i}\n` }));
    const first = h.mark();
    expect((await h.deliver("push", pushPayload(shas[0]!))).status).toBe(200);
    expect(h.ops(first)).toEqual(["GET repos/get-content", "POST actions/create-workflow-dispatch"]);
    // The rest of the burst arrives within the window (120 s by default): no call at all.
    const burst = h.mark();
    clock.advance(10_000);
    await h.deliver("push", pushPayload(shas[1]!));
    clock.advance(10_000);
    await h.deliver("push", pushPayload(shas[2]!));
    await h.deliver("push", pushPayload(shas[3]!));
    expect(h.calls(burst)).toEqual([]);
    expect(repo.workflowDispatches).toHaveLength(1);
    // The window closes: one more run, for the burst's last commit.
    clock.advance(100_000);
    await h.app.idle();
    expect(repo.workflowDispatches.map((d) => d.inputs)).toEqual([
      { command: "mine", sha: shas[0] },
      { command: "mine", sha: shas[3] },
    ]);
    // Long after, a push starts over.
    clock.advance(600_000);
    await h.deliver("push", pushPayload(repo.branchSha("main")!));
    expect(repo.workflowDispatches).toHaveLength(3);
  });

  it("pushes elsewhere, deleted branches and redeliveries make no dispatch", async () => {
    const h = await start();
    const repo = createCalcRepo(h);
    repo.createBranch("feature");
    const before = h.mark();
    await h.deliver("push", pushPayload(repo.branchSha("feature")!, "refs/heads/feature"));
    await h.deliver("push", pushPayload(repo.branchSha("main")!, "refs/tags/v1"));
    await h.deliver("push", { ...pushPayload("0".repeat(40)), deleted: true });
    expect(h.calls(before)).toEqual([]);
    const payload = pushPayload(repo.branchSha("main")!);
    await h.deliver("push", payload, { id: "push-1" });
    await h.deliver("push", payload, { id: "push-1" });
    expect(repo.workflowDispatches).toHaveLength(1);
  });

  it("mine_on_push: false, or a dry run, dispatches nothing", async () => {
    const h = await start();
    const off = createCalcRepo(h, { config: "bot:\n  mine_on_push: false\n" });
    await h.deliver("push", pushPayload(off.branchSha("main")!));
    expect(off.workflowDispatches).toEqual([]);
    off.commitFiles("main", { ".repogym/config.yml": "bot:\n  dry_run: true\n" });
    const before = h.mark();
    await h.deliver("push", pushPayload(off.branchSha("main")!));
    expect(h.writes(before)).toEqual([]);
    expect(
      h.logs.some((l) => /^dry run: would dispatch repogym\.yml on main with \{"command":"mine"/.test(l.msg)),
    ).toBe(true);
  });
});

describe("a merged pull request", () => {
  it("that changed source and tests is dispatched as a scenario, pinned to its head", async () => {
    const h = await start();
    const repo = createCalcRepo(h);
    const pr = openPull(
      repo,
      "fix-add",
      {
        "src/calc.js": "export const add = (a, b) => Number(a) + Number(b);\n",
        "test/calc.test.js": "// more\n",
      },
      { merged: true },
    );
    const before = h.mark();
    const delivery = await h.deliver(
      "pull_request",
      closedPullPayload({ number: pr.number, sha: pr.sha, merged: true }),
    );
    expect(delivery.status).toBe(200);
    expect(h.ops(before)).toEqual([
      "GET repos/get-content",
      "GET pulls/list-files",
      "POST actions/create-workflow-dispatch",
    ]);
    expect(repo.workflowDispatches.map((d) => [d.ref, d.inputs])).toEqual([
      ["main", { command: "pr-scenario", pr: String(pr.number), sha: pr.sha }],
    ]);
  });

  it("that changed only docs dispatches nothing; one closed without merging makes no call", async () => {
    const h = await start();
    const repo = createCalcRepo(h);
    const docs = openPull(repo, "docs", { "README.md": "# calc, documented\n" }, { merged: true });
    const before = h.mark();
    await h.deliver("pull_request", closedPullPayload({ number: docs.number, sha: docs.sha, merged: true }));
    expect(h.ops(before)).toEqual(["GET repos/get-content", "GET pulls/list-files"]);
    expect(h.logs.some((l) => new RegExp(`acme/calc#${docs.number} is not a scenario`).test(l.msg))).toBe(
      true,
    );
    const abandoned = openPull(repo, "nope", { "src/calc.js": "x\n", "test/calc.test.js": "y\n" });
    const later = h.mark();
    await h.deliver(
      "pull_request",
      closedPullPayload({ number: abandoned.number, sha: abandoned.sha, merged: false }),
    );
    expect(h.calls(later)).toEqual([]);
    expect(repo.workflowDispatches).toEqual([]);
  });
});
