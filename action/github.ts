import { getOctokit } from "@actions/github";
import { GitHubApiError } from "../core/errors.js";
import {
  branchSha,
  type DirEntry,
  getFile,
  getPull,
  type IssueComment,
  listDir,
  listIssueComments,
  type PullRequest,
  type ReadPermission,
  type ReadTarget,
  type RepoRef,
  toIssueComment,
  toPull,
} from "./github-reads.js";

type Octokit = ReturnType<typeof getOctokit>;

export type { DirEntry, IssueComment, PullRequest, RepoRef } from "./github-reads.js";

const FORBIDDEN_HELP =
  "the token may not write here. A pull request from a fork gets a read-only token: " +
  "its results are posted by the workflow_run workflow (see the README's fork-safe reporting); " +
  "otherwise grant the job `permissions:` with the scope named above";

/** Turns an Octokit error into one GitHubApiError that says what was asked and what to do. */
export function apiError(what: string, error: unknown, scope?: string): GitHubApiError {
  const e = error as { status?: number; message?: string; response?: { data?: { message?: string } } };
  const status = typeof e.status === "number" ? e.status : undefined;
  const message = e.response?.data?.message ?? e.message ?? String(error);
  let hint = "";
  if (status === 403 && /not accessible by integration/i.test(message)) {
    hint = scope ? ` (needs ${scope}; ${FORBIDDEN_HELP})` : ` (${FORBIDDEN_HELP})`;
  } else if (status === 401) {
    hint = " (the github-token input is missing or invalid)";
  }
  return new GitHubApiError(`${what}: ${status ?? "error"} ${message}${hint}`, status);
}

/** An app permission name as a workflow's `permissions:` key spells it (`pull_requests` → `pull-requests`). */
function workflowScope(permission: ReadPermission): string {
  return permission.replace("_", "-");
}

/**
 * The calls the Action makes to GitHub's REST API, one method each, over an Octokit from
 * `@actions/github`. Errors come out as GitHubApiError with a fix-it hint.
 */
export class GitHubClient {
  private readonly reads: ReadTarget;

  constructor(
    readonly octokit: Octokit,
    readonly repo: RepoRef,
  ) {
    this.reads = {
      octokit,
      repo,
      fail: (what, error, permission) => apiError(what, error, workflowScope(permission)),
    };
  }

  static create(token: string, repo: RepoRef, baseUrl?: string): GitHubClient {
    const octokit = getOctokit(token, {
      ...(baseUrl ? { baseUrl } : {}),
      request: { retries: 0 },
    });
    return new GitHubClient(octokit, repo);
  }

  listIssueComments(issue: number): Promise<IssueComment[]> {
    return listIssueComments(this.reads, issue);
  }

  async createIssueComment(issue: number, body: string): Promise<IssueComment> {
    try {
      const { data } = await this.octokit.rest.issues.createComment({
        ...this.repo,
        issue_number: issue,
        body,
      });
      return toIssueComment(data);
    } catch (error) {
      throw apiError(`commenting on #${issue}`, error, "pull-requests: write");
    }
  }

  async updateIssueComment(id: number, body: string): Promise<IssueComment> {
    try {
      const { data } = await this.octokit.rest.issues.updateComment({ ...this.repo, comment_id: id, body });
      return toIssueComment(data);
    } catch (error) {
      throw apiError(`updating comment ${id}`, error, "pull-requests: write");
    }
  }

  async deleteIssueComment(id: number): Promise<void> {
    try {
      await this.octokit.rest.issues.deleteComment({ ...this.repo, comment_id: id });
    } catch (error) {
      throw apiError(`deleting comment ${id}`, error, "pull-requests: write");
    }
  }

  async defaultBranch(): Promise<string> {
    try {
      const { data } = await this.octokit.rest.repos.get({ ...this.repo });
      return data.default_branch;
    } catch (error) {
      throw apiError("reading the repository", error, "contents: read");
    }
  }

  getPull(number: number): Promise<PullRequest> {
    return getPull(this.reads, number);
  }

  async findOpenPull(headBranch: string): Promise<PullRequest | null> {
    try {
      const { data } = await this.octokit.rest.pulls.list({
        ...this.repo,
        state: "open",
        head: `${this.repo.owner}:${headBranch}`,
        per_page: 10,
      });
      return data[0] ? toPull(data[0]) : null;
    } catch (error) {
      throw apiError(`looking for an open pull request from ${headBranch}`, error, "pull-requests: read");
    }
  }

  async createPull(input: { head: string; base: string; title: string; body: string }): Promise<PullRequest> {
    try {
      const { data } = await this.octokit.rest.pulls.create({ ...this.repo, ...input });
      return toPull(data);
    } catch (error) {
      throw apiError(`opening a pull request from ${input.head}`, error, "pull-requests: write");
    }
  }

  async updatePull(number: number, input: { title: string; body: string }): Promise<PullRequest> {
    try {
      const { data } = await this.octokit.rest.pulls.update({ ...this.repo, pull_number: number, ...input });
      return toPull(data);
    } catch (error) {
      throw apiError(`updating pull request #${number}`, error, "pull-requests: write");
    }
  }

  /** A file's bytes at a ref; null when the file (or the ref) does not exist. */
  getFile(path: string, ref: string): Promise<{ content: Buffer; sha: string } | null> {
    return getFile(this.reads, path, ref);
  }

  /** A folder's entries at a ref; null when it (or the ref) does not exist. */
  listDir(path: string, ref: string): Promise<DirEntry[] | null> {
    return listDir(this.reads, path, ref);
  }

  /** Creates a file on a branch (one commit). Conflicts come out with status 409. */
  async createFile(input: { path: string; branch: string; content: Buffer; message: string }): Promise<void> {
    try {
      await this.octokit.rest.repos.createOrUpdateFileContents({
        ...this.repo,
        path: input.path,
        branch: input.branch,
        message: input.message,
        content: input.content.toString("base64"),
      });
    } catch (error) {
      throw apiError(`writing ${input.path} to ${input.branch}`, error, "contents: write");
    }
  }

  /** The commit a branch points at; null when the branch does not exist. */
  branchSha(branch: string): Promise<string | null> {
    return branchSha(this.reads, branch);
  }

  /** Every blob of a commit's tree with its path (recursive). */
  async listTree(commitSha: string): Promise<Array<{ path: string; sha: string; type: string }>> {
    try {
      const { data: commit } = await this.octokit.rest.git.getCommit({ ...this.repo, commit_sha: commitSha });
      const { data } = await this.octokit.rest.git.getTree({
        ...this.repo,
        tree_sha: commit.tree.sha,
        recursive: "1",
      });
      return data.tree.flatMap((e) =>
        e.path && e.sha && e.type ? [{ path: e.path, sha: e.sha, type: e.type }] : [],
      );
    } catch (error) {
      throw apiError(`reading the tree of ${commitSha}`, error, "contents: read");
    }
  }

  async getBlob(sha: string): Promise<Buffer> {
    try {
      const { data } = await this.octokit.rest.git.getBlob({ ...this.repo, file_sha: sha });
      return Buffer.from(data.content, data.encoding === "base64" ? "base64" : "utf8");
    } catch (error) {
      throw apiError(`reading blob ${sha}`, error, "contents: read");
    }
  }

  /**
   * One commit that adds `files` on top of `parentSha` (or with no parent), through the Git
   * Data API: a tree on the parent's tree, then the commit. Returns the new commit's sha.
   */
  async commitFiles(input: {
    parentSha: string | null;
    files: ReadonlyArray<{ path: string; content: string }>;
    message: string;
  }): Promise<string> {
    try {
      let baseTree: string | undefined;
      if (input.parentSha) {
        const { data } = await this.octokit.rest.git.getCommit({ ...this.repo, commit_sha: input.parentSha });
        baseTree = data.tree.sha;
      }
      const { data: tree } = await this.octokit.rest.git.createTree({
        ...this.repo,
        ...(baseTree ? { base_tree: baseTree } : {}),
        tree: input.files.map((f) => ({
          path: f.path,
          mode: "100644" as const,
          type: "blob" as const,
          content: f.content,
        })),
      });
      const { data: commit } = await this.octokit.rest.git.createCommit({
        ...this.repo,
        message: input.message,
        tree: tree.sha,
        parents: input.parentSha ? [input.parentSha] : [],
      });
      return commit.sha;
    } catch (error) {
      throw apiError("making a commit", error, "contents: write");
    }
  }

  /** Points a branch at a commit: creates it, or moves it (force when asked). */
  async setBranch(branch: string, sha: string, options: { force: boolean }): Promise<"created" | "updated"> {
    const exists = (await this.branchSha(branch)) !== null;
    try {
      if (!exists) {
        await this.octokit.rest.git.createRef({ ...this.repo, ref: `refs/heads/${branch}`, sha });
        return "created";
      }
      await this.octokit.rest.git.updateRef({
        ...this.repo,
        ref: `heads/${branch}`,
        sha,
        force: options.force,
      });
      return "updated";
    } catch (error) {
      throw apiError(`${exists ? "moving" : "creating"} branch ${branch}`, error, "contents: write");
    }
  }
}
