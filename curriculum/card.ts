/**
 * The dataset card (README.md at the top of every export): what is in it, how hard it is, where
 * it comes from, when, what was left out, and the licence question. Its YAML front matter
 * follows Hugging Face's dataset-card conventions (`configs` naming each table's Parquet files
 * per split), so the folder loads with `datasets.load_dataset(<folder>, <config>)`.
 */
import { stringify } from "yaml";
import { code, escapeMarkdown, table } from "../report/markdown.js";
import { DIFFICULTY_BUCKETS, difficultyBucket } from "../runner/run-summary.js";
import { type ExportRollout, type ExportRun, type ExportScenario, plural } from "./context.js";
import { BUCKETS } from "./solve-rate.js";

export interface CardFormat {
  name: string;
  description: string;
  summary: string;
}

export interface CardInput {
  toolVersion: string;
  createdAt: string;
  suiteDir: string;
  scenariosInSuite: number;
  scenarios: readonly ExportScenario[];
  rollouts: readonly ExportRollout[];
  runs: readonly ExportRun[];
  formats: readonly CardFormat[];
  filters: { informative: boolean; after?: string; split?: { ratio: number; seed: number } };
  /** Tables with Parquet files, for the front matter: config name -> split -> path. */
  tables: ReadonlyArray<{ config: string; files: ReadonlyArray<{ split: string; path: string }> }>;
  notes: readonly string[];
}

function bar(count: number, max: number): string {
  return max === 0 ? "" : "█".repeat(Math.max(count > 0 ? 1 : 0, Math.round((count / max) * 20)));
}

function histogram(label: string, counts: ReadonlyArray<[string, number]>): string {
  const max = Math.max(0, ...counts.map(([, n]) => n));
  return table(
    [label, "scenarios", ""],
    counts.map(([name, n]) => [name, String(n), bar(n, max)]),
    ["left", "right", "left"],
  );
}

function dateRange(values: readonly string[]): string {
  const times = values.map((v) => Date.parse(v)).filter((t) => !Number.isNaN(t));
  if (times.length === 0) return "unknown";
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  return `${day(Math.min(...times))} to ${day(Math.max(...times))}`;
}

function frontMatter(input: CardInput): string {
  const repos = [...new Set(input.scenarios.map((s) => s.scenario.repo))].sort();
  const data: Record<string, unknown> = {
    pretty_name: `repogym curriculum: ${repos.length === 1 ? repos[0] : plural(repos.length, "repository", "repositories")}`,
    license: "other",
    tags: ["repogym", "code", "software-engineering", "swe-bench"],
    task_categories: ["text-generation"],
  };
  if (input.tables.length > 0) {
    data.configs = input.tables.map((t) => ({
      config_name: t.config,
      data_files: t.files.map((f) => ({ split: f.split, path: f.path })),
    }));
  }
  return `---\n${stringify(data, { lineWidth: 0 })}---\n`;
}

/** The card, as markdown with front matter. Repository-provided text is escaped. */
export function renderCard(input: CardInput): string {
  const scenarios = input.scenarios;
  const lines: string[] = [frontMatter(input)];
  lines.push("# repogym curriculum", "");
  lines.push(
    `Test-fixing scenarios mined from git history by ${escapeMarkdown(input.toolVersion)}: each one is a`,
    "broken code state, the tests that prove the fix (FAIL_TO_PASS, PASS_TO_PASS) and the gold patch,",
    "proven by running the tests before and after the fix. Exported on",
    `${input.createdAt.slice(0, 10)} from ${code(input.suiteDir)}.`,
    "",
  );

  lines.push("## Contents", "");
  const kept =
    scenarios.length === input.scenariosInSuite ? "" : ` (of ${input.scenariosInSuite} in the suite)`;
  lines.push(
    `- ${plural(scenarios.length, "scenario")}${kept}, ${plural(input.rollouts.length, "rollout")} from ${plural(input.runs.length, "run")}`,
  );
  for (const f of input.formats) lines.push(`- \`${f.name}\`: ${f.summary} (${f.description})`);
  lines.push(
    "- `suite/`: the exported scenarios as a repogym suite (`repogym run --suite <this folder>/suite`),",
    "  with `difficulty.solve_rate` from the rollouts; `curriculum.jsonl` / `.parquet`: one row per scenario",
    "  with its solve rate, bucket and split",
    "- `manifest.json`: everything above, machine-readable",
    "",
  );
  if (input.runs.length > 0) {
    lines.push(
      table(
        ["run", "agent", "attempts", "rollouts"],
        input.runs.map((r) => [
          code(r.run_id),
          escapeMarkdown(r.agent),
          String(r.attempts),
          String(r.rollouts),
        ]),
        ["left", "left", "right", "right"],
      ),
      "",
    );
  }

  lines.push("## Filters", "");
  const filters: string[] = [];
  if (input.filters.after)
    filters.push(`- created after ${input.filters.after} (a time split against training-data contamination)`);
  if (input.filters.informative) {
    filters.push(
      "- informative only: solve rate strictly between 0 and 1 (a learning signal for group-based RL)",
    );
  }
  if (input.filters.split) {
    const { ratio, seed } = input.filters.split;
    const train = scenarios.filter((s) => s.split === "train").length;
    filters.push(
      `- split ${ratio} / ${Math.round((1 - ratio) * 1000) / 1000} with seed ${seed}: ${train} train, ${scenarios.length - train} test scenarios; scenarios from one commit are never on both sides`,
    );
  }
  lines.push(...(filters.length > 0 ? filters : ["None: every scenario of the suite."]), "");

  lines.push("## Difficulty", "");
  lines.push(
    "Empirical, from the rollouts: solve rate = resolved / rewarded rollouts; `easy` 2/3 and above, `medium`",
    "from 1/3, `hard` below 1/3 but solved at least once, `unsolved` never, `untried` without rollouts.",
    "",
    histogram(
      "bucket",
      BUCKETS.map((b) => [b, scenarios.filter((s) => s.stats.bucket === b).length]),
    ),
    "",
    "By the size of the gold patch (lines changed):",
    "",
    histogram(
      "gold patch",
      DIFFICULTY_BUCKETS.map((b) => [
        b.name,
        scenarios.filter((s) => difficultyBucket(s.scenario.difficulty) === b.name).length,
      ]),
    ),
    "",
  );

  lines.push("## Sources", "");
  const byRepo = new Map<string, number>();
  for (const s of scenarios) byRepo.set(s.scenario.repo, (byRepo.get(s.scenario.repo) ?? 0) + 1);
  lines.push(
    table(
      ["repository", "scenarios"],
      [...byRepo].sort().map(([repo, n]) => [escapeMarkdown(repo), String(n)]),
      ["left", "right"],
    ),
    "",
  );
  const kinds = ["commit", "pull_request", "mutation"]
    .map((kind) => [kind, scenarios.filter((s) => s.scenario.source.kind === kind).length] as const)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind.replace("_", " ")}${n === 1 ? "" : "s"}`);
  lines.push(`Changes: ${kinds.join(", ") || "none"}.`, "");

  lines.push("## Time range", "");
  lines.push(`- changes made ${dateRange(scenarios.map((s) => s.scenario.created_at))}`);
  if (input.rollouts.length > 0) {
    lines.push(`- rollouts recorded ${dateRange(input.rollouts.map((r) => r.rollout.finished_at))}`);
  }
  lines.push("");

  lines.push("## Licence", "");
  lines.push(
    "repogym does not know the licence of the repositories above. The scenarios carry their code,",
    "tests, commit messages and pull-request text (patches, problem statements, hints), which remain",
    "their authors' work under each repository's licence; the rollouts carry what the agents and their",
    "models wrote, which may come with the model provider's terms. Check both before you publish or",
    "train on this dataset. The card's `license: other` stands for exactly that.",
    "",
  );

  if (input.notes.length > 0) {
    lines.push("## Left out", "");
    for (const note of input.notes) lines.push(`- ${escapeMarkdown(note)}`);
    lines.push("");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
