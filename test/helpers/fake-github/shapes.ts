/**
 * Response bodies in GitHub's shapes (the fake's tests check them against the description's
 * response schemas). `api` is the fake's own base URL, so `url` fields can be followed;
 * `html` is where `html_url`s point (github.com by default).
 */
import type { CommitObject, FlatEntry, GitStore } from "./git.js";
import {
  type ArtifactState,
  type CheckRunState,
  type CommentState,
  type FakeAccount,
  type FakeApp,
  type FakeInstallation,
  type FakeRepo,
  type IssueState,
  nodeId,
  type ReactionState,
  type WorkflowState,
} from "./state.js";

export interface Urls {
  api: string;
  html: string;
}

type Body = Record<string, unknown>;

export function user(account: FakeAccount, urls: Urls): Body {
  const api = `${urls.api}/users/${encodeURIComponent(account.login)}`;
  return {
    login: account.login,
    id: account.id,
    node_id: nodeId(account.type === "Bot" ? "BOT_kgDO" : "U_kgDO", account.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${account.id}?v=4`,
    gravatar_id: "",
    url: api,
    html_url: `${urls.html}/${account.login.replace(/\[bot\]$/, "")}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: account.type,
    user_view_type: "public",
    site_admin: false,
  };
}

export function repository(repo: FakeRepo, urls: Urls, full = false): Body {
  const api = `${urls.api}/repos/${repo.fullName}`;
  const openIssues = [...repo.issues.values()].filter((i) => i.state === "open").length;
  const body: Body = {
    id: repo.id,
    node_id: repo.nodeId,
    name: repo.name,
    full_name: repo.fullName,
    private: repo.private,
    owner: user(repo.owner, urls),
    html_url: `${urls.html}/${repo.fullName}`,
    description: null,
    fork: repo.fork,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `git://github.com/${repo.fullName}.git`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@github.com:${repo.fullName}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${urls.html}/${repo.fullName}.git`,
    mirror_url: null,
    hooks_url: `${api}/hooks`,
    svn_url: `${urls.html}/${repo.fullName}`,
    homepage: null,
    language: null,
    forks_count: 0,
    forks: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 0,
    default_branch: repo.defaultBranch,
    open_issues_count: openIssues,
    open_issues: openIssues,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: repo.private ? "private" : "public",
    pushed_at: repo.pushedAt,
    created_at: repo.createdAt,
    updated_at: repo.pushedAt,
    allow_forking: true,
    web_commit_signoff_required: false,
    license: null,
  };
  if (full) {
    body.network_count = 0;
    body.subscribers_count = 0;
    if (repo.parent) {
      body.parent = repository(repo.parent, urls);
      body.source = repository(repo.parent, urls);
    }
  }
  return body;
}

/** GitHub's author_association for a login on a repository. */
export function association(repo: FakeRepo, account: FakeAccount): string {
  const role = repo.role(account.login);
  if (account.login.toLowerCase() === repo.owner.login.toLowerCase()) return "OWNER";
  if (role) return role === "read" || role === "triage" ? "CONTRIBUTOR" : "COLLABORATOR";
  return "NONE";
}

function reactionRollup(url: string, reactions: ReactionState[]): Body {
  const count = (content: string) => reactions.filter((r) => r.content === content).length;
  return {
    url,
    total_count: reactions.length,
    "+1": count("+1"),
    "-1": count("-1"),
    laugh: count("laugh"),
    confused: count("confused"),
    heart: count("heart"),
    hooray: count("hooray"),
    eyes: count("eyes"),
    rocket: count("rocket"),
  };
}

export function issueComment(repo: FakeRepo, comment: CommentState, urls: Urls): Body {
  const api = `${urls.api}/repos/${repo.fullName}`;
  const url = `${api}/issues/comments/${comment.id}`;
  const issue = repo.issues.get(comment.issueNumber);
  const kind = issue?.pull ? "pull" : "issues";
  return {
    id: comment.id,
    node_id: nodeId("IC_kwDO", comment.id),
    url,
    html_url: `${urls.html}/${repo.fullName}/${kind}/${comment.issueNumber}#issuecomment-${comment.id}`,
    body: comment.body,
    user: user(comment.user, urls),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    issue_url: `${api}/issues/${comment.issueNumber}`,
    author_association: association(repo, comment.user),
    performed_via_github_app: null,
    reactions: reactionRollup(`${url}/reactions`, comment.reactions),
  };
}

export function reaction(reactionState: ReactionState, urls: Urls): Body {
  return {
    id: reactionState.id,
    node_id: nodeId("REA_lATO", reactionState.id),
    user: user(reactionState.user, urls),
    content: reactionState.content,
    created_at: reactionState.createdAt,
  };
}

export function issue(repo: FakeRepo, state: IssueState, urls: Urls): Body {
  const api = `${urls.api}/repos/${repo.fullName}`;
  const kind = state.pull ? "pull" : "issues";
  const body: Body = {
    id: state.id,
    node_id: nodeId(state.pull ? "PR_kwDO" : "I_kwDO", state.id),
    url: `${api}/issues/${state.number}`,
    repository_url: api,
    labels_url: `${api}/issues/${state.number}/labels{/name}`,
    comments_url: `${api}/issues/${state.number}/comments`,
    events_url: `${api}/issues/${state.number}/events`,
    html_url: `${urls.html}/${repo.fullName}/${kind}/${state.number}`,
    number: state.number,
    state: state.state,
    title: state.title,
    body: state.body,
    user: user(state.user, urls),
    labels: [],
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: repo.commentsOn(state.number).length,
    closed_at: state.closedAt,
    created_at: state.createdAt,
    updated_at: state.updatedAt,
    author_association: association(repo, state.user),
    reactions: reactionRollup(`${api}/issues/${state.number}/reactions`, []),
  };
  if (state.pull) {
    body.pull_request = {
      url: `${api}/pulls/${state.number}`,
      html_url: `${urls.html}/${repo.fullName}/pull/${state.number}`,
      diff_url: `${urls.html}/${repo.fullName}/pull/${state.number}.diff`,
      patch_url: `${urls.html}/${repo.fullName}/pull/${state.number}.patch`,
      merged_at: state.pull.mergedAt,
    };
  }
  return body;
}

/** The head commit of a PR: the branch's current head while it exists, else the last known one. */
export function pullHeadSha(state: IssueState): string {
  const pull = state.pull!;
  return pull.head.repo.branchSha(pull.head.ref) ?? pull.head.sha;
}

function changedPaths(git: GitStore, fromCommit: string | undefined, toCommit: string): string[] {
  const to = git.commit(toCommit);
  if (!to) return [];
  const from = fromCommit ? git.commit(fromCommit) : undefined;
  const a = from ? git.flatten(from.tree) : new Map<string, FlatEntry>();
  const b = git.flatten(to.tree);
  const paths = new Set<string>();
  for (const [path, entry] of b) if (a.get(path)?.sha !== entry.sha) paths.add(path);
  for (const path of a.keys()) if (!b.has(path)) paths.add(path);
  return [...paths];
}

function commitsBetween(git: GitStore, base: string | undefined, head: string): number {
  let count = 0;
  const seen = new Set<string>();
  const queue = [head];
  for (let sha = queue.shift(); sha !== undefined; sha = queue.shift()) {
    if (seen.has(sha) || (base && git.isAncestor(sha, base))) continue;
    seen.add(sha);
    count++;
    queue.push(...(git.commit(sha)?.parents ?? []));
  }
  return count;
}

export function pullRequest(repo: FakeRepo, state: IssueState, urls: Urls, full: boolean): Body {
  const pull = state.pull!;
  const api = `${urls.api}/repos/${repo.fullName}`;
  const html = `${urls.html}/${repo.fullName}/pull/${state.number}`;
  const headSha = pullHeadSha(state);
  const baseSha = repo.branchSha(pull.base.ref) ?? headSha;
  const headRepo = pull.head.repo;
  const body: Body = {
    url: `${api}/pulls/${state.number}`,
    id: pull.id,
    node_id: nodeId("PR_kwDO", pull.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${state.number}`,
    commits_url: `${api}/pulls/${state.number}/commits`,
    review_comments_url: `${api}/pulls/${state.number}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${state.number}/comments`,
    statuses_url: `${api}/statuses/${headSha}`,
    number: state.number,
    state: state.state,
    locked: false,
    title: state.title,
    user: user(state.user, urls),
    body: state.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: state.createdAt,
    updated_at: state.updatedAt,
    closed_at: state.closedAt,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: {
      label: `${headRepo.owner.login}:${pull.head.ref}`,
      ref: pull.head.ref,
      sha: headSha,
      user: user(headRepo.owner, urls),
      repo: repository(headRepo, urls),
    },
    base: {
      label: `${repo.owner.login}:${pull.base.ref}`,
      ref: pull.base.ref,
      sha: baseSha,
      user: user(repo.owner, urls),
      repo: repository(repo, urls),
    },
    _links: {
      self: { href: `${api}/pulls/${state.number}` },
      html: { href: html },
      issue: { href: `${api}/issues/${state.number}` },
      comments: { href: `${api}/issues/${state.number}/comments` },
      review_comments: { href: `${api}/pulls/${state.number}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${api}/pulls/${state.number}/commits` },
      statuses: { href: `${api}/statuses/${headSha}` },
    },
    author_association: association(repo, state.user),
    auto_merge: null,
    draft: pull.draft,
  };
  if (full) {
    const mergeBase = repo.git.isAncestor(baseSha, headSha) ? baseSha : undefined;
    body.merged = pull.merged;
    body.mergeable = state.state === "open" ? true : null;
    body.rebaseable = state.state === "open" ? true : null;
    body.mergeable_state = state.state === "open" ? "clean" : "unknown";
    body.merged_by = null;
    body.comments = repo.commentsOn(state.number).length;
    body.review_comments = 0;
    body.maintainer_can_modify = pull.maintainerCanModify;
    body.commits = commitsBetween(headRepo.git, mergeBase ?? baseSha, headSha);
    body.additions = 0;
    body.deletions = 0;
    body.changed_files = changedPaths(headRepo.git, mergeBase ?? baseSha, headSha).length;
  }
  return body;
}

/**
 * A pull request's changed files (`GET .../pulls/{n}/files`): the head's tree against the
 * merge base with the base branch, as GitHub's "Files changed" (line counts are not modelled).
 */
export function pullFiles(repo: FakeRepo, state: IssueState, urls: Urls): Body[] {
  const pull = state.pull!;
  const git = pull.head.repo.git;
  const headSha = pullHeadSha(state);
  const baseSha = repo.branchSha(pull.base.ref);
  // The nearest ancestor of the head that the base branch contains (not the head itself).
  let mergeBase: string | undefined;
  const queue = [...(git.commit(headSha)?.parents ?? [])];
  const seen = new Set<string>();
  for (let sha = queue.shift(); sha !== undefined && baseSha; sha = queue.shift()) {
    if (seen.has(sha)) continue;
    seen.add(sha);
    if (git.isAncestor(sha, baseSha)) {
      mergeBase = sha;
      break;
    }
    queue.push(...(git.commit(sha)?.parents ?? []));
  }
  const before = mergeBase ? git.flatten(git.commit(mergeBase)!.tree) : new Map<string, FlatEntry>();
  const after = git.flatten(git.commit(headSha)!.tree);
  const rows: Array<{ path: string; status: "added" | "removed" | "modified"; sha: string }> = [];
  for (const [path, entry] of after) {
    const old = before.get(path);
    if (!old) rows.push({ path, status: "added", sha: entry.sha });
    else if (old.sha !== entry.sha) rows.push({ path, status: "modified", sha: entry.sha });
  }
  for (const [path, entry] of before)
    if (!after.has(path)) rows.push({ path, status: "removed", sha: entry.sha });
  rows.sort((a, b) => a.path.localeCompare(b.path));
  const repoName = pull.head.repo.fullName;
  return rows.map((row) => ({
    sha: row.sha,
    filename: row.path,
    status: row.status,
    additions: 0,
    deletions: 0,
    changes: 0,
    blob_url: `${urls.html}/${repoName}/blob/${headSha}/${row.path}`,
    raw_url: `${urls.html}/${repoName}/raw/${headSha}/${row.path}`,
    contents_url: `${urls.api}/repos/${repoName}/contents/${row.path}?ref=${headSha}`,
  }));
}

export function gitCommit(repo: FakeRepo, commit: CommitObject, urls: Urls): Body {
  const api = `${urls.api}/repos/${repo.fullName}/git`;
  return {
    sha: commit.sha,
    node_id: nodeId("C_kwDO", Number.parseInt(commit.sha.slice(0, 8), 16)),
    url: `${api}/commits/${commit.sha}`,
    html_url: `${urls.html}/${repo.fullName}/commit/${commit.sha}`,
    author: { ...commit.author },
    committer: { ...commit.committer },
    tree: { sha: commit.tree, url: `${api}/trees/${commit.tree}` },
    message: commit.message,
    parents: commit.parents.map((sha) => ({
      sha,
      url: `${api}/commits/${sha}`,
      html_url: `${urls.html}/${repo.fullName}/commit/${sha}`,
    })),
    verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
  };
}

export function gitRef(repo: FakeRepo, name: string, sha: string, urls: Urls): Body {
  const api = `${urls.api}/repos/${repo.fullName}/git`;
  const type = repo.git.get(sha)?.type ?? "commit";
  return {
    ref: name,
    node_id: nodeId("REF_kwDO", Number.parseInt(sha.slice(0, 8), 16)),
    url: `${api}/${name}`,
    object: { type, sha, url: `${api}/${type}s/${sha}` },
  };
}

export function gitTree(repo: FakeRepo, sha: string, recursive: boolean, urls: Urls): Body {
  const api = `${urls.api}/repos/${repo.fullName}/git`;
  const entries = recursive
    ? repo.git.listRecursive(sha)
    : (repo.git.tree(sha)?.entries ?? []).map((e) => ({
        path: e.name,
        mode: e.mode,
        type: e.type,
        sha: e.sha,
      }));
  return {
    sha,
    url: `${api}/trees/${sha}`,
    tree: entries.map((e) => {
      const entry: Body = { path: e.path, mode: e.mode, type: e.type, sha: e.sha };
      if (e.type === "blob") {
        entry.size = repo.git.blob(e.sha)?.content.length ?? 0;
        entry.url = `${api}/blobs/${e.sha}`;
      } else if (e.type === "tree") {
        entry.url = `${api}/trees/${e.sha}`;
      }
      return entry;
    }),
    truncated: false,
  };
}

/** Base64 broken into 60-character lines, as GitHub sends file and blob contents. */
export function base64Lines(content: Buffer): string {
  const text = content.toString("base64");
  return text.length === 0 ? "" : `${text.match(/.{1,60}/g)?.join("\n")}\n`;
}

export function blob(repo: FakeRepo, sha: string, urls: Urls): Body {
  const content = repo.git.blob(sha)?.content ?? Buffer.alloc(0);
  return {
    sha,
    node_id: nodeId("B_kwDO", Number.parseInt(sha.slice(0, 8), 16)),
    size: content.length,
    url: `${urls.api}/repos/${repo.fullName}/git/blobs/${sha}`,
    content: base64Lines(content),
    encoding: "base64",
  };
}

function contentType(entry: FlatEntry): "file" | "dir" | "submodule" | "symlink" {
  if (entry.type === "tree") return "dir";
  if (entry.type === "commit") return "submodule";
  return entry.mode === "120000" ? "symlink" : "file";
}

/** One entry of a contents response (a directory listing item, or a file without content). */
export function contentEntry(
  repo: FakeRepo,
  path: string,
  entry: FlatEntry,
  refName: string,
  urls: Urls,
): Body {
  const api = `${urls.api}/repos/${repo.fullName}`;
  const type = contentType(entry);
  const encodedPath = path.split("/").map(encodeURIComponent).join("/");
  const self = `${api}/contents/${encodedPath}?ref=${encodeURIComponent(refName)}`;
  const gitUrl = `${api}/git/${entry.type === "tree" ? "trees" : "blobs"}/${entry.sha}`;
  const htmlUrl = `${urls.html}/${repo.fullName}/${type === "dir" ? "tree" : "blob"}/${refName}/${path}`;
  return {
    type,
    size: entry.type === "blob" ? (repo.git.blob(entry.sha)?.content.length ?? 0) : 0,
    name: path.split("/").pop() ?? path,
    path,
    sha: entry.sha,
    url: self,
    git_url: gitUrl,
    html_url: htmlUrl,
    download_url:
      type === "file" || type === "symlink"
        ? `${urls.api}/_fake/raw/${repo.fullName}/${refName}/${encodedPath}`
        : null,
    _links: { self, git: gitUrl, html: htmlUrl },
  };
}

export function contentFile(
  repo: FakeRepo,
  path: string,
  entry: FlatEntry,
  refName: string,
  urls: Urls,
): Body {
  const content = repo.git.blob(entry.sha)?.content ?? Buffer.alloc(0);
  return {
    ...contentEntry(repo, path, entry, refName, urls),
    content: base64Lines(content),
    encoding: "base64",
  };
}

export function fileCommit(
  repo: FakeRepo,
  path: string,
  entry: FlatEntry,
  branch: string,
  commit: CommitObject,
  urls: Urls,
): Body {
  const { sha, url, html_url, author, committer, message, tree, parents, verification, node_id } = gitCommit(
    repo,
    commit,
    urls,
  );
  return {
    content: contentEntry(repo, path, entry, branch, urls),
    commit: { sha, node_id, url, html_url, author, committer, message, tree, parents, verification },
  };
}

export function actionsApp(urls: Urls): Body {
  return {
    id: 15368,
    slug: "github-actions",
    node_id: "MDM6QXBwMTUzNjg=",
    client_id: "Iv1.05c79e9ad1f6bdfa",
    owner: {
      ...user({ login: "github", id: 9919, type: "Organization" }, urls),
      node_id: "MDEyOk9yZ2FuaXphdGlvbjk5MTk=",
    },
    name: "GitHub Actions",
    description: "Automate your workflow from idea to production",
    external_url: "https://help.github.com/en/actions",
    html_url: `${urls.html}/apps/github-actions`,
    created_at: "2018-07-30T09:30:17Z",
    updated_at: "2024-04-10T20:33:16Z",
    permissions: { actions: "write", checks: "write", contents: "write", metadata: "read" },
    events: ["check_run", "check_suite", "push"],
  };
}

export function app(appState: FakeApp, urls: Urls, installationsCount?: number): Body {
  return {
    id: appState.id,
    slug: appState.slug,
    node_id: nodeId("A_kwDO", appState.id),
    client_id: `Iv1.fake${appState.id}`,
    owner: user(appState.owner, urls),
    name: appState.name,
    description: null,
    external_url: `${urls.html}/apps/${appState.slug}`,
    html_url: `${urls.html}/apps/${appState.slug}`,
    created_at: "2025-01-01T00:00:00Z",
    updated_at: "2025-01-01T00:00:00Z",
    permissions: appState.permissions,
    events: appState.events,
    ...(installationsCount === undefined ? {} : { installations_count: installationsCount }),
  };
}

export function checkRun(
  repo: FakeRepo,
  run: CheckRunState,
  urls: Urls,
  appState: FakeApp | undefined,
): Body {
  const api = `${urls.api}/repos/${repo.fullName}`;
  const pulls = repo
    .pulls()
    .filter((p) => p.state === "open" && pullHeadSha(p) === run.headSha)
    .map((p) => {
      const pull = p.pull!;
      const ref = (r: FakeRepo) => ({ id: r.id, url: `${urls.api}/repos/${r.fullName}`, name: r.name });
      return {
        id: pull.id,
        number: p.number,
        url: `${api}/pulls/${p.number}`,
        head: { ref: pull.head.ref, sha: run.headSha, repo: ref(pull.head.repo) },
        base: { ref: pull.base.ref, sha: repo.branchSha(pull.base.ref) ?? run.headSha, repo: ref(repo) },
      };
    });
  return {
    id: run.id,
    head_sha: run.headSha,
    node_id: nodeId("CR_kwDO", run.id),
    external_id: run.externalId,
    url: `${api}/check-runs/${run.id}`,
    html_url: `${urls.html}/${repo.fullName}/runs/${run.id}`,
    details_url: run.detailsUrl,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: run.output.annotationsCount,
      annotations_url: `${api}/check-runs/${run.id}/annotations`,
    },
    name: run.name,
    check_suite: { id: run.checkSuiteId },
    app: appState ? app(appState, urls) : actionsApp(urls),
    pull_requests: pulls,
  };
}

export function workflow(repo: FakeRepo, state: WorkflowState, urls: Urls): Body {
  const file = state.path.split("/").pop() ?? state.path;
  return {
    id: state.id,
    node_id: nodeId("W_kwDO", state.id),
    name: state.name,
    path: state.path,
    state: state.state,
    created_at: state.createdAt,
    updated_at: state.updatedAt,
    url: `${urls.api}/repos/${repo.fullName}/actions/workflows/${state.id}`,
    html_url: `${urls.html}/${repo.fullName}/blob/${repo.defaultBranch}/${state.path}`,
    badge_url: `${urls.html}/${repo.fullName}/workflows/${encodeURIComponent(file)}/badge.svg`,
  };
}

export function artifact(repo: FakeRepo, state: ArtifactState, urls: Urls): Body {
  const api = `${urls.api}/repos/${repo.fullName}/actions/artifacts/${state.id}`;
  return {
    id: state.id,
    node_id: nodeId("MDg6QXJ0aWZhY3", state.id),
    name: state.name,
    size_in_bytes: state.zip.length,
    url: api,
    archive_download_url: `${api}/zip`,
    expired: state.expired,
    created_at: state.createdAt,
    expires_at: state.expiresAt,
    updated_at: state.createdAt,
    workflow_run: {
      id: state.runId,
      repository_id: repo.id,
      head_repository_id: repo.id,
      head_branch: state.headBranch ?? repo.defaultBranch,
      head_sha: state.headSha ?? repo.branchSha(repo.defaultBranch) ?? "",
    },
  };
}

export function installation(state: FakeInstallation, appState: FakeApp, urls: Urls): Body {
  return {
    id: state.id,
    account: user(state.account, urls),
    repository_selection: state.repositories ? "selected" : "all",
    access_tokens_url: `${urls.api}/app/installations/${state.id}/access_tokens`,
    repositories_url: `${urls.api}/installation/repositories`,
    html_url: `${urls.html}/settings/installations/${state.id}`,
    app_id: appState.id,
    app_slug: appState.slug,
    target_id: state.account.id,
    target_type: state.account.type === "Organization" ? "Organization" : "User",
    permissions: state.permissions,
    events: state.events,
    created_at: state.createdAt,
    updated_at: state.createdAt,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}
