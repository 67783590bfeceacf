/** A small repository on the fake GitHub, and real example payloads aimed at it. */
import type { FakeRepo } from "../helpers/fake-github/index.js";
import { examplePayload, type Harness, retarget } from "./harness.js";

export const REPO = "acme/calc";

type Json = Record<string, unknown>;

export function createCalcRepo(
  harness: Harness,
  options: { workflow?: boolean; config?: string } = {},
): FakeRepo {
  const repo = harness.fake.createRepo({
    owner: "acme",
    ownerType: "Organization",
    name: "calc",
    files: {
      "README.md": "# calc\n",
      "package.json": '{ "name": "calc", "scripts": { "test": "node --test" } }\n',
      "src/calc.js": "export const add = (a, b) => a + b;\n",
      "test/calc.test.js": "import test from 'node:test';\n",
      ...(options.workflow === false ? {} : { ".github/workflows/repogym.yml": "name: repogym\n" }),
      ...(options.config ? { ".repogym/config.yml": options.config } : {}),
    },
  });
  if (options.workflow !== false)
    repo.addWorkflow({ name: "repogym", path: ".github/workflows/repogym.yml" });
  repo.setCollaborator("maintainer", "maintain");
  repo.setCollaborator("reader", "read");
  return repo;
}

/** acme/docs: one file, no workflow and no config, so installing the app onboards it. */
export function createDocsRepo(harness: Harness): FakeRepo {
  return harness.fake.createRepo({
    owner: "acme",
    ownerType: "Organization",
    name: "docs",
    files: { "a.md": "a\n" },
  });
}

/** A pull request from a branch of `repo` (or of a fork) with one commit changing `files`. */
export function openPull(
  repo: FakeRepo,
  branch: string,
  files: Record<string, string>,
  options: { fork?: FakeRepo; merged?: boolean; title?: string } = {},
) {
  const holder = options.fork ?? repo;
  holder.createBranch(branch, holder.defaultBranch);
  const sha = holder.commitFiles(branch, files, `Change ${Object.keys(files).join(", ")}`);
  const head = options.fork ? `${options.fork.owner.login}:${branch}` : branch;
  const pull = repo.addPull({
    head,
    title: options.title ?? `Change on ${branch}`,
    ...(options.merged ? { merged: true } : {}),
  });
  return { number: pull.number, sha };
}

/** issue_comment.created on a pull request (or an issue), from `login`. */
export function commentPayload(
  repo: FakeRepo,
  input: { number: number; body: string; login: string; pull?: boolean; senderType?: string },
): { payload: Json; commentId: number } {
  const seeded = repo.addComment(input.number, input.body, input.login);
  const payload = retarget(examplePayload("issue_comment", "created"), REPO);
  const issue = payload.issue as Json;
  issue.number = input.number;
  if (input.pull === false) delete issue.pull_request;
  else issue.pull_request = { url: `https://api.github.com/repos/${REPO}/pulls/${input.number}` };
  const comment = payload.comment as Json;
  comment.id = seeded.id;
  comment.body = input.body;
  (comment.user as Json).login = input.login;
  const sender = payload.sender as Json;
  sender.login = input.login;
  sender.type = input.senderType ?? "User";
  return { payload, commentId: seeded.id };
}

export function pushPayload(after: string, ref = "refs/heads/main"): Json {
  const payload = retarget(
    examplePayload("push", undefined, (e) => e.ref === "refs/heads/master"),
    REPO,
  );
  payload.ref = ref;
  payload.after = after;
  payload.deleted = false;
  return payload;
}

export function closedPullPayload(input: {
  number: number;
  sha: string;
  merged: boolean;
  base?: string;
}): Json {
  const payload = retarget(examplePayload("pull_request", "closed"), REPO);
  payload.number = input.number;
  const pull = payload.pull_request as Json;
  pull.number = input.number;
  pull.merged = input.merged;
  (pull.head as Json).sha = input.sha;
  (pull.base as Json).ref = input.base ?? "main";
  return payload;
}

export function workflowRunPayload(input: {
  runId: number;
  name: string;
  event: string;
  headSha: string;
  headRepository?: string;
  displayTitle?: string;
  conclusion?: string;
}): Json {
  const payload = retarget(
    examplePayload("workflow_run", "completed", (e) => (e.workflow_run as Json).name === ""),
    REPO,
  );
  const run = payload.workflow_run as Json;
  run.id = input.runId;
  run.name = input.name;
  run.event = input.event;
  run.head_sha = input.headSha;
  run.conclusion = input.conclusion ?? "success";
  run.display_title = input.displayTitle ?? input.name;
  run.html_url = `https://github.com/${REPO}/actions/runs/${input.runId}`;
  (run.head_repository as Json).full_name = input.headRepository ?? REPO;
  return payload;
}
