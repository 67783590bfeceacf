import { defaultConfig } from "../core/config.js";
import { openRepository } from "../core/git.js";
import { classifyCommit } from "../scenario-gen/candidates.js";
import { createClassifier } from "../scenario-gen/classify.js";
import { scanHistory } from "../scenario-gen/scan.js";
import { selectCandidates } from "../scenario-gen/select-candidates.js";
import { type Figure, makeFigure } from "./figure.js";
import { measureInterleaved, progress, runCommand } from "./measure.js";

/**
 * Figure (a): repogym's history scan (scanHistory to the end + classifyCommit per commit: one
 * `git log --raw`) against a bare `git log --name-status` over the same first-parent walk.
 * A diagnostic row adds the candidate sizing `repogym mine` does next (one `git diff-tree`
 * for the candidates only), so the cost of line counts stays visible.
 */
export async function measureScan(repo: string, repeats: number): Promise<Figure[]> {
  const config = defaultConfig();
  const classifier = createClassifier(config.paths);
  let counted = { commits: 0, candidates: 0 };
  const scan = () => async () => {
    const seen = { commits: 0, candidates: 0 };
    for await (const commit of scanHistory(repo)) {
      seen.commits++;
      if (classifyCommit(commit, classifier, config.limits).kind === "candidate") seen.candidates++;
    }
    counted = seen;
  };
  const drain = (args: string[]) => async () => {
    await runCommand("git", args, { cwd: repo, discardStdout: true });
  };
  const baselineArgs = ["log", "--name-status", "--first-parent", "HEAD"];
  const info = await openRepository(repo);
  let sized = { commits: 0, candidates: 0 };
  const select = async () => {
    const selection = await selectCandidates({ repo: info, scan: {}, config, classifier, known: new Set() });
    sized = { commits: selection.commits, candidates: selection.candidates.length };
  };

  progress(`scan: ${repeats} interleaved runs of each variant`);
  const samples = await measureInterleaved({ baseline: drain(baselineArgs), scan: scan(), select }, repeats);
  const shared = {
    baselineDefinition: `\`git ${baselineArgs.join(" ")}\` spawned, its output drained (same commits)`,
    baselineMs: samples.baseline.medianMs,
    ratioOf: "value/baseline" as const,
  };
  return [
    makeFigure({
      id: "a",
      title: `(a) history scan, ${counted.commits} commits`,
      measured:
        "scanHistory to the end + classifyCommit per commit, as `repogym mine` runs it (one `git log --raw`)",
      valueMs: samples.scan.medianMs,
      target: { comparison: "at-most", ratio: 1.5, source: "issue" },
      ...shared,
      details: {
        runsMs: samples.scan.runsMs.map(Math.round),
        ...counted,
        baselineRunsMs: samples.baseline.runsMs.map(Math.round),
      },
    }),
    makeFigure({
      id: "a.sizing",
      title: `    scan + sizing of ${sized.candidates} candidates`,
      measured:
        "selectCandidates over the whole history: the scan plus one `git diff-tree --numstat` for the " +
        "candidates' line counts (a blob diff per changed file), before any candidate is validated",
      valueMs: samples.select.medianMs,
      diagnostic: true,
      ...shared,
      details: { runsMs: samples.select.runsMs.map(Math.round), ...sized },
    }),
  ];
}
