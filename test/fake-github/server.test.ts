import { execFileSync } from "node:child_process";
import { generateKeyPairSync, sign } from "node:crypto";
import { getOctokit } from "@actions/github";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeGitHub, type FakeRepo, startFakeGitHub } from "../helpers/fake-github/index.js";
import { tempDir } from "../helpers/fixture-repo.js";

const WRITE = {
  contents: "write",
  pull_requests: "write",
  issues: "write",
  checks: "write",
  actions: "write",
  metadata: "read",
} as const;
const READ = {
  contents: "read",
  pull_requests: "read",
  issues: "read",
  checks: "read",
  actions: "read",
  metadata: "read",
} as const;

let fake: FakeGitHub | undefined;

afterEach(async () => {
  const current = fake;
  fake = undefined;
  if (!current) return;
  await current.close();
  // The fake's own answers must match the description too.
  expect(current.responseViolations).toEqual([]);
});

async function setup(): Promise<{
  fake: FakeGitHub;
  repo: FakeRepo;
  octokit: ReturnType<typeof getOctokit>;
}> {
  fake = await startFakeGitHub({ validateResponses: true });
  fake.addToken("ghs_write", WRITE);
  fake.addToken("ghs_read", READ);
  const repo = fake.createRepo({
    owner: "octo",
    name: "demo",
    files: { "README.md": "# demo\n", "src/index.ts": "export const x = 1;\n" },
  });
  return { fake, repo, octokit: getOctokit("ghs_write", { baseUrl: fake.url }) };
}

/** The status and message of a rejected Octokit call. */
async function failure(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { status: number; response?: { data?: { message?: string } } };
    return { status: e.status, message: e.response?.data?.message ?? "" };
  }
  throw new Error("expected the request to fail");
}

const owner = "octo";
const repoName = "demo";

describe("fake GitHub: basics", () => {
  it("listens on loopback and serves the repository", async () => {
    const { fake, octokit } = await setup();
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { data } = await octokit.rest.repos.get({ owner, repo: repoName });
    expect(data).toMatchObject({
      full_name: "octo/demo",
      default_branch: "main",
      private: false,
      fork: false,
    });
    expect(data.owner.login).toBe("octo");
    expect(fake.requests).toMatchObject([{ method: "GET", operationId: "repos/get", status: 200 }]);
    expect(fake.violations).toEqual([]);
  });

  it("answers 401 without or with an unknown token, 404 for unknown repositories", async () => {
    const { fake } = await setup();
    const anonymous = await fetch(`${fake.url}/repos/octo/demo`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ message: "Requires authentication" });
    const stranger = getOctokit("ghs_unknown", { baseUrl: fake.url });
    expect(await failure(stranger.rest.repos.get({ owner, repo: repoName }))).toEqual({
      status: 401,
      message: "Bad credentials",
    });
    const octokit = getOctokit("ghs_write", { baseUrl: fake.url });
    expect((await failure(octokit.rest.repos.get({ owner, repo: "missing" }))).status).toBe(404);
    // A token limited to other repositories does not see this one.
    fake.addToken("ghs_other", WRITE, { repositories: ["octo/other"] });
    const limited = getOctokit("ghs_other", { baseUrl: fake.url });
    expect((await failure(limited.rest.repos.get({ owner, repo: repoName }))).status).toBe(404);
    expect(fake.violations).toEqual([]);
  });
});

describe("fake GitHub: issue comments", () => {
  it("creates, lists with pagination past 100, updates, reacts and deletes", async () => {
    const { fake, repo, octokit } = await setup();
    const issue = repo.addIssue({ title: "Scores" });
    for (let i = 0; i < 120; i++) repo.addComment(issue.number, `seeded ${i}`, "someone");

    const created = await octokit.rest.issues.createComment({
      owner,
      repo: repoName,
      issue_number: issue.number,
      body: "<!-- repogym -->\nScore: 1.00",
    });
    expect(created.status).toBe(201);
    expect(created.data.user?.login).toBe("github-actions[bot]");
    expect(created.data.html_url).toBe(
      `https://github.com/octo/demo/issues/${issue.number}#issuecomment-${created.data.id}`,
    );
    expect(created.headers.location).toBe(created.data.url);

    const all = await octokit.paginate(octokit.rest.issues.listComments, {
      owner,
      repo: repoName,
      issue_number: issue.number,
      per_page: 100,
    });
    expect(all).toHaveLength(121);
    expect(all.at(-1)?.id).toBe(created.data.id);
    expect(fake.requestsFor("issues/list-comments").map((r) => r.query.page ?? "1")).toEqual(["1", "2"]);

    const page2 = await octokit.rest.issues.listComments({
      owner,
      repo: repoName,
      issue_number: issue.number,
      page: 2,
    });
    expect(page2.data).toHaveLength(30);
    expect(page2.headers.link).toContain('rel="next"');
    expect(page2.headers.link).toContain('rel="prev"');

    const updated = await octokit.rest.issues.updateComment({
      owner,
      repo: repoName,
      comment_id: created.data.id,
      body: "<!-- repogym -->\nScore: 0.50",
    });
    expect(updated.data.body).toContain("0.50");
    expect(repo.comments.get(created.data.id)?.body).toContain("0.50");
    const fetched = await octokit.rest.issues.getComment({
      owner,
      repo: repoName,
      comment_id: created.data.id,
    });
    expect(fetched.data.updated_at > fetched.data.created_at).toBe(true);

    const reaction = await octokit.rest.reactions.createForIssueComment({
      owner,
      repo: repoName,
      comment_id: created.data.id,
      content: "rocket",
    });
    expect(reaction.status).toBe(201);
    const again = await octokit.rest.reactions.createForIssueComment({
      owner,
      repo: repoName,
      comment_id: created.data.id,
      content: "rocket",
    });
    expect(again.status).toBe(200);
    expect(again.data.id).toBe(reaction.data.id);

    await octokit.rest.issues.deleteComment({ owner, repo: repoName, comment_id: created.data.id });
    expect(repo.comments.has(created.data.id)).toBe(false);
    expect(
      (await failure(octokit.rest.issues.getComment({ owner, repo: repoName, comment_id: created.data.id })))
        .status,
    ).toBe(404);
    expect(fake.violations).toEqual([]);
  });

  it("refuses writes with a read-only token like a fork PR's GITHUB_TOKEN", async () => {
    const { fake, repo } = await setup();
    const issue = repo.addIssue({ title: "PR" });
    const readOnly = getOctokit("ghs_read", { baseUrl: fake.url });
    const denied = await failure(
      readOnly.rest.issues.createComment({ owner, repo: repoName, issue_number: issue.number, body: "hi" }),
    );
    expect(denied).toEqual({ status: 403, message: "Resource not accessible by integration" });
    const response = fake.requests.at(-1)?.response as { documentation_url: string };
    expect(response.documentation_url).toBe(
      "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
    );
    // Reads still work.
    await readOnly.rest.issues.listComments({ owner, repo: repoName, issue_number: issue.number });
    expect(repo.commentsOn(issue.number)).toEqual([]);
    expect(fake.violations).toEqual([]);
  });

  it("records malformed requests as violations and answers like GitHub", async () => {
    const { fake, repo } = await setup();
    const issue = repo.addIssue({ title: "x" });
    const response = await fetch(`${fake.url}/repos/octo/demo/issues/${issue.number}/comments`, {
      method: "POST",
      headers: { authorization: "token ghs_write", "content-type": "application/json" },
      body: JSON.stringify({ text: "no body field" }),
    });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { message: string; documentation_url: string; status: string };
    expect(body.message).toContain("must have required property 'body'");
    expect(body.status).toBe("422");
    expect(fake.violations).toMatchObject([
      {
        kind: "body",
        method: "POST",
        operationId: "issues/create-comment",
        route: "/repos/{owner}/{repo}/issues/{issue_number}/comments",
        errors: [{ keyword: "required", params: { missingProperty: "body" } }],
      },
    ]);
    expect(repo.commentsOn(issue.number)).toEqual([]);

    const unknown = await fetch(`${fake.url}/repos/octo/demo/comments-of-issue/1`, {
      headers: { authorization: "token ghs_write" },
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      message: "Not Found",
      documentation_url: "https://docs.github.com/rest",
      status: "404",
    });
    expect(fake.violations.at(-1)).toMatchObject({
      kind: "unknown-route",
      path: "/repos/octo/demo/comments-of-issue/1",
    });

    const octokit = getOctokit("ghs_write", { baseUrl: fake.url });
    // A misspelt parameter goes into the body, where GitHub would silently ignore it.
    await octokit.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", {
      owner,
      repo: repoName,
      comment_id: repo.addComment(issue.number, "old").id,
      body: "new",
      bodyy: "typo",
    });
    expect(fake.violations.at(-1)).toMatchObject({ kind: "unknown-body-property" });

    const notJson = await fetch(`${fake.url}/repos/octo/demo/issues/${issue.number}/comments`, {
      method: "POST",
      headers: { authorization: "token ghs_write", "content-type": "application/json" },
      body: "{oops",
    });
    expect(notJson.status).toBe(400);
    expect(fake.violations.map((v) => v.kind)).toEqual([
      "body",
      "unknown-route",
      "unknown-body-property",
      "invalid-json",
    ]);
  });

  it("answers 501 and records a violation for a documented operation it does not implement", async () => {
    const { fake, octokit } = await setup();
    expect((await failure(octokit.rest.issues.lock({ owner, repo: repoName, issue_number: 1 }))).status).toBe(
      501,
    );
    expect(fake.violations).toMatchObject([{ kind: "not-implemented", operationId: "issues/lock" }]);
  });
});

describe("fake GitHub: pull requests", () => {
  it("creates, refuses duplicates, filters, updates", async () => {
    const { fake, repo, octokit } = await setup();
    repo.commitFiles("feature", { "src/index.ts": "export const x = 2;\n" }, "Change x");
    const created = await octokit.rest.pulls.create({
      owner,
      repo: repoName,
      head: "feature",
      base: "main",
      title: "Change x",
      body: "Body",
    });
    expect(created.status).toBe(201);
    expect(created.data).toMatchObject({
      number: 1,
      state: "open",
      head: { ref: "feature", label: "octo:feature", sha: repo.branchSha("feature") },
      base: { ref: "main", sha: repo.branchSha("main") },
      commits: 1,
      changed_files: 1,
      user: { login: "github-actions[bot]" },
    });

    const duplicate = await failure(
      octokit.rest.pulls.create({
        owner,
        repo: repoName,
        head: "octo:feature",
        base: "main",
        title: "again",
      }),
    );
    expect(duplicate.status).toBe(422);
    expect(fake.requests.at(-1)?.response).toMatchObject({
      message: "Validation Failed",
      errors: [
        {
          resource: "PullRequest",
          code: "custom",
          message: "A pull request already exists for octo:feature.",
        },
      ],
    });
    expect(
      (
        await failure(
          octokit.rest.pulls.create({ owner, repo: repoName, head: "nope", base: "main", title: "t" }),
        )
      ).status,
    ).toBe(422);

    const byHead = await octokit.rest.pulls.list({
      owner,
      repo: repoName,
      head: "octo:feature",
      state: "open",
    });
    expect(byHead.data.map((p) => p.number)).toEqual([1]);
    expect((await octokit.rest.pulls.list({ owner, repo: repoName, head: "octo:other" })).data).toEqual([]);
    expect((await octokit.rest.pulls.list({ owner, repo: repoName, base: "main" })).data).toHaveLength(1);

    // A new commit on the branch moves the PR head.
    const moved = repo.commitFiles("feature", { "b.txt": "b\n" });
    expect((await octokit.rest.pulls.get({ owner, repo: repoName, pull_number: 1 })).data.head.sha).toBe(
      moved,
    );

    const closed = await octokit.rest.pulls.update({
      owner,
      repo: repoName,
      pull_number: 1,
      state: "closed",
    });
    expect(closed.data.state).toBe("closed");
    expect((await octokit.rest.pulls.list({ owner, repo: repoName, head: "octo:feature" })).data).toEqual([]);
    expect((await octokit.rest.pulls.list({ owner, repo: repoName, state: "closed" })).data).toHaveLength(1);
    // Once closed, a new PR for the same head is allowed.
    const second = await octokit.rest.pulls.create({
      owner,
      repo: repoName,
      head: "feature",
      base: "main",
      title: "2",
    });
    expect(second.data.number).toBe(2);
    expect(fake.violations).toEqual([]);
  });

  it("serves a PR from a fork, and comments on it by issue number", async () => {
    const { fake, repo, octokit } = await setup();
    const fork = fake.createRepo({ owner: "contributor", name: "demo", forkOf: "octo/demo" });
    fork.commitFiles("fix", { "src/index.ts": "export const x = 3;\n" });
    const pull = repo.addPull({ head: "contributor:fix", title: "Fix from a fork" });
    const { data } = await octokit.rest.pulls.get({ owner, repo: repoName, pull_number: pull.number });
    expect(data.head).toMatchObject({
      label: "contributor:fix",
      repo: { full_name: "contributor/demo", fork: true },
    });
    const comment = await octokit.rest.issues.createComment({
      owner,
      repo: repoName,
      issue_number: pull.number,
      body: "score",
    });
    expect(comment.data.html_url).toContain(`/pull/${pull.number}#issuecomment-`);
    expect(fake.violations).toEqual([]);
  });

  it("lists a PR's changed files against its merge base, also under an Enterprise /api/v3 base URL", async () => {
    const { fake, repo } = await setup();
    repo.createBranch("change");
    repo.commitFiles("change", {
      "src/index.ts": "export const x = 2;\n",
      "test/x.test.ts": "t\n",
      "README.md": null,
    });
    // The base moves on after the branch was cut: its changes are not the PR's.
    repo.commitFiles("main", { "docs/later.md": "later\n" });
    const pull = repo.addPull({ head: "change" });
    const enterprise = getOctokit("ghs_write", { baseUrl: `${fake.url}/api/v3` });
    const files = await enterprise.paginate(enterprise.rest.pulls.listFiles, {
      owner,
      repo: repoName,
      pull_number: pull.number,
      per_page: 2,
    });
    expect(files.map((f) => [f.filename, f.status])).toEqual([
      ["README.md", "removed"],
      ["src/index.ts", "modified"],
      ["test/x.test.ts", "added"],
    ]);
    expect(fake.requestsFor("pulls/list-files").map((r) => r.path)).toEqual([
      `/repos/octo/demo/pulls/${pull.number}/files`,
      `/repos/octo/demo/pulls/${pull.number}/files`,
    ]);
    expect(fake.violations).toEqual([]);
  });
});

describe("fake GitHub: git data", () => {
  it("round-trips blob, tree (base_tree), commit and fast-forward ref updates", async () => {
    const { fake, repo, octokit } = await setup();
    const base = { owner, repo: repoName };
    const ref = await octokit.rest.git.getRef({ ...base, ref: "heads/main" });
    expect(ref.data).toMatchObject({
      ref: "refs/heads/main",
      object: { type: "commit", sha: repo.branchSha("main") },
    });
    const head = await octokit.rest.git.getCommit({ ...base, commit_sha: ref.data.object.sha });

    const blob = await octokit.rest.git.createBlob({
      ...base,
      content: Buffer.from("binary\0ok").toString("base64"),
      encoding: "base64",
    });
    expect(
      (await octokit.rest.git.getBlob({ ...base, file_sha: blob.data.sha })).data.content.replace(/\n/g, ""),
    ).toBe(Buffer.from("binary\0ok").toString("base64"));

    const tree = await octokit.rest.git.createTree({
      ...base,
      base_tree: head.data.tree.sha,
      tree: [
        { path: ".repogym/scores/run-1.json", mode: "100644", type: "blob", content: '{"reward":1}\n' },
        { path: "data.bin", mode: "100644", type: "blob", sha: blob.data.sha },
        { path: "README.md", mode: "100644", type: "blob", sha: null },
      ],
    });
    expect(tree.status).toBe(201);
    const commit = await octokit.rest.git.createCommit({
      ...base,
      message: "Record scores",
      tree: tree.data.sha,
      parents: [head.data.sha],
    });
    expect(commit.data.parents.map((p) => p.sha)).toEqual([head.data.sha]);
    const updated = await octokit.rest.git.updateRef({ ...base, ref: "heads/main", sha: commit.data.sha });
    expect(updated.data.object.sha).toBe(commit.data.sha);
    expect(repo.files()).toEqual({
      ".repogym/scores/run-1.json": '{"reward":1}\n',
      "data.bin": "binary\0ok",
      "src/index.ts": "export const x = 1;\n",
    });

    const recursive = await octokit.rest.git.getTree({ ...base, tree_sha: tree.data.sha, recursive: "1" });
    expect(recursive.data.tree.map((e) => `${e.type} ${e.path}`)).toEqual([
      "tree .repogym",
      "tree .repogym/scores",
      "blob .repogym/scores/run-1.json",
      "blob data.bin",
      "tree src",
      "blob src/index.ts",
    ]);
    const flat = await octokit.rest.git.getTree({ ...base, tree_sha: tree.data.sha });
    expect(flat.data.tree.map((e) => e.path)).toEqual([".repogym", "data.bin", "src"]);

    // A commit that does not descend from the branch head is not a fast forward...
    const sideways = await octokit.rest.git.createCommit({
      ...base,
      message: "Sideways",
      tree: head.data.tree.sha,
      parents: [head.data.sha],
    });
    expect(
      await failure(octokit.rest.git.updateRef({ ...base, ref: "heads/main", sha: sideways.data.sha })),
    ).toEqual({
      status: 422,
      message: "Update is not a fast forward",
    });
    expect(repo.branchSha("main")).toBe(commit.data.sha);
    // ...unless forced.
    await octokit.rest.git.updateRef({ ...base, ref: "heads/main", sha: sideways.data.sha, force: true });
    expect(repo.branchSha("main")).toBe(sideways.data.sha);
    expect(fake.violations).toEqual([]);
  });

  it("creates, lists, refuses duplicate and deletes refs; 404 for missing refs", async () => {
    const { fake, repo, octokit } = await setup();
    const base = { owner, repo: repoName };
    const sha = repo.branchSha("main")!;
    const created = await octokit.rest.git.createRef({ ...base, ref: "refs/heads/repogym/scores", sha });
    expect(created.status).toBe(201);
    expect(
      await failure(octokit.rest.git.createRef({ ...base, ref: "refs/heads/repogym/scores", sha })),
    ).toEqual({
      status: 422,
      message: "Reference already exists",
    });
    const matching = await octokit.rest.git.listMatchingRefs({ ...base, ref: "heads/repogym" });
    expect(matching.data.map((r) => r.ref)).toEqual(["refs/heads/repogym/scores"]);
    // Octokit sends the slash in `ref` percent-encoded; GitHub (and the fake) accept it.
    expect(fake.requests.at(-1)?.path).toBe("/repos/octo/demo/git/matching-refs/heads%2Frepogym");
    expect((await octokit.rest.git.getRef({ ...base, ref: "heads/repogym/scores" })).data.object.sha).toBe(
      sha,
    );
    await octokit.rest.git.deleteRef({ ...base, ref: "heads/repogym/scores" });
    expect(await failure(octokit.rest.git.getRef({ ...base, ref: "heads/repogym/scores" }))).toMatchObject({
      status: 404,
    });
    expect((await failure(octokit.rest.git.updateRef({ ...base, ref: "heads/gone", sha }))).message).toBe(
      "Reference does not exist",
    );
    expect(fake.violations).toEqual([]);
  });

  it("hashes objects exactly like git", async () => {
    const { repo } = await setup();
    const head = repo.git.commit(repo.branchSha("main")!)!;
    const date = `${Date.parse(head.author.date) / 1000} +0000`;
    await using dir = await tempDir();
    const git = (args: string[], input?: string) =>
      execFileSync("git", args, {
        cwd: dir.path,
        input,
        encoding: "utf8",
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: "octo",
          GIT_AUTHOR_EMAIL: "octo@users.noreply.github.com",
          GIT_AUTHOR_DATE: date,
          GIT_COMMITTER_NAME: "octo",
          GIT_COMMITTER_EMAIL: "octo@users.noreply.github.com",
          GIT_COMMITTER_DATE: date,
        },
      }).trim();
    git(["init", "-q"]);
    const readme = git(["hash-object", "-w", "--stdin"], "# demo\n");
    const index = git(["hash-object", "-w", "--stdin"], "export const x = 1;\n");
    const src = git(["mktree"], `100644 blob ${index}\tindex.ts\n`);
    const root = git(["mktree"], `100644 blob ${readme}\tREADME.md\n040000 tree ${src}\tsrc\n`);
    const commit = git(["commit-tree", root, "-m", "Initial commit"]);
    expect(head.tree).toBe(root);
    // `git commit-tree -m` adds a trailing newline to the message; the API stores it as given.
    const apiStyle = repo.git.writeCommit({ ...head, message: "Initial commit\n" });
    expect(apiStyle).toBe(commit);
  });
});

describe("fake GitHub: contents", () => {
  it("reads files and directories, creates and updates with sha checks", async () => {
    const { fake, repo, octokit } = await setup();
    const base = { owner, repo: repoName };
    const file = await octokit.rest.repos.getContent({ ...base, path: "src/index.ts" });
    if (Array.isArray(file.data) || file.data.type !== "file") throw new Error("expected a file");
    expect(Buffer.from(file.data.content, "base64").toString()).toBe("export const x = 1;\n");
    const dir = await octokit.rest.repos.getContent({ ...base, path: "src" });
    expect(Array.isArray(dir.data) && dir.data.map((e) => `${e.type} ${e.path}`)).toEqual([
      "file src/index.ts",
    ]);
    const root = await octokit.rest.repos.getContent({ ...base, path: "" });
    expect(Array.isArray(root.data) && root.data.map((e) => e.name)).toEqual(["README.md", "src"]);
    expect((await failure(octokit.rest.repos.getContent({ ...base, path: "nope.txt" }))).status).toBe(404);
    const raw = await octokit.rest.repos.getContent({
      ...base,
      path: "README.md",
      mediaType: { format: "raw" },
    });
    expect(String(raw.data)).toBe("# demo\n");

    const put = (content: string, sha?: string, branch?: string) =>
      octokit.rest.repos.createOrUpdateFileContents({
        ...base,
        path: ".repogym/scores.json",
        message: "scores",
        content: Buffer.from(content).toString("base64"),
        ...(sha ? { sha } : {}),
        ...(branch ? { branch } : {}),
      });
    const created = await put("[1]\n");
    expect(created.status).toBe(201);
    expect(created.data.commit.parents?.[0]?.sha).not.toBe(created.data.commit.sha);
    expect(repo.readFile(".repogym/scores.json")).toBe("[1]\n");

    expect(await failure(put("[2]\n"))).toEqual({
      status: 422,
      message: 'Invalid request.\n\n"sha" wasn\'t supplied.',
    });
    expect(await failure(put("[2]\n", "0".repeat(40)))).toEqual({
      status: 409,
      message: `.repogym/scores.json does not match ${"0".repeat(40)}`,
    });
    const updated = await put("[1,2]\n", created.data.content?.sha);
    expect(updated.status).toBe(200);
    expect(repo.readFile(".repogym/scores.json")).toBe("[1,2]\n");
    expect(await failure(put("[]\n", undefined, "no-such-branch"))).toMatchObject({ status: 404 });

    // Injected conflicts: the next two PUTs fail with 409; a retry loop gets through on the third.
    const conflict = fake.injectContentsConflict(2);
    let attempts = 0;
    for (;;) {
      attempts++;
      const current = await octokit.rest.repos.getContent({ ...base, path: ".repogym/scores.json" });
      const sha = Array.isArray(current.data) ? undefined : current.data.sha;
      try {
        await put("[1,2,3]\n", sha);
        break;
      } catch (error) {
        expect((error as { status: number }).status).toBe(409);
        expect((error as { message: string }).message).toContain("refs/heads/main expected to be at");
      }
    }
    expect(attempts).toBe(3);
    expect(conflict.hits).toBe(2);
    expect(repo.readFile(".repogym/scores.json")).toBe("[1,2,3]\n");
    expect(fake.violations).toEqual([]);
  });

  it("lets a hook simulate a concurrent writer", async () => {
    const { fake, repo, octokit } = await setup();
    const base = { owner, repo: repoName, path: "README.md" };
    const current = await octokit.rest.repos.getContent(base);
    const sha = Array.isArray(current.data) ? "" : current.data.sha;
    const stop = fake.beforeHandle((request) => {
      if (request.operationId === "repos/create-or-update-file-contents") {
        repo.commitFiles("main", { "README.md": "someone else\n" });
        stop();
      }
      return undefined;
    });
    const lost = await failure(
      octokit.rest.repos.createOrUpdateFileContents({ ...base, message: "m", content: "eA==", sha }),
    );
    expect(lost.status).toBe(409);
    expect(repo.readFile("README.md")).toBe("someone else\n");
  });
});

describe("fake GitHub: checks and actions", () => {
  it("creates and completes a check run", async () => {
    const { fake, repo, octokit } = await setup();
    const head_sha = repo.branchSha("main")!;
    const run = await octokit.rest.checks.create({
      owner,
      repo: repoName,
      name: "repogym",
      head_sha,
      status: "in_progress",
    });
    expect(run.data).toMatchObject({ name: "repogym", status: "in_progress", conclusion: null, head_sha });
    const done = await octokit.rest.checks.update({
      owner,
      repo: repoName,
      check_run_id: run.data.id,
      conclusion: "success",
      output: { title: "1.00", summary: "All scenarios resolved" },
    });
    expect(done.data).toMatchObject({
      status: "completed",
      conclusion: "success",
      output: { title: "1.00" },
    });
    expect(repo.checkRuns.get(run.data.id)?.conclusion).toBe("success");
    const readOnly = getOctokit("ghs_read", { baseUrl: fake.url });
    expect(
      (await failure(readOnly.rest.checks.create({ owner, repo: repoName, name: "x", head_sha }))).status,
    ).toBe(403);
    expect(fake.violations).toEqual([]);
  });

  it("lists and dispatches workflows, records repository dispatches, reads collaborator permissions", async () => {
    const { fake, repo, octokit } = await setup();
    const workflow = repo.addWorkflow({ name: "repogym", path: ".github/workflows/repogym.yml" });
    const listed = await octokit.rest.actions.listRepoWorkflows({ owner, repo: repoName });
    expect(listed.data.total_count).toBe(1);
    expect(listed.data.workflows[0]).toMatchObject({
      id: workflow.id,
      path: ".github/workflows/repogym.yml",
    });

    const dispatched = await octokit.rest.actions.createWorkflowDispatch({
      owner,
      repo: repoName,
      workflow_id: "repogym.yml",
      ref: "main",
      inputs: { scenario: "all" },
    });
    expect(dispatched.status).toBe(204);
    expect(repo.workflowDispatches).toMatchObject([
      { workflow: { id: workflow.id }, ref: "main", inputs: { scenario: "all" } },
    ]);
    expect(
      (
        await failure(
          octokit.rest.actions.createWorkflowDispatch({ owner, repo: repoName, workflow_id: 1, ref: "main" }),
        )
      ).status,
    ).toBe(404);

    await octokit.rest.repos.createDispatchEvent({
      owner,
      repo: repoName,
      event_type: "repogym-run",
      client_payload: { pr: 1 },
    });
    expect(repo.repositoryDispatches).toMatchObject([{ eventType: "repogym-run", clientPayload: { pr: 1 } }]);

    repo.setCollaborator("maintainer", "maintain");
    const permission = await octokit.rest.repos.getCollaboratorPermissionLevel({
      owner,
      repo: repoName,
      username: "maintainer",
    });
    expect(permission.data).toMatchObject({
      permission: "write",
      role_name: "maintain",
      user: { login: "maintainer" },
    });
    const outsider = await octokit.rest.repos.getCollaboratorPermissionLevel({
      owner,
      repo: repoName,
      username: "drive-by",
    });
    expect(outsider.data.permission).toBe("read");
    const ownerPermission = await octokit.rest.repos.getCollaboratorPermissionLevel({
      owner,
      repo: repoName,
      username: "octo",
    });
    expect(ownerPermission.data.permission).toBe("admin");
    expect(fake.violations).toEqual([]);
  });

  it("lists artifacts and redirects downloads to a zip served by the fake", async () => {
    const { fake, repo, octokit } = await setup();
    const zip = Buffer.from("PK\x03\x04fake zip bytes");
    const artifact = repo.addArtifact({ runId: 77, name: "repogym-results", zip });
    repo.addArtifact({ runId: 78, name: "other", zip: Buffer.from("PK") });
    const listed = await octokit.rest.actions.listWorkflowRunArtifacts({ owner, repo: repoName, run_id: 77 });
    expect(listed.data.artifacts.map((a) => a.name)).toEqual(["repogym-results"]);
    const download = await octokit.rest.actions.downloadArtifact({
      owner,
      repo: repoName,
      artifact_id: artifact.id,
      archive_format: "zip",
    });
    expect(Buffer.from(download.data as ArrayBuffer)).toEqual(zip);
    expect(fake.requests.map((r) => [r.operationId ?? r.path, r.status])).toEqual([
      ["actions/list-workflow-run-artifacts", 200],
      ["actions/download-artifact", 302],
      [`/_fake/artifacts/${repo.id}/${artifact.id}.zip`, 200],
    ]);
    const expired = repo.addArtifact({ runId: 77, name: "old", zip, expired: true });
    expect(
      (
        await failure(
          octokit.rest.actions.downloadArtifact({
            owner,
            repo: repoName,
            artifact_id: expired.id,
            archive_format: "zip",
          }),
        )
      ).status,
    ).toBe(410);
    expect(fake.violations).toEqual([]);
  });
});

describe("fake GitHub: apps", () => {
  it("accepts the app's JWT and hands out the registered installation token", async () => {
    const { fake, repo } = await setup();
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
    fake.setApp({
      id: 123,
      slug: "repogym",
      publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
    });
    fake.addInstallation({
      id: 9,
      account: "octo",
      token: "ghs_installation",
      permissions: { issues: "write" },
    });
    const now = Math.floor(Date.now() / 1000);
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const unsigned = `${encode({ alg: "RS256", typ: "JWT" })}.${encode({ iat: now - 60, exp: now + 540, iss: 123 })}`;
    const jwt = `${unsigned}.${sign("RSA-SHA256", Buffer.from(unsigned), privateKey).toString("base64url")}`;

    const asApp = getOctokit(jwt, { baseUrl: fake.url });
    expect((await asApp.rest.apps.getAuthenticated()).data).toMatchObject({ id: 123, slug: "repogym" });
    const installation = await asApp.rest.apps.getRepoInstallation({ owner, repo: repoName });
    expect(installation.data.id).toBe(9);
    const token = await asApp.rest.apps.createInstallationAccessToken({ installation_id: 9 });
    expect(token.data.token).toBe("ghs_installation");

    const asInstallation = getOctokit(token.data.token, { baseUrl: fake.url });
    const issue = repo.addIssue({ title: "t" });
    const comment = await asInstallation.rest.issues.createComment({
      owner,
      repo: repoName,
      issue_number: issue.number,
      body: "hi",
    });
    expect(comment.data.user?.login).toBe("repogym[bot]");
    // The installation token cannot use the app endpoints, and a forged JWT is refused.
    expect((await failure(asInstallation.rest.apps.getAuthenticated())).status).toBe(401);
    const forged = getOctokit(`${unsigned}.${Buffer.from("nope").toString("base64url")}`, {
      baseUrl: fake.url,
    });
    expect((await failure(forged.rest.apps.getAuthenticated())).status).toBe(401);
    expect(fake.violations).toEqual([]);
  });
});
