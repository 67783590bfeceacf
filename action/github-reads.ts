import type { getOctokit } from "@actions/github";

/*
 * The GitHub reads both fronts make (the Action's GitHubClient and the app's BotGitHub) and the
 * mapping of GitHub's answers into plain records. Each front passes its own Octokit, its
 * repository and how it turns a failure into its fix-it error; writes stay in the fronts (the
 * app wraps them for dry runs, and the two name different permissions for them).
 */

type FullOctokit = ReturnType<typeof getOctokit>;
type Rest = FullOctokit["rest"];

/**
 * The part of an Octokit the reads below call. @actions/github's and Probot's Octokit both fit:
 * each is @octokit/core with the same REST endpoint and pagination plugins.
 */
export interface ReadOctokit {
  paginate: FullOctokit["paginate"];
  rest: {
    repos: Pick<Rest["repos"], "getContent">;
    git: Pick<Rest["git"], "getRef">;
    issues: Pick<Rest["issues"], "listComments">;
    pulls: Pick<Rest["pulls"], "get">;
  };
}

export interface RepoRef {
  owner: string;
  repo: string;
}

/** A permission a read needs, as the app's settings name it (a workflow's `permissions:` says `pull-requests`). */
export type ReadPermission = "contents: read" | "pull_requests: read";

/** Where reads go, and how a front turns a failed one into its fix-it error. */
export interface ReadTarget {
  octokit: ReadOctokit;
  repo: RepoRef;
  fail(what: string, error: unknown, permission: ReadPermission): Error;
}

export interface IssueComment {
  id: number;
  body: string;
  html_url: string;
  user_type: string | null;
}

export interface PullRequest {
  number: number;
  html_url: string;
  state: string;
  head_sha: string;
  head_ref: string;
  /** owner/name of the head repository; null when the fork is gone. */
  head_repo: string | null;
  base_sha: string;
  base_ref: string;
  title: string;
  body: string | null;
}

export interface DirEntry {
  name: string;
  path: string;
  type: string;
  sha: string;
}

/** The status of an Octokit error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

/** A file's bytes at a ref; null when the file (or the ref) does not exist. */
export async function getFile(
  target: ReadTarget,
  path: string,
  ref: string,
): Promise<{ content: Buffer; sha: string } | null> {
  try {
    const { data } = await target.octokit.rest.repos.getContent({ ...target.repo, path, ref });
    if (Array.isArray(data) || data.type !== "file") return null;
    const file = data as { content?: string; sha: string };
    return { content: Buffer.from(file.content ?? "", "base64"), sha: file.sha };
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw target.fail(`reading ${path} at ${ref}`, error, "contents: read");
  }
}

/** A folder's entries at a ref; null when it (or the ref) does not exist. */
export async function listDir(target: ReadTarget, path: string, ref: string): Promise<DirEntry[] | null> {
  try {
    const { data } = await target.octokit.rest.repos.getContent({ ...target.repo, path, ref });
    if (!Array.isArray(data)) return null;
    return data.map((e) => ({ name: e.name, path: e.path, type: e.type, sha: e.sha }));
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw target.fail(`listing ${path} at ${ref}`, error, "contents: read");
  }
}

/**
 * The commit a branch points at; null when there is no such branch. GitHub answers 409 for an
 * empty repository: null too with `emptyRepoIsMissing`, else an error.
 */
export async function branchSha(
  target: ReadTarget,
  branch: string,
  options: { emptyRepoIsMissing?: boolean } = {},
): Promise<string | null> {
  try {
    const { data } = await target.octokit.rest.git.getRef({ ...target.repo, ref: `heads/${branch}` });
    return data.object.sha;
  } catch (error) {
    const status = statusOf(error);
    if (status === 404 || (options.emptyRepoIsMissing && status === 409)) return null;
    throw target.fail(`reading branch ${branch}`, error, "contents: read");
  }
}

export async function listIssueComments(target: ReadTarget, issue: number): Promise<IssueComment[]> {
  try {
    const comments = await target.octokit.paginate(target.octokit.rest.issues.listComments, {
      ...target.repo,
      issue_number: issue,
      per_page: 100,
    });
    return comments.map(toIssueComment);
  } catch (error) {
    throw target.fail(`listing the comments of #${issue}`, error, "pull_requests: read");
  }
}

export async function getPull(target: ReadTarget, number: number): Promise<PullRequest> {
  try {
    const { data } = await target.octokit.rest.pulls.get({ ...target.repo, pull_number: number });
    return toPull(data);
  } catch (error) {
    throw target.fail(`reading pull request #${number}`, error, "pull_requests: read");
  }
}

/** A comment as GitHub sends it (listed, created or updated) → the record both fronts use. */
export function toIssueComment(data: {
  id: number;
  body?: string;
  html_url: string;
  user?: { type: string } | null;
}): IssueComment {
  return {
    id: data.id,
    body: data.body ?? "",
    html_url: data.html_url,
    user_type: data.user?.type ?? null,
  };
}

/** A pull request as GitHub sends it (read, listed, created or updated) → the record both fronts use. */
export function toPull(data: {
  number: number;
  html_url: string;
  state: string;
  title: string;
  body?: string | null;
  head: { sha: string; ref: string; repo?: { full_name: string } | null };
  base: { sha: string; ref: string };
}): PullRequest {
  return {
    number: data.number,
    html_url: data.html_url,
    state: data.state,
    head_sha: data.head.sha,
    head_ref: data.head.ref,
    head_repo: data.head.repo?.full_name ?? null,
    base_sha: data.base.sha,
    base_ref: data.base.ref,
    title: data.title,
    body: data.body ?? null,
  };
}
