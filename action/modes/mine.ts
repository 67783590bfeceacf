import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as core from "@actions/core";
import { ConfigError, GitHubApiError } from "../../core/errors.js";
import { Git, openRepository } from "../../core/git.js";
import { ensureSuiteDir, parseScenario, scenariosDir } from "../../core/suite-store.js";
import { mineRepository } from "../../scenario-gen/mine.js";
import type { GitHubClient, PullRequest } from "../github.js";
import { toolVersionSafe } from "../run-agent.js";
import type { ModeContext } from "./context.js";

/** The scenarios pull request's body (pure). */
export function scenariosPullBody(files: readonly string[], upTo: string): string {
  const rows = files.map((f) => `| \`${f.replace(/\.json$/, "").replace(/[`|]/g, "")}\` |`);
  return [
    "<!-- repogym:scenarios -->",
    `repogym mined ${files.length} new scenario${files.length === 1 ? "" : "s"} from the history up to ${upTo.slice(0, 7)}.`,
    "Each one was proven: its tests fail before the fix and pass after it, in repeated runs.",
    "",
    "| scenario |",
    "|---|",
    ...rows.slice(0, 200),
    ...(rows.length > 200 ? [`| … and ${rows.length - 200} more |`] : []),
    "",
    "Merge to add them to the suite; this pull request is updated by later mining runs.",
  ].join("\n");
}

/** Brings in the scenarios already waiting in the open scenarios PR, so they are not mined twice. */
async function pullPendingScenarios(
  client: GitHubClient,
  branchSha: string,
  suite: string,
  suiteDir: string,
): Promise<number> {
  const prefix = `${suite.replace(/\/+$/, "")}/scenarios/`;
  const local = new Set(await readdir(scenariosDir(suiteDir)).catch(() => [] as string[]));
  let count = 0;
  for (const entry of await client.listTree(branchSha)) {
    if (entry.type !== "blob" || !entry.path.startsWith(prefix)) continue;
    const name = entry.path.slice(prefix.length);
    if (name.includes("/") || !name.endsWith(".json") || local.has(name)) continue;
    const content = (await client.getBlob(entry.sha)).toString("utf8");
    parseScenario(content, `${entry.path} on the scenarios branch`);
    await writeFile(join(scenariosDir(suiteDir), name), content);
    count++;
  }
  return count;
}

async function untrackedScenarioFiles(repoDir: string, suite: string): Promise<string[]> {
  const dir = `${suite.replace(/\/+$/, "")}/scenarios`;
  const tracked = new Set(
    (await new Git(repoDir).run(["ls-files", "-z", "--", dir])).split("\0").filter((p) => p !== ""),
  );
  const files = (await readdir(join(repoDir, dir)).catch(() => [] as string[])).filter((f) =>
    f.endsWith(".json"),
  );
  return files.filter((f) => !tracked.has(`${dir}/${f}`)).sort();
}

/**
 * mine: proves the commits not mined yet and opens (or updates) the ONE pull request that
 * adds the new scenarios, from one branch rebuilt on the default branch's tip each time.
 */
export async function mine(ctx: ModeContext): Promise<void> {
  const { inputs, event, client } = ctx;
  if (event.pull)
    throw new ConfigError("mine runs on push, schedule or workflow_dispatch, not on pull requests", "mode");
  if (!client) throw new ConfigError("mine needs a token to open its pull request", "input github-token");
  await openRepository(ctx.repoDir);
  const defaultBranch = event.defaultBranch ?? (await client.defaultBranch());
  if (event.name === "push" && event.branch !== defaultBranch) {
    core.notice(`Mining runs on the default branch (${defaultBranch}); this push is to ${event.branch}.`);
    return;
  }
  const suiteDir = join(ctx.repoDir, inputs.suite);
  await ensureSuiteDir(suiteDir);

  const branchSha = await client.branchSha(inputs.scenariosBranch);
  let open: PullRequest | null = await client.findOpenPull(inputs.scenariosBranch);
  if (branchSha && open) {
    const pending = await pullPendingScenarios(client, branchSha, inputs.suite, suiteDir);
    if (pending > 0) core.info(`${pending} scenarios are already waiting in #${open.number}; they are kept.`);
  }

  core.startGroup("Mining");
  const summary = await mineRepository({
    repo: ctx.repoDir,
    suiteDir,
    cacheDir: ctx.cacheDir,
    toolVersion: toolVersionSafe(),
    max: inputs.maxCandidates,
    jobs: inputs.jobs,
    signal: ctx.signal,
    onEvent: (e) => {
      if (e.type === "scanned") core.info(`${e.commits} commits scanned, ${e.candidates.length} candidates`);
      if (e.type === "candidate-done") {
        const o = e.outcome;
        core.info(
          `[${e.index + 1}/${e.total}] ${o.sha.slice(0, 7)} ${o.kind === "scenario" ? `scenario ${o.instanceId}` : `skipped: ${o.reason}`}`,
        );
      }
    },
  });
  core.endGroup();

  const files = await untrackedScenarioFiles(ctx.repoDir, inputs.suite);
  core.setOutput("scenarios-added", String(files.length));
  const table = [
    "### repogym mining",
    "",
    `${summary.commits} commits scanned, ${summary.candidates.length} candidates, ${summary.scenarios.length} new scenarios proven.`,
    "",
  ];
  if (files.length === 0) {
    core.notice("No new scenarios: nothing to propose.");
    await core.summary.addRaw(`${table.join("\n")}\nNo new scenarios.\n`).write();
    return;
  }
  const parent = (await client.branchSha(defaultBranch)) ?? event.sha;
  const dir = `${inputs.suite.replace(/\/+$/, "")}/scenarios`;
  const contents = await Promise.all(
    files.map(async (f) => ({
      path: `${dir}/${f}`,
      content: await readFile(join(ctx.repoDir, dir, f), "utf8"),
    })),
  );
  const commit = await client.commitFiles({
    parentSha: parent,
    files: contents,
    message: `repogym: ${files.length} new scenario${files.length === 1 ? "" : "s"}`,
  });
  // The branch is rebuilt on the default branch's tip each time: one branch, one PR.
  await client.setBranch(inputs.scenariosBranch, commit, { force: true });
  const title = `repogym: ${files.length} new scenario${files.length === 1 ? "" : "s"}`;
  const body = scenariosPullBody(files, parent);
  open ??= await client.findOpenPull(inputs.scenariosBranch);
  let pr: PullRequest;
  if (open) {
    pr = await client.updatePull(open.number, { title, body });
  } else {
    try {
      pr = await client.createPull({ head: inputs.scenariosBranch, base: defaultBranch, title, body });
    } catch (error) {
      // Another run opened it a moment ago: update that one instead of a second.
      const raced =
        error instanceof GitHubApiError && error.status === 422
          ? await client.findOpenPull(inputs.scenariosBranch)
          : null;
      if (!raced) throw error;
      pr = await client.updatePull(raced.number, { title, body });
    }
  }
  core.setOutput("pull-request", String(pr.number));
  core.info(`${open ? "Updated" : "Opened"} ${pr.html_url} with ${files.length} scenarios`);
  await core.summary
    .addRaw(`${table.join("\n")}\n${files.length} scenarios proposed in ${pr.html_url}\n`)
    .write();
}
