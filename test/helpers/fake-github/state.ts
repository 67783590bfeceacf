/**
 * The fake's in-memory GitHub: accounts, tokens, repositories (with a tiny git each), issues
 * and pull requests, comments, check runs, workflows, artifacts, apps and installations.
 * Tests seed it directly and inspect it after driving the fake over HTTP.
 */
import { type GitSignature, GitStore } from "./git.js";

export type PermissionLevel = "read" | "write" | "admin";
/** GitHub App permission names (`contents`, `pull_requests`, `issues`, `checks`, `actions`, `metadata`, ...). */
export type PermissionName =
  | "actions"
  | "checks"
  | "contents"
  | "issues"
  | "metadata"
  | "pull_requests"
  | "statuses"
  | "workflows"
  | (string & {});
export type Permissions = Partial<Record<PermissionName, PermissionLevel>>;

/** A repository role as `GET /collaborators/{username}/permission` reports it. */
export type RepoRole = "admin" | "maintain" | "write" | "triage" | "read";

export interface FakeAccount {
  login: string;
  id: number;
  type: "User" | "Bot" | "Organization";
}

export interface TokenGrant {
  token: string;
  permissions: Permissions;
  /** Who the token acts as (comment authors, PR authors). */
  account: FakeAccount;
  /** Full names (`owner/name`) the token may see; all repositories when absent. */
  repositories?: string[];
  /** Set for installation tokens handed out by `POST /app/installations/{id}/access_tokens`. */
  installationId?: number;
}

export interface TokenOptions {
  /** Login the token acts as; default `github-actions[bot]`. */
  login?: string;
  type?: FakeAccount["type"];
  repositories?: string[];
}

export interface FakeApp {
  id: number;
  slug: string;
  name: string;
  owner: FakeAccount;
  /**
   * PEM public key to verify the RS256 app JWT (Probot signs with the private key). Without
   * it, any well-formed JWT whose `iss` is the app id is accepted.
   */
  publicKey?: string;
  permissions: Permissions;
  events: string[];
}

export interface FakeInstallation {
  id: number;
  account: FakeAccount;
  /** The token `POST /app/installations/{id}/access_tokens` returns (registered with its permissions). */
  token: string;
  permissions: Permissions;
  /** Full names; all of the account's repositories when absent. */
  repositories?: string[];
  events: string[];
  createdAt: string;
}

export interface ReactionState {
  id: number;
  content: string;
  user: FakeAccount;
  createdAt: string;
}

export interface CommentState {
  id: number;
  issueNumber: number;
  body: string;
  user: FakeAccount;
  createdAt: string;
  updatedAt: string;
  reactions: ReactionState[];
}

export interface PullDetails {
  id: number;
  head: { repo: FakeRepo; ref: string; sha: string };
  base: { ref: string };
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  maintainerCanModify: boolean;
}

/** An issue; pull requests are issues with `pull` set (they share the number sequence). */
export interface IssueState {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  user: FakeAccount;
  labels: string[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  pull?: PullDetails;
}

export interface CheckRunState {
  id: number;
  name: string;
  headSha: string;
  status: "queued" | "in_progress" | "completed" | "waiting" | "requested" | "pending";
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
  detailsUrl: string | null;
  externalId: string | null;
  output: { title: string | null; summary: string | null; text: string | null; annotationsCount: number };
  checkSuiteId: number;
  /** Everything the last create/update sent (annotations, actions, ...). */
  raw: Record<string, unknown>;
}

export interface WorkflowState {
  id: number;
  name: string;
  path: string;
  state: "active" | "disabled_manually" | "disabled_inactivity" | "deleted" | "disabled_fork";
  createdAt: string;
  updatedAt: string;
}

export interface ArtifactState {
  id: number;
  name: string;
  runId: number;
  zip: Buffer;
  expired: boolean;
  createdAt: string;
  expiresAt: string;
  headBranch: string | null;
  headSha: string | null;
}

export interface WorkflowDispatchRecord {
  workflow: WorkflowState;
  ref: string;
  inputs: Record<string, unknown>;
  by: FakeAccount;
}

export interface RepositoryDispatchRecord {
  eventType: string;
  clientPayload: Record<string, unknown>;
  by: FakeAccount;
}

export interface CreateRepoOptions {
  owner: string;
  name: string;
  defaultBranch?: string;
  private?: boolean;
  /** Files of the initial commit on the default branch (none: an empty repository). */
  files?: Record<string, string | Buffer>;
  message?: string;
  /** Makes this repository a fork of `forkOf` (`owner/name`), sharing its objects and copying its refs. */
  forkOf?: string;
  ownerType?: "User" | "Organization";
}

export interface AddPullOptions {
  /** Branch name, or `owner:branch` for a branch in a fork. */
  head: string;
  base?: string;
  title?: string;
  body?: string | null;
  user?: string;
  state?: "open" | "closed";
  draft?: boolean;
  merged?: boolean;
}

export class FakeRepo {
  readonly id: number;
  readonly nodeId: string;
  readonly owner: FakeAccount;
  readonly name: string;
  defaultBranch: string;
  private: boolean;
  readonly parent: FakeRepo | undefined;
  readonly git: GitStore;
  readonly createdAt: string;
  pushedAt: string;
  /** Issues and pull requests by number. */
  readonly issues = new Map<number, IssueState>();
  readonly comments = new Map<number, CommentState>();
  readonly checkRuns = new Map<number, CheckRunState>();
  readonly workflows = new Map<number, WorkflowState>();
  readonly artifacts = new Map<number, ArtifactState>();
  /** login (lower case) → role. The owner is admin. */
  readonly collaborators = new Map<string, RepoRole>();
  readonly workflowDispatches: WorkflowDispatchRecord[] = [];
  readonly repositoryDispatches: RepositoryDispatchRecord[] = [];
  private nextNumber = 1;

  constructor(
    private readonly world: FakeState,
    options: CreateRepoOptions,
  ) {
    this.id = world.nextId();
    this.nodeId = nodeId("R_kgDO", this.id);
    this.owner = world.account(options.owner, options.ownerType ?? "User");
    this.name = options.name;
    this.defaultBranch = options.defaultBranch ?? "main";
    this.private = options.private ?? false;
    this.createdAt = world.now();
    this.pushedAt = this.createdAt;
    this.parent = options.forkOf ? world.repo(options.forkOf) : undefined;
    this.git = new GitStore(this.parent?.git.objects);
    if (this.parent) {
      for (const [ref, sha] of this.parent.git.refs) this.git.refs.set(ref, sha);
      if (!options.defaultBranch) this.defaultBranch = this.parent.defaultBranch;
    }
    if (options.files)
      this.commitFiles(this.defaultBranch, options.files, options.message ?? "Initial commit");
  }

  get fullName(): string {
    return `${this.owner.login}/${this.name}`;
  }
  get fork(): boolean {
    return this.parent !== undefined;
  }

  /** A signature at the fake's clock. */
  signature(login = this.owner.login): GitSignature {
    return {
      name: login,
      email: `${login.replace(/\[bot\]$/, "")}@users.noreply.github.com`,
      date: this.world.now(),
    };
  }

  /** Commits `files` (null deletes) on `branch` (created from the default branch if new); returns the SHA. */
  commitFiles(
    branch: string,
    files: Record<string, string | Buffer | null>,
    message = "Update files",
  ): string {
    const from = this.git.refs.has(`refs/heads/${this.defaultBranch}`) ? this.defaultBranch : undefined;
    const sha = this.git.commitFiles(branch, files, {
      message,
      author: this.signature(),
      ...(from ? { from } : {}),
    });
    this.pushedAt = this.world.now();
    return sha;
  }

  /** Creates `branch` at a commit-ish (default: the default branch's head). */
  createBranch(branch: string, from = this.defaultBranch): string {
    const sha = this.git.resolve(from);
    if (!sha) throw new Error(`${this.fullName}: cannot resolve ${from}`);
    this.git.refs.set(`refs/heads/${branch}`, sha);
    return sha;
  }

  branchSha(branch: string): string | undefined {
    return this.git.refs.get(`refs/heads/${branch}`);
  }

  /** Text of every file at a commit-ish (default: the default branch). */
  files(refish = this.defaultBranch): Record<string, string> {
    return this.git.files(refish);
  }

  readFile(path: string, refish = this.defaultBranch): string | undefined {
    return this.git.readFile(refish, path);
  }

  takeNumber(): number {
    return this.nextNumber++;
  }

  addIssue(options: {
    title: string;
    body?: string | null;
    user?: string;
    state?: "open" | "closed";
  }): IssueState {
    const now = this.world.now();
    const issue: IssueState = {
      id: this.world.nextId(),
      number: this.takeNumber(),
      title: options.title,
      body: options.body ?? null,
      state: options.state ?? "open",
      user: this.world.account(options.user ?? this.owner.login),
      labels: [],
      createdAt: now,
      updatedAt: now,
      closedAt: options.state === "closed" ? now : null,
    };
    this.issues.set(issue.number, issue);
    return issue;
  }

  /** Resolves a PR head (`branch` or `owner:branch`) to the repository holding the branch. */
  headRepo(head: string): { repo: FakeRepo; ref: string } | undefined {
    const colon = head.indexOf(":");
    if (colon < 0) return { repo: this, ref: head };
    const owner = head.slice(0, colon).toLowerCase();
    const ref = head.slice(colon + 1);
    if (owner === this.owner.login.toLowerCase()) return { repo: this, ref };
    const fork = [...this.world.repos.values()].find(
      (r) => r.owner.login.toLowerCase() === owner && (r.parent === this || r.name === this.name),
    );
    return fork ? { repo: fork, ref } : undefined;
  }

  /** Seeds a pull request (the head branch must exist, in this repository or a fork). */
  addPull(options: AddPullOptions): IssueState {
    const head = this.headRepo(options.head);
    const headSha = head ? head.repo.branchSha(head.ref) : undefined;
    if (!head || !headSha) throw new Error(`${this.fullName}: no head branch ${options.head}`);
    const issue = this.addIssue({
      title: options.title ?? `Pull request from ${options.head}`,
      body: options.body ?? null,
      user: options.user ?? head.repo.owner.login,
      state: options.state ?? "open",
    });
    const merged = options.merged ?? false;
    issue.pull = {
      id: this.world.nextId(),
      head: { repo: head.repo, ref: head.ref, sha: headSha },
      base: { ref: options.base ?? this.defaultBranch },
      draft: options.draft ?? false,
      merged,
      mergedAt: merged ? issue.createdAt : null,
      mergeCommitSha: null,
      maintainerCanModify: false,
    };
    if (merged) {
      issue.state = "closed";
      issue.closedAt = issue.createdAt;
    }
    return issue;
  }

  pull(number: number): IssueState | undefined {
    const issue = this.issues.get(number);
    return issue?.pull ? issue : undefined;
  }

  /** Pull requests, oldest first. */
  pulls(): IssueState[] {
    return [...this.issues.values()].filter((i) => i.pull !== undefined);
  }

  /** Seeds a comment on an issue or pull request. */
  addComment(issueNumber: number, body: string, user?: string): CommentState {
    if (!this.issues.has(issueNumber)) throw new Error(`${this.fullName}: no issue #${issueNumber}`);
    const now = this.world.now();
    const comment: CommentState = {
      id: this.world.nextId(),
      issueNumber,
      body,
      user: this.world.account(user ?? this.owner.login),
      createdAt: now,
      updatedAt: now,
      reactions: [],
    };
    this.comments.set(comment.id, comment);
    return comment;
  }

  /** Comments on one issue or pull request, oldest first. */
  commentsOn(issueNumber: number): CommentState[] {
    return [...this.comments.values()].filter((c) => c.issueNumber === issueNumber);
  }

  setCollaborator(login: string, role: RepoRole): void {
    this.world.account(login);
    this.collaborators.set(login.toLowerCase(), role);
  }

  role(login: string): RepoRole | undefined {
    if (login.toLowerCase() === this.owner.login.toLowerCase()) return "admin";
    return this.collaborators.get(login.toLowerCase());
  }

  addWorkflow(options: {
    name: string;
    path: string;
    id?: number;
    state?: WorkflowState["state"];
  }): WorkflowState {
    const now = this.world.now();
    const workflow: WorkflowState = {
      id: options.id ?? this.world.nextId(),
      name: options.name,
      path: options.path,
      state: options.state ?? "active",
      createdAt: now,
      updatedAt: now,
    };
    this.workflows.set(workflow.id, workflow);
    return workflow;
  }

  /** A workflow by numeric id or by file name (`ci.yml`), as the dispatch endpoint accepts. */
  findWorkflow(idOrFile: string | number): WorkflowState | undefined {
    const text = String(idOrFile);
    return [...this.workflows.values()].find(
      (w) => String(w.id) === text || w.path === text || w.path.split("/").pop() === text,
    );
  }

  addArtifact(options: {
    runId: number;
    name: string;
    zip: Buffer | Uint8Array;
    id?: number;
    expired?: boolean;
    headBranch?: string;
    headSha?: string;
  }): ArtifactState {
    const now = this.world.now();
    const artifact: ArtifactState = {
      id: options.id ?? this.world.nextId(),
      name: options.name,
      runId: options.runId,
      zip: Buffer.from(options.zip),
      expired: options.expired ?? false,
      createdAt: now,
      expiresAt: new Date(Date.parse(now) + 90 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
      headBranch: options.headBranch ?? null,
      headSha: options.headSha ?? null,
    };
    this.artifacts.set(artifact.id, artifact);
    return artifact;
  }
}

export function nodeId(prefix: string, id: number): string {
  return `${prefix}${Buffer.from(`fake:${id}`).toString("base64url")}`;
}

export interface FakeStateOptions {
  /** The fake's clock; default starts at 2025-01-01T00:00:00Z and advances one second per reading. */
  now?: () => Date;
}

export class FakeState {
  readonly repos = new Map<string, FakeRepo>();
  readonly tokens = new Map<string, TokenGrant>();
  readonly accounts = new Map<string, FakeAccount>();
  readonly installations = new Map<number, FakeInstallation>();
  app: FakeApp | undefined;
  private idCounter = 1000;
  private tick = Date.UTC(2025, 0, 1);
  private readonly clock: (() => Date) | undefined;

  constructor(options: FakeStateOptions = {}) {
    this.clock = options.now;
    this.accounts.set("github-actions[bot]", { login: "github-actions[bot]", id: 41898282, type: "Bot" });
  }

  nextId(): number {
    return ++this.idCounter;
  }

  /** ISO time without milliseconds, like GitHub's timestamps. */
  now(): string {
    if (this.clock)
      return this.clock()
        .toISOString()
        .replace(/\.\d{3}Z$/, "Z");
    this.tick += 1000;
    return new Date(this.tick).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  /** The account with this login, created on first use. */
  account(login: string, type?: FakeAccount["type"]): FakeAccount {
    const key = login.toLowerCase();
    let account = this.accounts.get(key);
    if (!account) {
      account = { login, id: this.nextId(), type: type ?? (login.endsWith("[bot]") ? "Bot" : "User") };
      this.accounts.set(key, account);
    }
    return account;
  }

  addToken(token: string, permissions: Permissions, options: TokenOptions = {}): TokenGrant {
    const grant: TokenGrant = {
      token,
      permissions: { metadata: "read", ...permissions },
      account: this.account(options.login ?? "github-actions[bot]", options.type),
      ...(options.repositories ? { repositories: options.repositories } : {}),
    };
    this.tokens.set(token, grant);
    return grant;
  }

  createRepo(options: CreateRepoOptions): FakeRepo {
    const key = `${options.owner}/${options.name}`.toLowerCase();
    if (this.repos.has(key)) throw new Error(`repository ${key} already exists`);
    const repo = new FakeRepo(this, options);
    this.repos.set(key, repo);
    return repo;
  }

  /** The repository `owner/name` (case-insensitive); throws when missing. */
  repo(fullName: string): FakeRepo {
    const repo = this.findRepo(fullName);
    if (!repo) throw new Error(`no repository ${fullName}`);
    return repo;
  }

  findRepo(fullName: string): FakeRepo | undefined {
    return this.repos.get(fullName.toLowerCase());
  }

  setApp(options: {
    id: number;
    slug: string;
    name?: string;
    owner?: string;
    publicKey?: string;
    permissions?: Permissions;
    events?: string[];
  }): FakeApp {
    this.app = {
      id: options.id,
      slug: options.slug,
      name: options.name ?? options.slug,
      owner: this.account(options.owner ?? "repogym-org", "Organization"),
      ...(options.publicKey ? { publicKey: options.publicKey } : {}),
      permissions: options.permissions ?? { metadata: "read" },
      events: options.events ?? [],
    };
    return this.app;
  }

  /**
   * An installation of the app on `account`; its access-token endpoint returns `token`,
   * registered here with `permissions` (and limited to `repositories` when given).
   */
  addInstallation(options: {
    id: number;
    account: string;
    token: string;
    permissions: Permissions;
    repositories?: string[];
    events?: string[];
    accountType?: FakeAccount["type"];
  }): FakeInstallation {
    const installation: FakeInstallation = {
      id: options.id,
      account: this.account(options.account, options.accountType),
      token: options.token,
      permissions: { metadata: "read", ...options.permissions },
      ...(options.repositories ? { repositories: options.repositories } : {}),
      events: options.events ?? [],
      createdAt: this.now(),
    };
    this.installations.set(installation.id, installation);
    const login = this.app ? `${this.app.slug}[bot]` : "repogym[bot]";
    const grant = this.addToken(options.token, installation.permissions, {
      login,
      type: "Bot",
      ...(options.repositories ? { repositories: options.repositories } : {}),
    });
    grant.installationId = installation.id;
    return installation;
  }

  /** Whether an installation covers a repository. */
  installationCovers(installation: FakeInstallation, repo: FakeRepo): boolean {
    if (installation.account.login.toLowerCase() !== repo.owner.login.toLowerCase()) return false;
    return (
      !installation.repositories ||
      installation.repositories.some((r) => r.toLowerCase() === repo.fullName.toLowerCase())
    );
  }
}
