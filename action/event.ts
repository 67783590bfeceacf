import { ConfigError } from "../core/errors.js";

/** What the Action needs to know of the event that started it (pure over the payload). */
export interface EventInfo {
  name: string;
  /** owner/name of the repository the workflow runs in. */
  repo: string;
  owner: string;
  repoName: string;
  defaultBranch: string | null;
  /** The commit the workflow runs on (GITHUB_SHA). */
  sha: string;
  /** Branch name for push events (refs/heads/x → x). */
  branch: string | null;
  pull: PullInfo | null;
  /** Title and body of the pull request, for turning it into a scenario. */
  pullPayload: { title: string; body: string | null } | null;
  /** For workflow_run: the run whose results are to be reported. */
  workflowRun: WorkflowRunInfo | null;
  /**
   * For workflow_dispatch by the repogym app (`/repogym run`, a merged PR): the pull request
   * and the commit pinned when the command was given. Resolved into `pull` through the API.
   */
  dispatch: { pr: number; sha: string } | null;
}

export interface PullInfo {
  number: number;
  head_sha: string;
  head_ref: string;
  base_sha: string;
  base_ref: string;
  /** owner/name of the head repository; differs from the base for a fork. */
  head_repo: string | null;
  /** True for a pull request from a fork: the token is read-only, so nothing is written. */
  fork: boolean;
}

export interface WorkflowRunInfo {
  id: number;
  head_sha: string;
  event: string;
  conclusion: string | null;
  html_url: string | null;
}

type Json = Record<string, unknown>;

function obj(value: unknown): Json | null {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : null;
}

function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

export function describeEvent(input: {
  eventName: string;
  payload: unknown;
  repository: string;
  sha: string;
  ref: string;
}): EventInfo {
  const payload = obj(input.payload) ?? {};
  const [owner, repoName] = input.repository.split("/");
  if (!owner || !repoName) {
    throw new ConfigError(`expected owner/name, got "${input.repository}"`, "GITHUB_REPOSITORY");
  }
  const repository = obj(payload.repository);
  const defaultBranch = str(repository?.default_branch);
  const branch = input.ref.startsWith("refs/heads/") ? input.ref.slice("refs/heads/".length) : null;

  let pull: PullInfo | null = null;
  let pullPayload: EventInfo["pullPayload"] = null;
  const pr = obj(payload.pull_request);
  if (pr) {
    const head = obj(pr.head) ?? {};
    const base = obj(pr.base) ?? {};
    const headRepo = str(obj(head.repo)?.full_name);
    const number = typeof pr.number === "number" ? pr.number : Number(payload.number);
    if (!Number.isInteger(number) || number < 1) {
      throw new ConfigError("the pull_request payload has no number", "GITHUB_EVENT_PATH");
    }
    pull = {
      number,
      head_sha: str(head.sha) ?? input.sha,
      head_ref: str(head.ref) ?? "",
      base_sha: str(base.sha) ?? "",
      base_ref: str(base.ref) ?? defaultBranch ?? "",
      head_repo: headRepo,
      fork: headRepo !== null && headRepo !== input.repository,
    };
    pullPayload = { title: str(pr.title) ?? `#${number}`, body: str(pr.body) };
  }

  let workflowRun: WorkflowRunInfo | null = null;
  const run = obj(payload.workflow_run);
  if (run && typeof run.id === "number") {
    workflowRun = {
      id: run.id,
      head_sha: str(run.head_sha) ?? "",
      event: str(run.event) ?? "",
      conclusion: str(run.conclusion),
      html_url: str(run.html_url),
    };
  }

  let dispatch: EventInfo["dispatch"] = null;
  const inputs = obj(payload.inputs);
  if (input.eventName === "workflow_dispatch" && inputs) {
    const pr = str(inputs.pr)?.trim() ?? "";
    const sha = str(inputs.sha)?.trim() ?? "";
    if (pr !== "") {
      if (!/^[1-9]\d{0,9}$/.test(pr))
        throw new ConfigError(`expected a pull request number, got "${pr}"`, "inputs.pr");
      if (!/^[0-9a-f]{40}$/.test(sha))
        throw new ConfigError(`expected the 40-character commit, got "${sha}"`, "inputs.sha");
      dispatch = { pr: Number(pr), sha };
    }
  }

  return {
    name: input.eventName,
    repo: input.repository,
    owner,
    repoName,
    defaultBranch,
    sha: input.sha,
    branch,
    pull,
    pullPayload,
    workflowRun,
    dispatch,
  };
}

/**
 * A dispatched run for a pull request becomes a pull request evaluation at the pinned commit.
 * Its token is the workflow's own (read-only by design), so it never comments: the app that
 * dispatched it posts the results from the workflow_run event.
 */
export async function resolveDispatch(
  event: EventInfo,
  getPull: (number: number) => Promise<{
    head_ref: string;
    base_sha: string;
    base_ref: string;
    head_repo: string | null;
    title: string;
    body: string | null;
  }>,
): Promise<EventInfo> {
  if (!event.dispatch) return event;
  const live = await getPull(event.dispatch.pr);
  return {
    ...event,
    pull: {
      number: event.dispatch.pr,
      head_sha: event.dispatch.sha,
      head_ref: live.head_ref,
      base_sha: live.base_sha,
      base_ref: live.base_ref,
      head_repo: live.head_repo,
      fork: true,
    },
    pullPayload: { title: live.title, body: live.body },
  };
}

/** True when the run is on the repository's default branch (push, schedule, dispatch). */
export function onDefaultBranch(event: EventInfo): boolean {
  return event.pull === null && event.branch !== null && event.branch === event.defaultBranch;
}
