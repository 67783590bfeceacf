/**
 * `npm run bench`: builds two repositories in a temporary folder and prints each figure beside
 * a baseline measured in the same run, as a ratio, with its target. It reports; it does not
 * assert (the exit code is 0 whatever the ratios). `--json` prints the report as JSON;
 * `--quick` uses fewer repeats and candidates, for trying the bench itself. Group names
 * (scan, materialize, mining, rollout, serve) run only those figures.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, platform, tmpdir } from "node:os";
import { join } from "node:path";
import type { Figure } from "./figure.js";
import { generateAppRepo } from "./generate-app-repo.js";
import { generateHistoryRepo } from "./generate-history-repo.js";
import { measureMaterialize } from "./materialize-figure.js";
import { progress, timeMs } from "./measure.js";
import { measureMining } from "./mining-figure.js";
import { type BenchReport, renderJson, renderTable } from "./report.js";
import { measureRollouts } from "./rollout-figure.js";
import { measureScan } from "./scan-figure.js";
import { measureServe } from "./serve-figure.js";

const GROUPS = ["scan", "materialize", "mining", "rollout", "serve"] as const;
type Group = (typeof GROUPS)[number];

interface BenchOptions {
  json: boolean;
  quick: boolean;
  /** The figure groups to run; all when none is named. */
  groups: Set<Group>;
}

function parseArgs(argv: string[]): BenchOptions {
  const options: BenchOptions = { json: false, quick: false, groups: new Set() };
  for (const arg of argv) {
    if (arg === "--json") options.json = true;
    else if (arg === "--quick") options.quick = true;
    else if ((GROUPS as readonly string[]).includes(arg)) options.groups.add(arg as Group);
    else {
      process.stderr.write(
        `usage: npm run bench -- [--json] [--quick] [${GROUPS.join("|")} ...]\nunknown argument: ${arg}\n`,
      );
      process.exit(2);
    }
  }
  if (options.groups.size === 0) for (const group of GROUPS) options.groups.add(group);
  return options;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const startedAt = new Date();
  const root = await mkdtemp(join(tmpdir(), "repogym-bench-"));
  // npm never needs the network here (dependencies are local tarballs); offline makes sure a
  // slow or absent registry cannot creep into the timings. Its cache is private to this run.
  const npmEnv = {
    npm_config_cache: join(root, "npm-cache"),
    npm_config_offline: "true",
    npm_config_update_notifier: "false",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_loglevel: "error",
  };
  // repogym's dependency cache runs npm with this process's environment.
  Object.assign(process.env, npmEnv);
  const env = { ...process.env };
  const repeats = options.quick ? 3 : 5;
  const figures: Figure[] = [];
  const setup: Record<string, unknown> = {};
  const durationMs = await timeMs(async () => {
    try {
      const runs = (group: Group) => options.groups.has(group);
      let history: Awaited<ReturnType<typeof generateHistoryRepo>> | undefined;
      if (runs("scan") || runs("materialize") || runs("rollout")) {
        progress("generating a 2,500-commit library history with git fast-import");
        history = await generateHistoryRepo({ dir: join(root, "history"), commits: 2500 });
        setup.historyRepo = history;
        progress(
          `  ${history.commits} commits (${history.firstParentCommits} first-parent, ${history.kinds.merge} merges), ${history.files} files`,
        );
      }
      if (history && runs("scan")) figures.push(...(await measureScan(history.path, repeats)));
      if (history && runs("materialize")) {
        figures.push(
          ...(await measureMaterialize(
            history.path,
            [
              { label: "HEAD", rev: "HEAD" },
              { label: "older commit", rev: history.olderCommit },
            ],
            options.quick ? 3 : 9,
          )),
        );
      }

      if (runs("mining") || runs("rollout") || runs("serve")) {
        progress("generating a node:test project with local tarball dependencies");
        const app = await generateAppRepo({
          dir: join(root, "app"),
          modules: 30,
          testsPerFile: 6,
          fixes: options.quick ? 2 : 6,
          dependencyFiles: 600,
          npmEnv: env,
        });
        setup.appRepo = { commits: app.commits, testFiles: app.testFiles, candidates: app.fixes.length };
        if (runs("mining")) figures.push(...(await measureMining(app, env)));
        if (runs("rollout")) {
          figures.push(
            ...(await measureRollouts({
              app,
              ...(history ? { history: { path: history.path, label: "history" } } : {}),
              scenarios: options.quick ? 2 : 4,
              rounds: options.quick ? 1 : 2,
              repeats: options.quick ? 3 : 9,
            })),
          );
        }
        if (runs("serve")) {
          const concurrency = Math.min(4, availableParallelism());
          figures.push(
            ...(await measureServe({
              app,
              scenarios: options.quick ? 2 : 4,
              batches: options.quick ? 6 : 12,
              rounds: options.quick ? 1 : 2,
              concurrency,
              clients: 2 * concurrency,
            })),
          );
        }
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
  const report: BenchReport = {
    schema: "repogym/bench@1",
    node: process.version,
    platform: `${platform()} ${process.arch}`,
    cpus: availableParallelism(),
    startedAt: startedAt.toISOString(),
    durationMs,
    setup,
    figures,
  };
  process.stdout.write(options.json ? renderJson(report) : renderTable(report));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
