import { setTimeout as sleep } from "node:timers/promises";
import { describeError, GitHubApiError } from "../core/errors.js";
import { parseResults, type Results } from "../core/results.js";
import type { GitHubClient } from "./github.js";

/**
 * History: the results of every default-branch run, one small JSON file per run on a data
 * branch (as github-action-benchmark keeps its data on gh-pages). Chosen over artifacts
 * because artifacts expire (90 days by default), need `actions: read` and a search through
 * every workflow run to find the base's, while a branch is readable by any token that can
 * read the repository, fork PRs included, and keeps the whole trend for the HTML report.
 *
 * Each run writes a file of its own (`history/<key>/<branch>/<time>-<sha>-<run>.json`), so
 * two runs at once never edit the same file: when GitHub answers that the branch moved under
 * a write (409), the write is simply retried on the new tip, and nothing is lost.
 */
export const HISTORY_ROOT = "history";

export function historyFolder(key: string, branch: string): string {
  return `${HISTORY_ROOT}/${key}/${branch.replace(/[^A-Za-z0-9._-]/g, "_")}`;
}

export function historyFileName(results: Pick<Results, "created_at" | "commit" | "run_id">): string {
  const stamp = results.created_at.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `${stamp}-${results.commit.slice(0, 12)}-${results.run_id}.json`;
}

const README = `# repogym history

This branch is written by the repogym Action: one JSON file (\`repogym/results@1\`) per run on
the default branch, under \`history/<comment-key>/<branch>/\`. Pull requests compare with the
latest results of their base; the HTML report draws the trend from these files.
Deleting old files is safe.
`;

export interface RecordOptions {
  historyBranch: string;
  key: string;
  branch: string;
  retries?: number;
  /** Milliseconds before the first retry; doubles each time. */
  backoffMs?: number;
  log?: (line: string) => void;
}

/** Writes one run's results to the history branch, creating the branch the first time. */
export async function recordResults(
  client: GitHubClient,
  results: Results,
  options: RecordOptions,
): Promise<string> {
  const path = `${historyFolder(options.key, options.branch)}/${historyFileName(results)}`;
  const retries = options.retries ?? 6;
  let backoff = options.backoffMs ?? 500;
  await ensureHistoryBranch(client, options.historyBranch);
  for (let attempt = 0; ; attempt++) {
    try {
      await client.createFile({
        path,
        branch: options.historyBranch,
        content: Buffer.from(`${JSON.stringify(results, null, 2)}\n`),
        message: `repogym: results of ${results.commit.slice(0, 7)} on ${options.branch}`,
      });
      return path;
    } catch (error) {
      const status = error instanceof GitHubApiError ? error.status : undefined;
      // 409: the branch moved during the write (another run wrote first). 5xx: GitHub hiccup.
      const retriable = status === 409 || (status !== undefined && status >= 500);
      if (!retriable || attempt >= retries) throw error;
      options.log?.(`History write conflicted (${status}); retrying in ${backoff} ms`);
      await sleep(backoff + Math.floor(Math.random() * backoff));
      backoff *= 2;
    }
  }
}

async function ensureHistoryBranch(client: GitHubClient, branch: string): Promise<void> {
  if ((await client.branchSha(branch)) !== null) return;
  // An orphan branch: nothing of the code's history, only the data.
  const commit = await client.commitFiles({
    parentSha: null,
    files: [{ path: "README.md", content: README }],
    message: "repogym: start the history branch",
  });
  try {
    await client.setBranch(branch, commit, { force: false });
  } catch (error) {
    // Another run created it first: fine, write on theirs.
    if ((await client.branchSha(branch)) === null) throw error;
  }
}

export interface LoadedHistory {
  results: Results[];
  /** Files that could not be read as results (named, skipped). */
  skipped: string[];
}

/**
 * The latest `limit` runs on a branch, oldest first; unreadable files are skipped and named.
 * Needs only two reads, so the GitHub App's client can use it too.
 */
export async function loadHistory(
  client: Pick<GitHubClient, "listDir" | "getFile">,
  options: { historyBranch: string; key: string; branch: string; limit?: number },
): Promise<LoadedHistory> {
  const folder = historyFolder(options.key, options.branch);
  const entries = await client.listDir(folder, options.historyBranch);
  if (!entries) return { results: [], skipped: [] };
  const files = entries
    .filter((e) => e.type === "file" && e.name.endsWith(".json"))
    .sort((a, b) => b.name.localeCompare(a.name))
    .slice(0, options.limit ?? 30);
  const results: Results[] = [];
  const skipped: string[] = [];
  for (const file of files) {
    const got = await client.getFile(file.path, options.historyBranch);
    if (!got) continue;
    try {
      results.push(parseResults(got.content, `${options.historyBranch}:${file.path}`));
    } catch (error) {
      skipped.push(`${file.path}: ${describeError(error)}`);
    }
  }
  results.sort((a, b) => a.created_at.localeCompare(b.created_at));
  return { results, skipped };
}

/**
 * The results a PR compares with: the base commit's own run when there is one, else the
 * latest run on the base branch (a stale base, which the comment says).
 */
export function pickBase(history: readonly Results[], baseSha: string): Results | null {
  const exact = history.filter((r) => r.commit === baseSha);
  if (exact.length > 0) return exact[exact.length - 1]!;
  return history[history.length - 1] ?? null;
}
