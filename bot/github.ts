import type { ProbotOctokit } from "probot";
import {
  branchSha,
  type DirEntry,
  getFile,
  getPull,
  type IssueComment,
  listDir,
  listIssueComments,
  type PullRequest,
  type ReadTarget,
  type RepoRef,
  toIssueComment,
} from "../action/github-reads.js";
import { ConfigError } from "../core/errors.js";
import type { ChangedPath } from "../scenario-gen/pr-scenario.js";
import { appApiError, statusOf } from "./fix-it.js";

/** The Octokit a Probot context carries (`context.octokit`). */
export type Octokit = InstanceType<typeof ProbotOctokit>;

/** What the app logs through: Probot's pino logger fits, and so does a test's recorder. */
export interface BotLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type { DirEntry, IssueComment, RepoRef } from "../action/github-reads.js";

export interface RepoInfo {
  fullName: string;
  defaultBranch: string;
  archived: boolean;
}

/** A pull request as the app reads it. */
export type PullInfo = PullRequest;

export interface ArtifactInfo {
  id: number;
  name: string;
  sizeInBytes: number;
  expired: boolean;
  createdAt: string | null;
}

export interface WorkflowInfo {
  id: number;
  path: string;
  state: string;
}

export type ReactionContent = "+1" | "-1" | "laugh" | "confused" | "heart" | "hooray" | "rocket" | "eyes";

export type CheckConclusion = "success" | "neutral" | "failure";

/**
 * The GitHub calls the app makes, one method each, over the Octokit of a webhook's context.
 * Failures come out as GitHubApiError with a fix-it hint. In a dry run every write is logged
 * (`dry run: would ...`) instead of made, and returns a stand-in; reads still happen.
 */
export class BotGitHub {
  private readonly reads: ReadTarget;

  constructor(
    readonly octokit: Octokit,
    readonly repo: RepoRef,
    private readonly log: BotLog,
    readonly dryRun = false,
  ) {
    this.reads = {
      octokit,
      repo,
      fail: (what, error, permission) => appApiError(`${what} of ${this.fullName}`, error, permission),
    };
  }

  /** The same client, dry or not. */
  withDryRun(dryRun: boolean): BotGitHub {
    return dryRun === this.dryRun ? this : new BotGitHub(this.octokit, this.repo, this.log, dryRun);
  }

  get fullName(): string {
    return `${this.repo.owner}/${this.repo.repo}`;
  }

  private async write<T>(description: string, standIn: T, call: () => Promise<T>): Promise<T> {
    if (this.dryRun) {
      this.log.info(`dry run: would ${description} in ${this.fullName}`);
      return standIn;
    }
    return call();
  }

  // --- reads -----------------------------------------------------------------------------------

  async repoInfo(): Promise<RepoInfo> {
    try {
      const { data } = await this.octokit.rest.repos.get({ ...this.repo });
      return { fullName: data.full_name, defaultBranch: data.default_branch, archived: data.archived };
    } catch (error) {
      throw appApiError(`reading ${this.fullName}`, error, "metadata: read");
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

  /** A workflow by file name; null when the repository has none by that name. */
  async workflow(file: string): Promise<WorkflowInfo | null> {
    try {
      const { data } = await this.octokit.rest.actions.getWorkflow({ ...this.repo, workflow_id: file });
      return { id: data.id, path: data.path, state: data.state };
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw appApiError(`looking for workflow ${file} in ${this.fullName}`, error, "actions: read");
    }
  }

  pull(number: number): Promise<PullInfo> {
    return getPull(this.reads, number);
  }

  /** The paths a pull request changes (GitHub lists up to 3,000); a rename is a removal and an addition. */
  async pullFiles(number: number): Promise<ChangedPath[]> {
    try {
      const files = await this.octokit.paginate(this.octokit.rest.pulls.listFiles, {
        ...this.repo,
        pull_number: number,
        per_page: 100,
      });
      return files.flatMap((f): ChangedPath[] => {
        if (f.status === "renamed" && f.previous_filename) {
          return [{ path: f.previous_filename, deleted: true }, { path: f.filename }];
        }
        return [{ path: f.filename, ...(f.status === "removed" ? { deleted: true } : {}) }];
      });
    } catch (error) {
      throw appApiError(
        `listing the files of pull request #${number} of ${this.fullName}`,
        error,
        "pull_requests: read",
      );
    }
  }

  /** A user's permission on the repository: admin, write, read or none (maintain counts as write). */
  async permission(login: string): Promise<string> {
    try {
      const { data } = await this.octokit.rest.repos.getCollaboratorPermissionLevel({
        ...this.repo,
        username: login,
      });
      return data.permission;
    } catch (error) {
      if (statusOf(error) === 404) return "none";
      throw appApiError(`checking the permission of @${login} on ${this.fullName}`, error, "metadata: read");
    }
  }

  listIssueComments(issue: number): Promise<IssueComment[]> {
    return listIssueComments(this.reads, issue);
  }

  /** The commit a branch points at; null when there is no such branch (or the repository is empty). */
  branchSha(branch: string): Promise<string | null> {
    return branchSha(this.reads, branch, { emptyRepoIsMissing: true });
  }

  /** Pull requests (open or closed) from a branch of this repository. */
  async pullsFrom(branch: string): Promise<Array<{ number: number; state: string; html_url: string }>> {
    try {
      const { data } = await this.octokit.rest.pulls.list({
        ...this.repo,
        state: "all",
        head: `${this.repo.owner}:${branch}`,
        per_page: 10,
      });
      // Filtered here too: the head filter is the only thing between a branch and another PR.
      return data
        .filter(
          (p) =>
            p.head.ref === branch && p.head.repo?.full_name?.toLowerCase() === this.fullName.toLowerCase(),
        )
        .map((p) => ({ number: p.number, state: p.state, html_url: p.html_url }));
    } catch (error) {
      throw appApiError(
        `looking for pull requests from ${branch} in ${this.fullName}`,
        error,
        "pull_requests: read",
      );
    }
  }

  async runArtifacts(runId: number, name: string): Promise<ArtifactInfo[]> {
    try {
      const { data } = await this.octokit.rest.actions.listWorkflowRunArtifacts({
        ...this.repo,
        run_id: runId,
        name,
        per_page: 100,
      });
      return data.artifacts.map((a) => ({
        id: a.id,
        name: a.name,
        sizeInBytes: a.size_in_bytes,
        expired: a.expired,
        createdAt: a.created_at ?? null,
      }));
    } catch (error) {
      throw appApiError(`listing the artifacts of run ${runId} in ${this.fullName}`, error, "actions: read");
    }
  }

  /**
   * An artifact's zip, read as a stream and refused past `maxBytes`. GitHub answers with a
   * redirect to a short-lived storage URL, which fetch follows without the app's token.
   */
  async downloadArtifact(id: number, maxBytes: number): Promise<Uint8Array> {
    let data: unknown;
    try {
      const response = await this.octokit.request(
        "GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}",
        {
          ...this.repo,
          artifact_id: id,
          archive_format: "zip",
          request: { parseSuccessResponseBody: false },
        },
      );
      data = response.data;
    } catch (error) {
      throw appApiError(`downloading artifact ${id} of ${this.fullName}`, error, "actions: read");
    }
    return readCapped(data, maxBytes, `artifact ${id}`);
  }

  // --- writes ----------------------------------------------------------------------------------

  async dispatchWorkflow(file: string, ref: string, inputs: Record<string, string>): Promise<void> {
    await this.write(`dispatch ${file} on ${ref} with ${JSON.stringify(inputs)}`, undefined, async () => {
      await this.octokit.rest.actions.createWorkflowDispatch({
        ...this.repo,
        workflow_id: file,
        ref,
        inputs,
      });
    });
  }

  async createIssueComment(issue: number, body: string): Promise<IssueComment> {
    return this.write(
      `comment on #${issue}: ${JSON.stringify(firstLine(body))}`,
      { id: 0, body, html_url: "", user_type: null },
      async () => {
        try {
          const { data } = await this.octokit.rest.issues.createComment({
            ...this.repo,
            issue_number: issue,
            body,
          });
          return toIssueComment(data);
        } catch (error) {
          throw appApiError(`commenting on #${issue} of ${this.fullName}`, error, "issues: write");
        }
      },
    );
  }

  async updateIssueComment(id: number, body: string): Promise<IssueComment> {
    return this.write(`update comment ${id}`, { id, body, html_url: "", user_type: null }, async () => {
      try {
        const { data } = await this.octokit.rest.issues.updateComment({ ...this.repo, comment_id: id, body });
        return toIssueComment(data);
      } catch (error) {
        throw appApiError(`updating comment ${id} of ${this.fullName}`, error, "issues: write");
      }
    });
  }

  async deleteIssueComment(id: number): Promise<void> {
    await this.write(`delete comment ${id}`, undefined, async () => {
      try {
        await this.octokit.rest.issues.deleteComment({ ...this.repo, comment_id: id });
      } catch (error) {
        throw appApiError(`deleting comment ${id} of ${this.fullName}`, error, "issues: write");
      }
    });
  }

  async addReaction(commentId: number, content: ReactionContent): Promise<void> {
    await this.write(`react ${content} to comment ${commentId}`, undefined, async () => {
      try {
        await this.octokit.rest.reactions.createForIssueComment({
          ...this.repo,
          comment_id: commentId,
          content,
        });
      } catch (error) {
        throw appApiError(`reacting to comment ${commentId} of ${this.fullName}`, error, "issues: write");
      }
    });
  }

  async createCheckRun(input: {
    name: string;
    headSha: string;
    conclusion: CheckConclusion;
    title: string;
    summary: string;
    detailsUrl?: string;
    externalId?: string;
  }): Promise<void> {
    const description = `create check run "${input.name}" (${input.conclusion}: ${input.title}) on ${input.headSha.slice(0, 7)}`;
    await this.write(description, undefined, async () => {
      try {
        await this.octokit.rest.checks.create({
          ...this.repo,
          name: input.name,
          head_sha: input.headSha,
          status: "completed",
          conclusion: input.conclusion,
          ...(input.detailsUrl ? { details_url: input.detailsUrl } : {}),
          ...(input.externalId ? { external_id: input.externalId } : {}),
          output: { title: input.title, summary: input.summary },
        });
      } catch (error) {
        throw appApiError(`creating a check run in ${this.fullName}`, error, "checks: write");
      }
    });
  }

  async createBranch(branch: string, sha: string): Promise<void> {
    await this.write(`create branch ${branch} at ${sha.slice(0, 7)}`, undefined, async () => {
      try {
        await this.octokit.rest.git.createRef({ ...this.repo, ref: `refs/heads/${branch}`, sha });
      } catch (error) {
        throw appApiError(`creating branch ${branch} in ${this.fullName}`, error, "contents: write");
      }
    });
  }

  async deleteBranch(branch: string): Promise<void> {
    await this.write(`delete branch ${branch}`, undefined, async () => {
      try {
        await this.octokit.rest.git.deleteRef({ ...this.repo, ref: `heads/${branch}` });
      } catch (error) {
        throw appApiError(`deleting branch ${branch} in ${this.fullName}`, error, "contents: write");
      }
    });
  }

  /** Adds a file on a branch (one commit). A file under .github/workflows needs `workflows: write` too. */
  async createFile(input: { branch: string; path: string; content: string; message: string }): Promise<void> {
    await this.write(`add ${input.path} on ${input.branch}`, undefined, async () => {
      try {
        await this.octokit.rest.repos.createOrUpdateFileContents({
          ...this.repo,
          path: input.path,
          branch: input.branch,
          message: input.message,
          content: Buffer.from(input.content).toString("base64"),
        });
      } catch (error) {
        const workflow = input.path.startsWith(".github/workflows/");
        throw appApiError(
          `adding ${input.path} to ${input.branch} of ${this.fullName}`,
          error,
          workflow ? "workflows: write" : "contents: write",
        );
      }
    });
  }

  async createPull(input: {
    head: string;
    base: string;
    title: string;
    body: string;
  }): Promise<{ number: number; html_url: string }> {
    return this.write(
      `open a pull request "${input.title}" from ${input.head}`,
      { number: 0, html_url: "" },
      async () => {
        try {
          const { data } = await this.octokit.rest.pulls.create({ ...this.repo, ...input });
          return { number: data.number, html_url: data.html_url };
        } catch (error) {
          throw appApiError(
            `opening a pull request from ${input.head} in ${this.fullName}`,
            error,
            "pull_requests: write",
          );
        }
      },
    );
  }
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

/** Bytes of a response body (a stream, or already read), refused past `maxBytes`. */
async function readCapped(data: unknown, maxBytes: number, what: string): Promise<Uint8Array> {
  const tooLarge = () => new ConfigError(`larger than ${maxBytes} bytes; refusing to read it`, what);
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    const bytes =
      data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (bytes.length > maxBytes) throw tooLarge();
    return bytes;
  }
  if (data instanceof ReadableStream) {
    const reader = (data as ReadableStream<Uint8Array>).getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks);
  }
  throw new ConfigError("GitHub sent no bytes for it", what);
}
